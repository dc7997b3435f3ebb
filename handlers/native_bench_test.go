package handlers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
	"github.com/hagemi/hagemi/handlers"
)

// BenchmarkNativeStream compares the native streaming pass-through (auth,
// limits, safety splice, key choice, byte copy with usage scan) with a
// bare httputil.ReverseProxy that only swaps the key, on a short answer
// from the fake (per-request cost) and a long one from the fake (which
// dominates: it builds every event) and from a canned upstream that only
// writes bytes, where the copy itself shows. Run:
//
//	go test ./handlers -run '^$' -bench NativeStream -benchmem -count 6
func BenchmarkNativeStream(b *testing.B) {
	const path = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
	for _, size := range []struct {
		name   string
		chunks int
	}{{"4x40B", 0}, {"256x1KiB", 256}} {
		fake := func(b *testing.B) *geminitest.Server {
			if size.chunks == 0 {
				return benchFake(b)
			}
			f := geminitest.New(b, geminitest.WithAnyKey(), geminitest.WithoutRecording())
			chunks := make([]string, size.chunks)
			for i := range chunks {
				chunks[i] = strings.Repeat("All work and no play makes Jack a dull boy. ", 23)
			}
			f.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply { return geminitest.Reply{Chunks: chunks} })
			return f
		}
		b.Run(size.name+"/hagemi", func(b *testing.B) {
			e := startEnv(b, fake(b), []string{testKey(1), testKey(2)}, nil)
			streamBench(b, e.srv.URL+path)
		})
		b.Run(size.name+"/bare-reverse-proxy", func(b *testing.B) {
			streamBench(b, bareProxy(b, fake(b)).URL+path)
		})
	}
	b.Run("canned-1MiB/hagemi", func(b *testing.B) {
		up := cannedUpstream(b)
		client := &gemini.Client{HTTP: gemini.NewHTTPClient(30 * time.Second), BaseURL: up.URL}
		h := handlers.New(handlers.Deps{
			Upstream: client, Catalog: gemini.NewCatalog(client, func() []string { return nil }),
			Pool:         domain.NewPool([]domain.KeySpec{{Secret: testKey(1)}}, time.Now),
			Credentials:  handlers.NewCredentials(adminSecret, []string{userSecret}, nil),
			MaxBodyBytes: 1 << 20, SafetyThreshold: "BLOCK_NONE",
		})
		srv := httptest.NewServer(h)
		b.Cleanup(srv.Close)
		streamBench(b, srv.URL+path)
	})
	b.Run("canned-1MiB/bare-reverse-proxy", func(b *testing.B) {
		target, _ := url.Parse(cannedUpstream(b).URL)
		rp := &httputil.ReverseProxy{FlushInterval: -1, Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Header.Set("x-goog-api-key", testKey(1))
		}}
		srv := httptest.NewServer(rp)
		b.Cleanup(srv.Close)
		streamBench(b, srv.URL+path)
	})
}

// cannedUpstream streams 1 MiB of ready-made SSE events (1 KiB each, with
// usage, the last one finished), flushing after each, and lists no models.
func cannedUpstream(b *testing.B) *httptest.Server {
	text := strings.Repeat("All work and no play makes Jack a dull boy. ", 21)
	event := []byte(`data: {"candidates":[{"content":{"parts":[{"text":"` + text +
		`"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":99,"totalTokenCount":119},"modelVersion":"gemini-2.5-flash"}` + "\r\n\r\n")
	last := []byte(`data: {"candidates":[{"content":{"parts":[{"text":"."}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":100,"totalTokenCount":120}}` + "\r\n\r\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for range (1 << 20) / len(event) {
			w.Write(event)
			rc.Flush()
		}
		w.Write(last)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// streamBench posts benchGemini to url b.N times, reading every byte,
// and reports the answer's bytes per second.
func streamBench(b *testing.B, url string) {
	c := benchClient()
	do := func() int64 {
		req, _ := http.NewRequest("POST", url, strings.NewReader(benchGemini))
		req.Header.Set("x-goog-api-key", userSecret)
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
		return n
	}
	b.SetBytes(do())
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		do()
	}
}
