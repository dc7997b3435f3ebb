package gemini

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hagemi/hagemi/domain/openai"
)

// TestModelSpecificAdjustments covers requests that are valid OpenAI but
// that particular Gemini models refuse.
func TestModelSpecificAdjustments(t *testing.T) {
	decode := func(s string) *openai.ChatRequest {
		var r openai.ChatRequest
		if err := json.Unmarshal([]byte(s), &r); err != nil {
			t.Fatal(err)
		}
		return &r
	}
	t.Run("n on gemini 3", func(t *testing.T) {
		c, err := ConvertRequest(decode(`{"n":3,"messages":[{"role":"user","content":"x"}]}`), ConvertOptions{Model: "gemini-3-flash-preview"})
		if err != nil {
			t.Fatal(err)
		}
		if g := c.Request.GenerationConfig; g != nil && g.CandidateCount != nil {
			t.Errorf("candidateCount sent to gemini 3: %d", *g.CandidateCount)
		}
		c, _ = ConvertRequest(decode(`{"n":3,"messages":[{"role":"user","content":"x"}]}`), ConvertOptions{Model: "gemini-2.5-flash"})
		if g := c.Request.GenerationConfig; g == nil || g.CandidateCount == nil || *g.CandidateCount != 3 {
			t.Errorf("candidateCount dropped on 2.5")
		}
	})
	t.Run("json mode with tools on 2.x", func(t *testing.T) {
		body := `{"response_format":{"type":"json_object"},"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"string"}}}}}],"messages":[{"role":"user","content":"x"}]}`
		c, err := ConvertRequest(decode(body), ConvertOptions{Model: "gemini-2.5-flash"})
		if err != nil {
			t.Fatal(err)
		}
		if g := c.Request.GenerationConfig; g != nil && g.ResponseMimeType != "" {
			t.Errorf("responseMimeType %q sent with tools to 2.5", g.ResponseMimeType)
		}
		c, _ = ConvertRequest(decode(body), ConvertOptions{Model: "gemini-3-flash-preview"})
		if g := c.Request.GenerationConfig; g == nil || g.ResponseMimeType != "application/json" {
			t.Errorf("gemini 3 lost JSON mode")
		}
	})
	t.Run("gemma system prompt", func(t *testing.T) {
		c, err := ConvertRequest(decode(`{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}`), ConvertOptions{Model: "gemma-3-27b-it"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Request.SystemInstruction != nil {
			t.Error("systemInstruction sent to gemma")
		}
		if p := c.Request.Contents[0].Parts; len(p) != 2 || p[0].Text != "Be brief." || p[1].Text != "hi" {
			t.Errorf("first turn = %+v", c.Request.Contents[0])
		}
	})
}

func TestToolNamesGeminiRefusesAreRenamedAndRestored(t *testing.T) {
	var req openai.ChatRequest
	json.Unmarshal([]byte(`{"tools":[{"type":"function","function":{"name":"2fa_code"}},{"type":"function","function":{"name":"ok"}}],
		"tool_choice":{"type":"function","function":{"name":"2fa_code"}},
		"messages":[{"role":"user","content":"x"},
		{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"2fa_code","arguments":"{}"}}]},
		{"role":"tool","tool_call_id":"c1","content":"123"}]}`), &req)
	c, err := ConvertRequest(&req, ConvertOptions{Model: "gemini-2.5-flash"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(c.Request)
	body := string(b)
	for _, want := range []string{`"name":"_2fa_code"`, `"allowedFunctionNames":["_2fa_code"]`, `"name":"ok"`} {
		if !strings.Contains(body, want) {
			t.Errorf("request lacks %s: %s", want, body)
		}
	}
	if strings.Contains(body, `"name":"2fa_code"`) {
		t.Errorf("an unrenamed name is left: %s", body)
	}
	resp := &GenerateContentResponse{Candidates: []Candidate{{FinishReason: "STOP", Content: &Content{Role: "model",
		Parts: []Part{{FunctionCall: &FunctionCall{Name: "_2fa_code", Args: json.RawMessage(`{}`)}}}}}}}
	out, _, err := ConvertResponse(resp, ResponseOptions{ToolNames: c.ToolNames})
	if err != nil || out.Choices[0].Message.ToolCalls[0].Function.Name != "2fa_code" {
		t.Errorf("response name = %+v, %v", out.Choices[0].Message.ToolCalls, err)
	}
	sc := NewStreamConverter(ResponseOptions{ToolNames: c.ToolNames}, false)
	chunks := sc.Next(resp, nil)
	found := false
	for _, ch := range chunks {
		for _, cc := range ch.Choices {
			for _, tc := range cc.Delta.ToolCalls {
				found = found || tc.Function.Name == "2fa_code"
			}
		}
	}
	if !found {
		t.Errorf("stream did not restore the name: %+v", chunks)
	}
}
