package handlers_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

const nativeBody = `{"contents":[{"role":"user","parts":[{"text":"tell me a story in a few words"}]}]}`

// native sends a request the way Gemini clients do: our credential in
// x-goog-api-key unless header says otherwise ("x-goog-api-key", "" drops
// it).
func (e *env) native(t testing.TB, method, path, body string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-goog-api-key", userSecret)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
		if header[i+1] == "" {
			req.Header.Del(header[i])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

var responseID = regexp.MustCompile(`fake-\d+`)

// direct asks the fake itself, for the bytes Hagemi must reproduce.
func direct(t *testing.T, fake *geminitest.Server, key, path, body string) (string, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", fake.URL+path, strings.NewReader(body))
	req.Header.Set("x-goog-api-key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.Header.Get("Content-Type"), responseID.ReplaceAllString(readAll(t, resp.Body), "fake-N")
}

func TestNativeStreamPassesBytesThrough(t *testing.T) {
	tests := []struct{ name, path, query string }{
		{"sse", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", "?alt=sse"},
		{"json array", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", ""},
		{"v1 prefix", "/v1/models/gemini-2.5-flash:streamGenerateContent", "?alt=sse"},
		{"unary", "/v1beta/models/gemini-2.5-flash:generateContent", ""},
		{"count tokens", "/v1beta/models/gemini-2.5-flash:countTokens", ""},
		{"embed", "/v1beta/models/gemini-embedding-001:embedContent", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt, store := withStore(t)
			e := newEnv(t, []string{testKey(1)}, nil, opt)
			key, secret, _ := store.CreateProxyKey(context.Background(), domain.ProxyKeySpec{Enabled: true})
			body := nativeBody
			if strings.Contains(tt.path, "embed") {
				body = `{"content":{"parts":[{"text":"embed me"}]}}`
			}
			// The credential comes as ?key= here, which must not travel on.
			resp := e.native(t, "POST", tt.path+tt.query+sep(tt.query)+"key="+secret, body, "x-goog-api-key", "")
			got := responseID.ReplaceAllString(readAll(t, resp.Body), "fake-N")
			upstream := strings.Replace(tt.path, "/v1/", "/v1beta/", 1) + tt.query
			ct, want := direct(t, e.fake, testKey(1), upstream, body)
			if resp.StatusCode != 200 || got != want {
				t.Fatalf("status %d, body\n%q\nwant\n%q", resp.StatusCode, got, want)
			}
			if resp.Header.Get("Content-Type") != ct {
				t.Errorf("Content-Type = %q; want %q", resp.Header.Get("Content-Type"), ct)
			}
			if r := e.fake.Requests()[1]; r.KeyInQuery || r.URL != upstream {
				t.Errorf("upstream URL = %s; want %s", r.URL, upstream)
			}
			u := e.deps.Usage.Today(key.ID)
			if wantOut := strings.Contains(tt.path, "enerateContent"); u.Requests != 1 || (u.TokensOut > 0) != wantOut {
				t.Errorf("usage = %+v; want 1 request, output tokens %v", u, wantOut)
			}
		})
	}
}

func sep(q string) string {
	if q == "" {
		return "?"
	}
	return "&"
}

func TestNativeStreamRetriesBeforeFirstByte(t *testing.T) {
	tests := []struct {
		name  string
		first geminitest.Reply
	}{
		{"error block first", geminitest.Reply{MidStreamError: "UNAVAILABLE", ErrorAfter: 0}},
		{"data error first", geminitest.Reply{MidStreamError: "UNAVAILABLE", MidStreamDataError: true}},
		{"connection killed", geminitest.Reply{Abort: true}},
		{"503 status", geminitest.Reply{Status: 503}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, []string{testKey(1), testKey(2)}, nil)
			var calls atomic.Int32
			e.fake.Handle("gemini-2.5-flash", func(r geminitest.Request) geminitest.Reply {
				if calls.Add(1) == 1 {
					return tt.first
				}
				return geminitest.DefaultResponder(r)
			})
			resp := e.native(t, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", nativeBody)
			body := readAll(t, resp.Body)
			if resp.StatusCode != 200 || strings.Contains(body, "error") || !strings.Contains(body, `"finishReason":"STOP"`) {
				t.Fatalf("status %d body %q", resp.StatusCode, body)
			}
			if n := e.generateCalls(testKey(1)) + e.generateCalls(testKey(2)); n != 2 {
				t.Errorf("%d upstream calls; want 2", n)
			}
		})
	}
}

func TestNativeStreamFailsAfterFirstByteWithoutRetry(t *testing.T) {
	tests := []struct {
		name, query string
		reply       geminitest.Reply
		tail        string
	}{
		{"google error block kept", "?alt=sse", geminitest.Reply{Chunks: []string{"a", "b", "c"}, MidStreamError: "UNAVAILABLE", ErrorAfter: 1}, "\"status\": \"UNAVAILABLE\"\n  }\n}\n"},
		{"array error kept", "", geminitest.Reply{Chunks: []string{"a", "b", "c"}, MidStreamError: "INTERNAL", ErrorAfter: 1}, "\"status\": \"INTERNAL\"\n  }\n}\n]"},
		{"cut stream gets an error event", "?alt=sse", geminitest.Reply{Chunks: []string{"a", "b", "c"}, CutAfter: 1}, "\"status\":\"UNAVAILABLE\"}}\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, []string{testKey(1), testKey(2)}, nil)
			e.fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply { return tt.reply })
			resp := e.native(t, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent"+tt.query, nativeBody)
			body := readAll(t, resp.Body)
			if resp.StatusCode != 200 || !strings.Contains(body, `"text": "a"`) && !strings.Contains(body, `"text":"a"`) || !strings.HasSuffix(body, tt.tail) {
				t.Fatalf("status %d body %q; want the first event, then ending %q", resp.StatusCode, body, tt.tail)
			}
			if n := e.generateCalls(testKey(1)) + e.generateCalls(testKey(2)); n != 1 {
				t.Errorf("%d upstream calls; want 1 (no retry once bytes went out)", n)
			}
		})
	}
}

func TestNativeClientDisconnectCancelsUpstream(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	e.fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Chunks: strings.Split(strings.Repeat("x", 50), ""), Delay: 20 * time.Millisecond}
	})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", e.srv.URL+"/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", strings.NewReader(nativeBody))
	req.Header.Set("x-goog-api-key", userSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if _, err := io.ReadAtLeast(resp.Body, buf, 1); err != nil {
		t.Fatalf("first bytes: %v", err)
	}
	cancel()
	resp.Body.Close()
	if !e.fake.Wait(2*time.Second, func() bool { return e.fake.Cancelled() == 1 && e.fake.InFlight() == 0 }) {
		t.Errorf("upstream not cancelled: cancelled %d, in flight %d", e.fake.Cancelled(), e.fake.InFlight())
	}
}
