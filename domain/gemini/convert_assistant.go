package gemini

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/openai"
)

// skipSignature is Google's documented placeholder that makes Gemini 3
// accept a function call whose real thought signature is unknown.
const skipSignature = "skip_thought_signature_validator"

// assistant converts an assistant message to model parts: its text, then
// one functionCall per tool call, which become the pending calls. Reasoning
// fields clients echo back are ignored: Gemini cannot take raw thoughts.
func (mc *messageConverter) assistant(m *openai.Message, path string) ([]Part, error) {
	var parts []Part
	if t := m.Content.JoinText(""); t != "" {
		parts = append(parts, Part{Text: t})
	}
	first := len(parts)
	for j := range m.ToolCalls {
		tc := &m.ToolCalls[j]
		if tc.Function.Name == "" {
			return nil, domain.Invalid(path+".tool_calls["+strconv.Itoa(j)+"].function.name", "function name is required")
		}
		parts = append(parts, Part{
			FunctionCall:     &FunctionCall{Name: tc.Function.Name, Args: callArgs(tc.Function.Arguments)},
			ThoughtSignature: mc.signature(tc),
		})
		mc.calls = append(mc.calls, pendingCall{id: tc.ID, name: tc.Function.Name})
	}
	if fc := m.FunctionCall; len(m.ToolCalls) == 0 && fc != nil && (fc.Name != "" || fc.Arguments != "") {
		if fc.Name == "" {
			return nil, domain.Invalid(path+".function_call.name", "function name is required")
		}
		parts = append(parts, Part{FunctionCall: &FunctionCall{Name: fc.Name, Args: callArgs(fc.Arguments)}})
		mc.calls = append(mc.calls, pendingCall{name: fc.Name})
	}
	// Gemini 3 rejects a replayed call step without a signature on its first
	// call; 2.5 does not need one and has rejected forged values.
	if first < len(parts) && parts[first].ThoughtSignature == "" && mc.gen >= 30 {
		parts[first].ThoughtSignature = skipSignature
	}
	return parts, nil
}

// signature recovers the thought signature of a tool call: from Google's
// extra_content if the client kept it, else from what this proxy saw when
// it issued the id. Each signature stays on the call it came with.
func (mc *messageConverter) signature(tc *openai.ToolCall) string {
	if e := tc.ExtraContent; e != nil && e.Google != nil && e.Google.ThoughtSignature != "" {
		return e.Google.ThoughtSignature
	}
	if mc.opts.Signature != nil && tc.ID != "" {
		if s, ok := mc.opts.Signature(tc.ID); ok {
			return s
		}
	}
	return ""
}

// callArgs turns OpenAI's argument string into Gemini's args object. Empty
// or null is {}; anything that is not a JSON object is kept, wrapped, as
// {"arguments": raw}, so the model still sees what it sent.
func callArgs(raw string) json.RawMessage {
	s := strings.TrimSpace(raw)
	switch {
	case s == "" || s == "null":
		return json.RawMessage("{}")
	case s[0] == '{' && json.Valid([]byte(s)):
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(map[string]string{"arguments": raw})
	return b
}

// toolResponse turns a tool result into Gemini's response object: a JSON
// object as is, an array as {"result": […]}, anything else as
// {"content": text}.
func toolResponse(text string) []byte {
	s := strings.TrimSpace(text)
	if s != "" && (s[0] == '{' || s[0] == '[') && json.Valid([]byte(s)) {
		if s[0] == '{' {
			return []byte(s)
		}
		return []byte(`{"result":` + s + `}`)
	}
	b, _ := json.Marshal(map[string]string{"content": text})
	return b
}
