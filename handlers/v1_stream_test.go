package handlers_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"

	"github.com/hagemi/hagemi/domain/gemini/geminitest"
	"github.com/hagemi/hagemi/handlers"
)

const streamBody = `{"model":"gemini-2.5-flash","stream":true,"messages":[{"role":"user","content":"hi"}]}`

func TestStreamRetriesBeforeFirstByte(t *testing.T) {
	tests := []struct {
		name string
		key  geminitest.Key
	}{
		{"503", geminitest.Key{Fail: 503}},
		{"500", geminitest.Key{Fail: 500}},
		{"invalid key", geminitest.Key{Invalid: true}},
		{"429 without details", geminitest.Key{Fail: 429}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			broken, good := testKey(1), testKey(2)
			e := newEnv(t, []string{broken, good}, map[string]geminitest.Key{broken: tt.key})
			for range 2 { // whichever key rotation starts with
				resp := e.post(t, "/v1/chat/completions", streamBody)
				body := readAll(t, resp.Body)
				if resp.StatusCode != 200 || !strings.HasSuffix(body, "data: [DONE]\n\n") || strings.Contains(body, `"error"`) {
					t.Fatalf("status %d body %s", resp.StatusCode, body)
				}
			}
			if e.generateCalls(broken) == 0 {
				t.Error("the broken key was never tried")
			}
		})
	}
}

func TestStreamAllKeysFailGetsRealStatus(t *testing.T) {
	k1, k2 := testKey(1), testKey(2)
	e := newEnv(t, []string{k1, k2}, map[string]geminitest.Key{k1: {Fail: 503}, k2: {Fail: 503}})
	resp := e.post(t, "/v1/chat/completions", streamBody)
	if resp.StatusCode != 503 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("status %d content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	decodeEnvelope(t, resp)
}

func TestStreamFailureAfterContent(t *testing.T) {
	tests := []struct {
		name  string
		reply geminitest.Reply
	}{
		{"raw json error", geminitest.Reply{Chunks: []string{"partial ", "answer ", "more"}, MidStreamError: "UNAVAILABLE", ErrorAfter: 1}},
		{"data error", geminitest.Reply{Chunks: []string{"partial ", "answer ", "more"}, MidStreamError: "INTERNAL", MidStreamDataError: true, ErrorAfter: 1}},
		{"cut", geminitest.Reply{Chunks: []string{"partial ", "answer ", "more"}, CutAfter: 1}},
		{"aborted", geminitest.Reply{Chunks: []string{"partial ", "answer ", "more"}, CutAfter: 1, Abort: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, []string{testKey(1), testKey(2)}, nil)
			e.fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply { return tt.reply })
			s := e.client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
				Model: "gemini-2.5-flash", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
			})
			var text strings.Builder
			var finish string
			for s.Next() {
				c := s.Current()
				if len(c.Choices) > 0 {
					text.WriteString(c.Choices[0].Delta.Content)
					if c.Choices[0].FinishReason != "" {
						finish = c.Choices[0].FinishReason
					}
				}
			}
			if s.Err() == nil {
				t.Error("the client saw no error")
			}
			if text.String() != "partial " || finish != "" {
				t.Errorf("text %q finish %q; want the partial text and no clean stop", text.String(), finish)
			}
			if n := e.generateCalls(testKey(1)) + e.generateCalls(testKey(2)); n != 1 {
				t.Errorf("upstream calls = %d; content was sent, so no retry", n)
			}
		})
	}
}

func TestStreamClientDisconnectCancelsUpstream(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	e.fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Chunks: []string{"first", "never"}, StallAfter: 1}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := e.client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model: "gemini-2.5-flash", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	for s.Next() {
		if c := s.Current(); len(c.Choices) > 0 && c.Choices[0].Delta.Content == "first" {
			cancel()
			break
		}
	}
	s.Close()
	if !e.fake.Wait(5*time.Second, func() bool { return e.fake.Cancelled() == 1 && e.fake.InFlight() == 0 }) {
		t.Errorf("upstream not cancelled: cancelled=%d in flight=%d", e.fake.Cancelled(), e.fake.InFlight())
	}
}

func TestStreamHeartbeatWhileUpstreamIsSilent(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil, func(d *handlers.Deps) { d.Heartbeat = 30 * time.Millisecond })
	e.fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Chunks: []string{"late"}, Delay: 200 * time.Millisecond}
	})
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/chat/completions", strings.NewReader(streamBody))
	req.Header.Set("Authorization", "Bearer "+userSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	first, _ := r.ReadString('\n')
	if first != ": keep-alive\n" {
		t.Errorf("first line = %q; want a heartbeat comment before the late answer", first)
	}
	rest := readAll(t, r)
	if !strings.Contains(rest, `"content":"late"`) || !strings.HasSuffix(rest, "data: [DONE]\n\n") {
		t.Errorf("rest = %s", rest)
	}
}

func TestStreamBlockedPrompt(t *testing.T) {
	e := newEnv(t, []string{testKey(1), testKey(2)}, nil)
	e.fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{BlockReason: "PROHIBITED_CONTENT"}
	})
	for _, body := range []string{streamBody, strings.Replace(streamBody, `"stream":true`, `"stream":false`, 1)} {
		resp := e.post(t, "/v1/chat/completions", body)
		text := readAll(t, resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(text, `"finish_reason":"content_filter"`) {
			t.Errorf("status %d body %s", resp.StatusCode, text)
		}
	}
	if n := e.generateCalls(testKey(1)) + e.generateCalls(testKey(2)); n != 2 {
		t.Errorf("upstream calls = %d; a blocked prompt is not a key fault and is not retried", n)
	}
}

// TestStreamHeartbeatRacesFinalError makes a heartbeat likely to fire just
// as the last attempt fails: the answer must be either a clean JSON error or
// a stream with an error event, never a broken response (run with -race).
func TestStreamHeartbeatRacesFinalError(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil, func(d *handlers.Deps) { d.Heartbeat = 2 * time.Millisecond })
	e.fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Status: 400, ErrorMessage: "bad", Delay: 2 * time.Millisecond}
	})
	for range 40 {
		resp := e.post(t, "/v1/chat/completions", streamBody)
		body := readAll(t, resp.Body)
		switch resp.StatusCode {
		case 400:
			if !strings.Contains(body, `"invalid_request_error"`) {
				t.Fatalf("400 body %s", body)
			}
		case 200:
			if !strings.Contains(body, `data: {"error"`) {
				t.Fatalf("200 body without an error event: %s", body)
			}
		default:
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
}
