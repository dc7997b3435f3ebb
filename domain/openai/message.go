package openai

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Message is one entry of messages.
type Message struct {
	Role       string     `json:"role"`
	Content    Content    `json:"content"`
	Name       string     `json:"name,omitempty"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
	// FunctionCall is the legacy single call on an assistant message.
	FunctionCall *FunctionCall `json:"function_call,omitempty"`
}

// Content is a message's content: null, a string, or an array of parts.
type Content struct {
	Text  string
	Parts []ContentPart
	// IsParts tells an array (possibly empty) from a string.
	IsParts bool
}

// UnmarshalJSON accepts null, a string or an array of parts.
func (c *Content) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*c = Content{}
		return nil
	case b[0] == '"':
		*c = Content{}
		return json.Unmarshal(b, &c.Text)
	case b[0] == '[':
		*c = Content{IsParts: true}
		return json.Unmarshal(b, &c.Parts)
	}
	return errors.New("content must be a string, an array of parts, or null")
}

// MarshalJSON writes the form the content was read in.
func (c Content) MarshalJSON() ([]byte, error) {
	if c.IsParts {
		return json.Marshal(c.Parts)
	}
	return json.Marshal(c.Text)
}

// JoinText concatenates the text of a string content or of its text and
// refusal parts, for roles whose content can only be text.
func (c Content) JoinText(sep string) string {
	if !c.IsParts {
		return c.Text
	}
	var buf []byte
	for _, p := range c.Parts {
		t := p.Text
		if p.Type == "refusal" {
			t = p.Refusal
		}
		if t == "" {
			continue
		}
		if len(buf) > 0 {
			buf = append(buf, sep...)
		}
		buf = append(buf, t...)
	}
	return string(buf)
}

// ContentPart is one element of an array content.
type ContentPart struct {
	Type       string      `json:"type"`
	Text       string      `json:"text,omitempty"`
	Refusal    string      `json:"refusal,omitempty"`
	ImageURL   *ImageURL   `json:"image_url,omitempty"`
	InputAudio *InputAudio `json:"input_audio,omitempty"`
	File       *File       `json:"file,omitempty"`
}

// ImageURL is an image_url part. Some clients send the URL as a bare string.
type ImageURL struct {
	URL    string `json:"url"`
	Detail string `json:"detail,omitempty"`
}

// UnmarshalJSON accepts {"url":…} or a bare string.
func (u *ImageURL) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &u.URL)
	}
	type plain ImageURL
	return json.Unmarshal(b, (*plain)(u))
}

// InputAudio is an input_audio part.
type InputAudio struct {
	Data   string `json:"data"`
	Format string `json:"format"`
}

// File is a file part.
type File struct {
	Filename string `json:"filename,omitempty"`
	FileData string `json:"file_data,omitempty"`
	FileID   string `json:"file_id,omitempty"`
}

// ToolCall is an assistant tool call, in a message or a stream delta.
type ToolCall struct {
	// Index is set in stream deltas only.
	Index    *int         `json:"index,omitempty"`
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"`
	Function FunctionCall `json:"function"`
	// ExtraContent is Google's compat-layer home of thought signatures.
	ExtraContent *ExtraContent `json:"extra_content,omitempty"`
}

// FunctionCall names a function and its JSON-encoded arguments.
type FunctionCall struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

// ExtraContent is tool_calls[].extra_content.
type ExtraContent struct {
	Google *GoogleContent `json:"google,omitempty"`
}

// GoogleContent is extra_content.google.
type GoogleContent struct {
	ThoughtSignature string `json:"thought_signature,omitempty"`
}
