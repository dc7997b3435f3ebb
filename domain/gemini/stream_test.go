package gemini

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/openai"
)

// readEvents reads a <case>.events.sse file: one Gemini event per "data:"
// line; other lines are ignored.
func readEvents(t *testing.T, b []byte) []GenerateContentResponse {
	t.Helper()
	var evs []GenerateContentResponse
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue
		}
		var ev GenerateContentResponse
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			t.Fatalf("event %q: %v", data, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// TestStreamGolden converts every <case>.events.sse to <case>.chunks.sse:
// the OpenAI SSE the client gets, then "data: [DONE]" or, for a truncated
// stream, an "error:" line, then a "reply:" line with Reply().
func TestStreamGolden(t *testing.T) {
	for _, name := range goldenCases(t, ".events.sse") {
		t.Run(name, func(t *testing.T) {
			g := loadOpts(t, name)
			c := NewStreamConverter(g.response(), g.IncludeUsage)
			var out []openai.ChatCompletionChunk
			for _, ev := range readEvents(t, readFile(t, name+".events.sse")) {
				out = c.Next(&ev, out)
			}
			out, err := c.Finish(out)
			var buf bytes.Buffer
			for _, ch := range out {
				buf.WriteString("data: " + compactJSON(t, ch) + "\n\n")
			}
			if err != nil {
				buf.WriteString("error: " + err.Error() + "\n\n")
			} else {
				buf.WriteString("data: [DONE]\n\n")
			}
			buf.WriteString("reply: " + compactJSON(t, c.Reply()) + "\n")
			checkGolden(t, name+".chunks.sse", buf.Bytes())
			checkChunks(t, out, g.response())
		})
	}
}

// checkChunks asserts the invariants every client relies on: one id,
// created and model; the role only on the first delta of a choice; one
// finish per choice; complete tool call deltas with increasing indexes.
func checkChunks(t *testing.T, out []openai.ChatCompletionChunk, opts ResponseOptions) {
	t.Helper()
	role := map[int]int{}
	finish := map[int]int{}
	tools := map[int]int{}
	for i, ch := range out {
		if ch.ID != opts.ID || ch.Created != opts.Created || ch.Model != opts.Model || ch.Object != "chat.completion.chunk" {
			t.Errorf("chunk %d header = %q %d %q %q", i, ch.ID, ch.Created, ch.Model, ch.Object)
		}
		for _, cc := range ch.Choices {
			if cc.Delta.Role != "" {
				if role[cc.Index]++; role[cc.Index] > 1 || finish[cc.Index] > 0 {
					t.Errorf("chunk %d: role repeated or after finish for choice %d", i, cc.Index)
				}
			} else if role[cc.Index] == 0 {
				t.Errorf("chunk %d: choice %d starts without a role", i, cc.Index)
			}
			if cc.FinishReason != nil {
				finish[cc.Index]++
			} else if finish[cc.Index] > 0 {
				t.Errorf("chunk %d: choice %d has a delta after its finish", i, cc.Index)
			}
			for _, tc := range cc.Delta.ToolCalls {
				if tc.Index == nil || *tc.Index != tools[cc.Index] || tc.ID == "" || tc.Type != "function" || tc.Function.Name == "" || !json.Valid([]byte(tc.Function.Arguments)) {
					t.Errorf("chunk %d: incomplete tool call delta %+v", i, tc)
				}
				tools[cc.Index]++
			}
		}
	}
	for idx, n := range finish {
		if n != 1 {
			t.Errorf("choice %d finished %d times", idx, n)
		}
	}
}

func TestStreamTruncated(t *testing.T) {
	c := NewStreamConverter(ResponseOptions{ID: "x"}, true)
	out := c.Next(&GenerateContentResponse{Candidates: []Candidate{{Content: &Content{Parts: []Part{{Text: "Hel"}}}}}}, nil)
	if !c.Started() {
		t.Errorf("Started() = false after a content delta")
	}
	out, err := c.Finish(out)
	if !errors.Is(err, domain.ErrUpstream) {
		t.Fatalf("Finish error = %v; want ErrUpstream", err)
	}
	if len(out) != 1 {
		t.Errorf("Finish appended chunks to a truncated stream: %d chunks", len(out))
	}
}

func TestStreamStarted(t *testing.T) {
	c := NewStreamConverter(ResponseOptions{}, false)
	// Usage-only and signature-only events, and hidden thoughts, start nothing.
	out := c.Next(&GenerateContentResponse{UsageMetadata: &UsageMetadata{PromptTokenCount: 3}}, nil)
	out = c.Next(&GenerateContentResponse{Candidates: []Candidate{{Content: &Content{Parts: []Part{
		{Text: "hmm", Thought: true}, {Text: "", ThoughtSignature: "c2ln"}}}}}}, out)
	if c.Started() || len(out) != 0 {
		t.Errorf("Started() = %v with %d chunks; want false, 0", c.Started(), len(out))
	}
	out = c.Next(&GenerateContentResponse{Candidates: []Candidate{{Content: &Content{Parts: []Part{
		{FunctionCall: &FunctionCall{Name: "f", Args: json.RawMessage(`{"a":1}`)}}}}}}}, out)
	if !c.Started() {
		t.Errorf("Started() = false after a tool call delta")
	}
	if got := out[0].Choices[0].Delta.ToolCalls[0].ID; !strings.HasPrefix(got, "call_") {
		t.Errorf("default tool call id = %q", got)
	}
}

func TestStreamReplyMidStream(t *testing.T) {
	c := NewStreamConverter(ResponseOptions{NewToolCallID: counterIDs()}, false)
	c.Next(&GenerateContentResponse{Candidates: []Candidate{{Content: &Content{Parts: []Part{{Text: "a", ThoughtSignature: "czE="}}}}}}, nil)
	first := c.Reply()
	c.Next(&GenerateContentResponse{Candidates: []Candidate{{Content: &Content{Parts: []Part{{Text: "b"}}}}}}, nil)
	want := &Reply{Content: &Content{Role: "model", Parts: []Part{{Text: "a", ThoughtSignature: "czE="}}}}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("Reply before the second delta changed (-want +got):\n%s", diff)
	}
	want.Content.Parts[0].Text = "ab"
	if diff := cmp.Diff(want, c.Reply()); diff != "" {
		t.Errorf("Reply (-want +got):\n%s", diff)
	}
}

// BenchmarkStreamNext measures the per-event cost of a plain text delta.
func BenchmarkStreamNext(b *testing.B) {
	ev := &GenerateContentResponse{Candidates: []Candidate{{Content: &Content{Role: "model", Parts: []Part{{Text: "Hello, world. "}}}}},
		UsageMetadata: &UsageMetadata{PromptTokenCount: 4, TotalTokenCount: 4}}
	c := NewStreamConverter(ResponseOptions{ID: "chatcmpl-1", Model: "gemini-2.5-flash"}, true)
	out := make([]openai.ChatCompletionChunk, 0, 4)
	b.ReportAllocs()
	for b.Loop() {
		out = c.Next(ev, out[:0])
	}
}
