package gemini

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/openai"
)

// TestResponseGolden converts every <case>.response.json (a Gemini
// generateContent answer) to <case>.completion.json: the OpenAI completion
// and the Reply, or the error.
func TestResponseGolden(t *testing.T) {
	for _, name := range goldenCases(t, ".response.json") {
		t.Run(name, func(t *testing.T) {
			var resp GenerateContentResponse
			if err := json.Unmarshal(readFile(t, name+".response.json"), &resp); err != nil {
				t.Fatal(err)
			}
			cc, reply, err := ConvertResponse(&resp, loadOpts(t, name).response())
			out := map[string]any{"completion": cc, "reply": reply}
			if err != nil {
				out = map[string]any{"error": err.Error(), "upstream": errors.Is(err, domain.ErrUpstream)}
			}
			checkGolden(t, name+".completion.json", indentJSON(t, out))
		})
	}
}

func TestResponseNoCandidates(t *testing.T) {
	for _, resp := range []*GenerateContentResponse{nil, {}, {PromptFeedback: &PromptFeedback{}}} {
		_, _, err := ConvertResponse(resp, ResponseOptions{})
		if !errors.Is(err, domain.ErrUpstream) {
			t.Errorf("ConvertResponse(%+v) error = %v; want ErrUpstream", resp, err)
		}
		var ue *UpstreamError
		if !errors.As(err, &ue) || !ue.Retryable() {
			t.Errorf("error %v is not a retryable *UpstreamError", err)
		}
	}
}

func TestResponseFinishReason(t *testing.T) {
	tests := []struct {
		reason  string
		sawCall bool
		want    string
	}{
		{"STOP", false, "stop"},
		{"STOP", true, "tool_calls"},
		{"", false, "stop"},
		{"", true, "tool_calls"},
		{"FINISH_REASON_UNSPECIFIED", false, "stop"},
		{"SOMETHING_NEW", false, "stop"},
		{"MAX_TOKENS", false, "length"},
		{"MAX_TOKENS", true, "length"},
		{"SAFETY", false, "content_filter"},
		{"RECITATION", false, "content_filter"},
		{"BLOCKLIST", false, "content_filter"},
		{"PROHIBITED_CONTENT", false, "content_filter"},
		{"SPII", false, "content_filter"},
		{"IMAGE_SAFETY", false, "content_filter"},
		{"IMAGE_PROHIBITED_CONTENT", false, "content_filter"},
		{"IMAGE_RECITATION", false, "content_filter"},
		{"LANGUAGE", false, "content_filter"},
		{"OTHER", false, "content_filter"},
		{"IMAGE_OTHER", false, "content_filter"},
		{"NO_IMAGE", false, "content_filter"},
		{"MALFORMED_FUNCTION_CALL", false, "stop"},
		{"UNEXPECTED_TOOL_CALL", true, "stop"},
		{"TOO_MANY_TOOL_CALLS", true, "stop"},
	}
	for _, tt := range tests {
		if got := finishReason(tt.reason, tt.sawCall); got != tt.want {
			t.Errorf("finishReason(%q, %v) = %q; want %q", tt.reason, tt.sawCall, got, tt.want)
		}
	}
}

func TestResponseUsage(t *testing.T) {
	if got := UsageToOpenAI(nil); got != nil {
		t.Errorf("UsageToOpenAI(nil) = %+v; want nil", got)
	}
	got := UsageToOpenAI(&UsageMetadata{PromptTokenCount: 100, CachedContentTokenCount: 40, CandidatesTokenCount: 6,
		ThoughtsTokenCount: 130, ToolUsePromptTokenCount: 9, TotalTokenCount: 245})
	want := &openai.Usage{PromptTokens: 109, CompletionTokens: 136, TotalTokens: 245,
		PromptTokensDetails:     &openai.PromptTokensDetails{CachedTokens: 40},
		CompletionTokensDetails: &openai.CompletionTokensDetails{ReasoningTokens: 130}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("UsageToOpenAI (-want +got):\n%s", diff)
	}
	// A total that disagrees with the parts is replaced by their sum.
	got = UsageToOpenAI(&UsageMetadata{PromptTokenCount: 4, CandidatesTokenCount: 3, TotalTokenCount: 99})
	if got.TotalTokens != 7 {
		t.Errorf("TotalTokens = %d; want 7", got.TotalTokens)
	}
}

func TestResponseRandomToolCallID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := randomToolCallID()
		rest, ok := strings.CutPrefix(id, "call_")
		if !ok || len(rest) != 24 {
			t.Fatalf("id %q is not call_ + 24 characters", id)
		}
		for _, c := range rest {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				t.Fatalf("id %q has a non-base62 character", id)
			}
		}
		if seen[id] {
			t.Fatalf("id %q issued twice", id)
		}
		seen[id] = true
	}
	// Without NewToolCallID, ConvertResponse issues random ids.
	cc, _, err := ConvertResponse(&GenerateContentResponse{Candidates: []Candidate{{Content: &Content{Parts: []Part{
		{FunctionCall: &FunctionCall{Name: "f"}}}}, FinishReason: "STOP"}}}, ResponseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if id := cc.Choices[0].Message.ToolCalls[0].ID; !strings.HasPrefix(id, "call_") || len(id) != 29 {
		t.Errorf("tool call id = %q; want call_ + 24 characters", id)
	}
}
