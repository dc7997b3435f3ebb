package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

// syncBuffer is a bytes.Buffer safe for the server's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("server did not become healthy")
}

// TestRunServesAndShutsDownGracefully starts the real program, streams a
// slow answer, and stops the program mid-stream: the stream must finish.
func TestRunServesAndShutsDownGracefully(t *testing.T) {
	key := "AIzaSyMAINTEST0000000000000000000000001"
	fake := geminitest.New(t, geminitest.WithKey(key, geminitest.Key{}))
	fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Chunks: []string{"one ", "two ", "three ", "four"}, Delay: 150 * time.Millisecond}
	})
	port := freePort(t)
	env := map[string]string{
		"HOST": "127.0.0.1", "PORT": fmt.Sprint(port), "GEMINI_BASE_URL": fake.URL,
		"GEMINI_API_KEYS": key, "PASSWORD": "pw-for-tests", "SHUTDOWN_GRACE_SECONDS": "10",
		"LOG_DIR": t.TempDir(),
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"hagemi", "-env-file="}, func(k string) string { return env[k] }, logs)
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHealthy(t, base)
	if err := probeHealth(fmt.Sprint(port)); err != nil {
		t.Errorf("-healthcheck probe: %v", err)
	}

	client := openai.NewClient(option.WithBaseURL(base+"/v1"), option.WithAPIKey("pw-for-tests"), option.WithMaxRetries(0))
	s := client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model: "gemini-2.5-flash", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("count")},
	})
	var text strings.Builder
	for s.Next() {
		c := s.Current()
		if len(c.Choices) > 0 {
			if text.Len() == 0 && c.Choices[0].Delta.Content != "" {
				stop() // SIGTERM while the stream is in flight
			}
			text.WriteString(c.Choices[0].Delta.Content)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatalf("stream broken by shutdown: %v", err)
	}
	if text.String() != "one two three four" {
		t.Errorf("text = %q", text.String())
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after shutdown")
	}
	if err := probeHealth(fmt.Sprint(port)); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
	if strings.Contains(logs.String(), key) || strings.Contains(logs.String(), "pw-for-tests") {
		t.Error("a secret appears in the logs")
	}
}

func TestRunRejectsBadConfiguration(t *testing.T) {
	env := map[string]string{"PORT": "http", "MAX_RETRIES": "-3"}
	err := run(context.Background(), []string{"hagemi", "-env-file="}, func(k string) string { return env[k] }, &syncBuffer{})
	if err == nil || !strings.Contains(err.Error(), "PORT") || !strings.Contains(err.Error(), "MAX_RETRIES") {
		t.Errorf("err = %v; want both problems reported", err)
	}
}

// TestLogsAndMetrics checks the files a run writes and the access line of a
// request, and that /metrics is served to loopback only without a token.
func TestLogsAndMetrics(t *testing.T) {
	key := "AIzaSyLOGTEST000000000000000000000000001"
	fake := geminitest.New(t, geminitest.WithKey(key, geminitest.Key{}))
	port, dir := freePort(t), t.TempDir()
	env := map[string]string{"HOST": "127.0.0.1", "PORT": fmt.Sprint(port), "GEMINI_BASE_URL": fake.URL,
		"GEMINI_API_KEYS": key, "PASSWORD": "pw-for-tests", "LOG_DIR": dir, "LOG_FORMAT": "json"}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"hagemi", "-env-file="}, func(k string) string { return env[k] }, &syncBuffer{})
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHealthy(t, base)
	req, _ := http.NewRequest("POST", base+"/v1/chat/completions", strings.NewReader(`{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer pw-for-tests")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("chat: %v %v", err, resp)
	}
	resp.Body.Close()
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`hagemi_requests_total{model="gemini-2.5-flash",route="POST /v1/chat/completions",status="200"} 1`,
		`hagemi_upstream_calls_total{outcome="ok"} 1`, `hagemi_keys{state="active"} 1`, "go_goroutines"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	stop()
	<-done
	access, _ := os.ReadFile(filepath.Join(dir, "access.log"))
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(access)), "\n") {
		if strings.Contains(l, "chat/completions") {
			json.Unmarshal([]byte(l), &line)
		}
	}
	if line["model"] != "gemini-2.5-flash" || line["status"] != float64(200) || line["attempts"] != float64(1) ||
		line["upstream_key"] != "AIza…0001" || line["tokens_in"] == float64(0) || line["ttfb"] == "" {
		t.Errorf("access line = %v", line)
	}
	if strings.Contains(string(access), key) || strings.Contains(string(access), "pw-for-tests") {
		t.Error("a secret in the access log")
	}
	for _, f := range []string{"app.log"} { // error.log appears with the first error
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// A client speaking HTTP/2 without TLS (prior knowledge) streams from the
// same port as HTTP/1 clients.
func TestServesHTTP2WithoutTLS(t *testing.T) {
	key := "AIzaSyMAINTEST0000000000000000000000002"
	fake := geminitest.New(t, geminitest.WithKey(key, geminitest.Key{}))
	port := freePort(t)
	env := map[string]string{"HOST": "127.0.0.1", "PORT": fmt.Sprint(port), "GEMINI_BASE_URL": fake.URL,
		"GEMINI_API_KEYS": key, "PASSWORD": "pw-for-tests", "LOG_DIR": t.TempDir()}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"hagemi", "-env-file="}, func(k string) string { return env[k] }, &syncBuffer{})
	}()
	defer func() { stop(); <-done }()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHealthy(t, base)

	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	c := &http.Client{Transport: &http.Transport{Protocols: h2c}}
	for range 2 { // two streams on one connection
		req, _ := http.NewRequest("POST", base+"/v1/chat/completions",
			strings.NewReader(`{"model":"gemini-2.5-flash","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
		req.Header.Set("Authorization", "Bearer pw-for-tests")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 2 || resp.StatusCode != 200 || !strings.HasSuffix(string(body), "data: [DONE]\n\n") {
			t.Fatalf("HTTP/%d %d: %s", resp.ProtoMajor, resp.StatusCode, body)
		}
	}
}
