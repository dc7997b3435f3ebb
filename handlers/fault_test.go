package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"go.uber.org/goleak"

	"github.com/hagemi/hagemi/domain/gemini/geminitest"
	"github.com/hagemi/hagemi/handlers"
)

// TestFaultSuite runs each upstream fault against a single key and checks
// the three things that matter: what the client is told, what happens to
// the key, and whether the fault's text (which may hold the key) leaks.
func TestFaultSuite(t *testing.T) {
	const body = `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]}`
	tests := []struct {
		name       string
		key        geminitest.Key
		reply      *geminitest.Reply
		status     int
		code       string
		invalid    bool // the key leaves the rotation
		cooling    bool // the key rests for this model
		shouldStop bool // X-Should-Retry: false for the SDKs
	}{
		{name: "invalid key", key: geminitest.Key{Invalid: true}, status: 503, code: "no_available_key", invalid: true, shouldStop: true},
		{name: "suspended key", key: geminitest.Key{Suspended: true}, status: 503, code: "no_available_key", invalid: true, shouldStop: true},
		{name: "leaked key", key: geminitest.Key{Leaked: true}, status: 503, code: "no_available_key", invalid: true, shouldStop: true},
		{name: "per-minute 429", key: geminitest.Key{RPM: 1}, status: 429, code: "rate_limit_exceeded", cooling: true},
		{name: "per-day 429", key: geminitest.Key{RPD: 1}, status: 429, code: "insufficient_quota", cooling: true, shouldStop: true},
		{name: "429 without details", key: geminitest.Key{Fail: 429}, status: 429, code: "rate_limit_exceeded", cooling: true},
		{name: "500", key: geminitest.Key{Fail: 500}, status: 502, cooling: true},
		{name: "503", key: geminitest.Key{Fail: 503}, status: 503, cooling: true},
		{name: "timeout", reply: &geminitest.Reply{Hang: true}, status: 504, cooling: true},
		{name: "cut before the end", reply: &geminitest.Reply{Text: "x", Abort: true}, status: 502, cooling: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := testKey(7)
			e := newEnv(t, []string{k}, map[string]geminitest.Key{k: tt.key}, func(d *handlers.Deps) {
				d.RequestTimeout = 300 * time.Millisecond
			})
			if tt.reply != nil {
				e.fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply { return *tt.reply })
			}
			if tt.key.RPM > 0 || tt.key.RPD > 0 { // use up the quota first
				if resp := e.post(t, "/v1/chat/completions", body); resp.StatusCode != 200 {
					t.Fatalf("warm-up: %d", resp.StatusCode)
				}
			}
			resp := e.post(t, "/v1/chat/completions", body)
			raw := readAll(t, resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d; want %d (%s)", resp.StatusCode, tt.status, raw)
			}
			if tt.code != "" && !strings.Contains(raw, `"code":"`+tt.code+`"`) {
				t.Errorf("body %s lacks code %s", raw, tt.code)
			}
			if strings.Contains(raw, k) || strings.Contains(raw, k[10:]) {
				t.Errorf("the key leaked: %s", raw)
			}
			if got := resp.Header.Get("X-Should-Retry") == "false"; got != tt.shouldStop {
				t.Errorf("X-Should-Retry false = %v; want %v", got, tt.shouldStop)
			}
			st := e.pool.Status()[0]
			if st.Invalid != tt.invalid {
				t.Errorf("invalid = %v; want %v", st.Invalid, tt.invalid)
			}
			if cooling := !st.Cooling["gemini-2.5-flash"].IsZero(); cooling != tt.cooling {
				t.Errorf("cooling = %v; want %v", cooling, tt.cooling)
			}
		})
	}
}

// TestDisconnectLeavesNothingBehind cancels a stream mid-way and checks that
// the upstream call ended and no goroutine is left.
func TestDisconnectLeavesNothingBehind(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	e.fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Chunks: []string{"first", "never"}, StallAfter: 1}
	})
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := e.client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model: "gemini-2.5-flash", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	s.Next()
	cancel()
	s.Close()
	if !e.fake.Wait(5*time.Second, func() bool { return e.fake.InFlight() == 0 }) {
		t.Fatal("upstream call still running")
	}
	// Idle keep-alive connections are not leaks; drop them before counting.
	e.upstream.CloseIdleConnections()
	http.DefaultClient.CloseIdleConnections()
	e.srv.CloseClientConnections()
	time.Sleep(50 * time.Millisecond)
}

// TestSlowClientGetsWholeStream reads a stream a few bytes at a time: the
// answer must arrive whole, in order, ending in [DONE].
func TestSlowClientGetsWholeStream(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	var chunks []string
	for i := range 40 {
		chunks = append(chunks, strings.Repeat(string(rune('a'+i%26)), 50))
	}
	e.fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply { return geminitest.Reply{Chunks: chunks} })
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/chat/completions", strings.NewReader(streamBody))
	req.Header.Set("Authorization", "Bearer "+userSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got strings.Builder
	buf := make([]byte, 64)
	for {
		n, err := resp.Body.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	body := got.String()
	if !strings.HasSuffix(body, "data: [DONE]\n\n") {
		t.Fatalf("stream did not end cleanly: …%s", body[max(0, len(body)-200):])
	}
	var text strings.Builder
	for _, line := range strings.Split(body, "\n") {
		if i := strings.Index(line, `"content":"`); i >= 0 {
			rest := line[i+len(`"content":"`):]
			text.WriteString(rest[:strings.IndexByte(rest, '"')])
		}
	}
	if text.String() != strings.Join(chunks, "") {
		t.Errorf("content arrived damaged: %d bytes of %d", text.Len(), len(strings.Join(chunks, "")))
	}
}
