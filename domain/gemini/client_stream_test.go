package gemini

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

// drain reads a stream to its end and returns the events and the final
// error (io.EOF for a clean end).
func drain(t *testing.T, st *Stream) ([]*GenerateContentResponse, error) {
	t.Helper()
	defer st.Close()
	var evs []*GenerateContentResponse
	for {
		ev, err := st.Next()
		if err != nil {
			if _, again := st.Next(); again != err {
				t.Errorf("Next after the end = %v; want the same %v", again, err)
			}
			return evs, err
		}
		evs = append(evs, ev)
	}
}

func streamText(evs []*GenerateContentResponse) (text, finish string) {
	for _, ev := range evs {
		for _, c := range ev.Candidates {
			if c.Content != nil {
				for _, p := range c.Content.Parts {
					if !p.Thought {
						text += p.Text
					}
				}
			}
			if c.FinishReason != "" {
				finish = c.FinishReason
			}
		}
	}
	return text, finish
}

func TestStream(t *testing.T) {
	for _, lf := range []bool{false, true} {
		t.Run(map[bool]string{false: "CRLF", true: "LF"}[lf], func(t *testing.T) {
			var opts []geminitest.Option
			if lf {
				opts = append(opts, geminitest.WithLF())
			}
			fake, c := newFake(t, opts...)
			long := strings.Repeat("streamed words ", 20)
			st, err := c.Stream(context.Background(), testKey, "gemini-2.5-flash", userText(long))
			if err != nil {
				t.Fatal(err)
			}
			evs, err := drain(t, st)
			if err != io.EOF {
				t.Fatalf("end = %v; want io.EOF", err)
			}
			if len(evs) < 2 {
				t.Errorf("events = %d; want several", len(evs))
			}
			text, finish := streamText(evs)
			if text != "echo: "+long[:200] || finish != "STOP" {
				t.Errorf("text %q, finish %q", text, finish)
			}
			last := evs[len(evs)-1]
			if last.UsageMetadata == nil || last.UsageMetadata.CandidatesTokenCount == 0 || last.ResponseID == "" || last.ModelVersion != "gemini-2.5-flash" {
				t.Errorf("last event = %+v", last)
			}
			if r := fake.Requests()[0]; !r.SSE || !r.Stream || r.KeyInQuery {
				t.Errorf("request: sse %v, stream %v, key in query %v", r.SSE, r.Stream, r.KeyInQuery)
			}
		})
	}
}

func TestStreamFunctionCallsAndThoughts(t *testing.T) {
	fake, c := newFake(t)
	fake.Handle("gemini-3-flash-preview", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Thought: "hmm", Text: "Let me check.", TrailingSignature: "c2ln",
			FunctionCalls: []geminitest.Call{{Name: "a", Args: map[string]any{"x": 1.0}}, {Name: "b"}}}
	})
	req := userText("go")
	req.GenerationConfig = &GenerationConfig{ThinkingConfig: &ThinkingConfig{IncludeThoughts: true}}
	st, err := c.Stream(context.Background(), testKey, "gemini-3-flash-preview", req)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := drain(t, st)
	if err != io.EOF {
		t.Fatal(err)
	}
	var thought bool
	var calls []Part
	for _, ev := range evs {
		for _, p := range ev.Candidates[0].Content.Parts {
			thought = thought || p.Thought
			if p.FunctionCall != nil {
				calls = append(calls, p)
			}
		}
	}
	if !thought {
		t.Error("no thought part")
	}
	if len(calls) != 2 || calls[0].ThoughtSignature == "" || calls[1].ThoughtSignature != "" || string(calls[0].FunctionCall.Args) != `{"x":1}` {
		t.Errorf("calls = %+v", calls)
	}
	tail := evs[len(evs)-1].Candidates[0]
	if p := tail.Content.Parts; len(p) != 1 || p[0].Text != "" || p[0].ThoughtSignature != "c2ln" || tail.FinishReason != "STOP" {
		t.Errorf("trailing event = %+v", tail)
	}
}

func TestStreamErrors(t *testing.T) {
	tests := []struct {
		name    string
		reply   geminitest.Reply
		events  int
		kind    Kind
		status  string
		cleanly bool
	}{
		{"raw block", geminitest.Reply{Chunks: []string{"a", "b", "c"}, MidStreamError: "UNAVAILABLE", ErrorAfter: 2}, 2, KindServer, "UNAVAILABLE", false},
		{"raw block first", geminitest.Reply{Chunks: []string{"a"}, MidStreamError: "INTERNAL"}, 0, KindServer, "INTERNAL", false},
		{"data error", geminitest.Reply{Chunks: []string{"a", "b"}, MidStreamError: "RESOURCE_EXHAUSTED", MidStreamDataError: true, ErrorAfter: 1}, 1, KindRateLimited, "RESOURCE_EXHAUSTED", false},
		{"cut", geminitest.Reply{Chunks: []string{"a", "b", "c"}, CutAfter: 2}, 2, 0, "", true},
		{"killed", geminitest.Reply{Chunks: []string{"a", "b", "c"}, CutAfter: 1, Abort: true}, 1, KindNetwork, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c := newFake(t)
			fake.Handle("", func(geminitest.Request) geminitest.Reply { return tt.reply })
			st, err := c.Stream(context.Background(), testKey, "gemini-2.5-flash", userText("x"))
			if err != nil {
				t.Fatal(err)
			}
			evs, err := drain(t, st)
			if len(evs) != tt.events {
				t.Errorf("events = %d; want %d", len(evs), tt.events)
			}
			if _, finish := streamText(evs); finish != "" {
				t.Errorf("finishReason %q before the failure", finish)
			}
			if tt.cleanly {
				if err != io.EOF {
					t.Errorf("err = %v; want io.EOF (the caller judges truncation)", err)
				}
				return
			}
			ue := asUpstream(t, err)
			if ue.Kind != tt.kind || ue.Status != tt.status || ue.HTTPStatus != 200 {
				t.Errorf("got %v / %q / %d; want %v / %q / 200", ue.Kind, ue.Status, ue.HTTPStatus, tt.kind, tt.status)
			}
		})
	}
}

func TestStreamCloseEarly(t *testing.T) {
	fake, c := newFake(t)
	fake.Handle("", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Chunks: []string{"a", "b", "c"}, StallAfter: 1}
	})
	st, err := c.Stream(context.Background(), testKey, "gemini-2.5-flash", userText("x"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Next(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	if _, err := st.Next(); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("Next after Close = %v; want an error", err)
	}
	if !fake.Wait(5e9, func() bool { return fake.InFlight() == 0 }) {
		t.Error("upstream request still running after Close")
	}
}
