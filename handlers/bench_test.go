package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

// The benchmarks compare a request through Hagemi (OpenAI in, conversion,
// key choice, Gemini out, conversion back) with the same request through a
// bare httputil.ReverseProxy that only swaps the key. Both pay for the
// client and the stand-in, so the
// difference is Hagemi's own cost over a proxy that does nothing. Run:
//
//	go test ./handlers -run '^$' -bench 'Proxy' -benchmem -count 6

const (
	benchOpenAI = `{"model":"gemini-2.5-flash","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Why is the sky blue? Answer in one sentence."}]}`
	benchGemini = `{"systemInstruction":{"parts":[{"text":"Be brief."}]},"contents":[{"role":"user","parts":[{"text":"Why is the sky blue? Answer in one sentence."}]}],"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}]}`
)

func benchFake(b *testing.B) *geminitest.Server {
	fake := geminitest.New(b, geminitest.WithAnyKey(), geminitest.WithoutRecording())
	fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Chunks: []string{"Sunlight ", "scatters off ", "air molecules; ", "blue scatters most."}}
	})
	return fake
}

func bareProxy(b *testing.B, fake *geminitest.Server) *httptest.Server {
	target, _ := url.Parse(fake.URL)
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Header.Del("Authorization")
			r.Out.Header.Set("x-goog-api-key", testKey(1))
		},
		FlushInterval: -1,
	}
	srv := httptest.NewServer(rp)
	b.Cleanup(srv.Close)
	return srv
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
}

func runBench(b *testing.B, c *http.Client, url, body string) {
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+userSecret)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n == 0 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

func BenchmarkProxyUnary(b *testing.B) {
	b.Run("hagemi", func(b *testing.B) {
		e := newBenchEnv(b)
		runBench(b, benchClient(), e.srv.URL+"/v1/chat/completions", benchOpenAI)
	})
	b.Run("bare-reverse-proxy", func(b *testing.B) {
		fake := benchFake(b)
		runBench(b, benchClient(), bareProxy(b, fake).URL+"/v1beta/models/gemini-2.5-flash:generateContent", benchGemini)
	})
}

func BenchmarkProxyStream(b *testing.B) {
	stream := strings.Replace(benchOpenAI, `{"model"`, `{"stream":true,"model"`, 1)
	b.Run("hagemi", func(b *testing.B) {
		e := newBenchEnv(b)
		runBench(b, benchClient(), e.srv.URL+"/v1/chat/completions", stream)
	})
	b.Run("bare-reverse-proxy", func(b *testing.B) {
		fake := benchFake(b)
		runBench(b, benchClient(), bareProxy(b, fake).URL+"/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", benchGemini)
	})
}

// BenchmarkServerThroughput drives the whole handler in parallel, with
// file-mode SQLite memory on (each client its own conversations of ten
// exchanges), and reports chat requests per second.
func BenchmarkServerThroughput(b *testing.B) {
	for _, mem := range []bool{false, true} {
		b.Run(map[bool]string{false: "memory-off", true: "memory-on-file"}[mem], func(b *testing.B) {
			var opts []envOption
			if mem {
				opt, _ := withStore(b)
				opts = append(opts, opt)
			}
			e := startEnv(b, benchFake(b), []string{testKey(1), testKey(2)}, nil, opts...)
			c := benchClient()
			var seq atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(16)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				client := seq.Add(1)
				for i := 0; pb.Next(); i++ {
					conv := fmt.Sprint("bench-", client, "-", i/10)
					req, _ := http.NewRequest("POST", e.srv.URL+"/v1/chat/completions", strings.NewReader(benchOpenAI))
					req.Header.Set("Authorization", "Bearer "+userSecret)
					req.Header.Set("X-Conversation-ID", conv)
					resp, err := c.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}
