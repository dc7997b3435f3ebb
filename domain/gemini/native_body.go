package gemini

import (
	"bytes"
	"encoding/json"
)

// NativePrompt is the part of a native generateContent body that Hagemi
// reads: the prompt, to estimate its size before sending, and whether the
// client chose its own safety settings. Everything else in the body passes
// through unread. Gemini accepts snake_case names too, so both spellings
// are looked at.
type NativePrompt struct {
	Contents          []Content       `json:"contents"`
	SystemInstruction *Content        `json:"systemInstruction"`
	SystemSnake       *Content        `json:"system_instruction"`
	Safety            json.RawMessage `json:"safetySettings"`
	SafetySnake       json.RawMessage `json:"safety_settings"`
}

// System is the system instruction under either spelling, or nil.
func (p *NativePrompt) System() *Content {
	if p.SystemInstruction != nil {
		return p.SystemInstruction
	}
	return p.SystemSnake
}

// HasSafety reports whether the client sent safety settings (even null:
// adding ours then would make a duplicate field, which Google rejects).
func (p *NativePrompt) HasSafety() bool { return p.Safety != nil || p.SafetySnake != nil }

// WithSafetySettings returns body, a JSON object, with safetySettings for
// the five harm categories at threshold (BLOCK_NONE when empty) spliced in
// as its first field: the same policy as converted requests. The client's
// own bytes are kept as they are, not re-encoded, so field order, number
// formats and escapes reach Google unchanged. A body that is not an object
// is returned untouched, for Google to reject.
func WithSafetySettings(body []byte, threshold string) []byte {
	start := bytes.IndexByte(body, '{')
	if start < 0 || len(bytes.TrimSpace(body[:start])) > 0 {
		return body
	}
	if threshold == "" {
		threshold = "BLOCK_NONE"
	}
	safety := make([]SafetySetting, len(safetyCategories))
	for i, c := range safetyCategories {
		safety[i] = SafetySetting{Category: c, Threshold: threshold}
	}
	list, _ := json.Marshal(safety)
	rest := body[start+1:]
	out := make([]byte, 0, len(body)+len(list)+20)
	out = append(out, body[:start+1]...)
	out = append(out, `"safetySettings":`...)
	out = append(out, list...)
	if t := bytes.TrimSpace(rest); len(t) > 0 && t[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...)
}
