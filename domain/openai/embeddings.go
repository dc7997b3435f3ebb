package openai

import (
	"bytes"
	"encoding/json"
)

// EmbeddingRequest is the body of POST /v1/embeddings.
type EmbeddingRequest struct {
	Model          string         `json:"model"`
	Input          EmbeddingInput `json:"input"`
	EncodingFormat string         `json:"encoding_format"` // "float" (default) or "base64"
	Dimensions     *int           `json:"dimensions"`
	User           string         `json:"user"`
}

// EmbeddingInput is "input": a string or an array of strings in Texts.
// Token arrays ([1,2,3] or [[1,2],[3]]) set Tokens and anything else sets
// Invalid, rather than failing the decode, so the handler can say exactly
// what is wrong with the field.
type EmbeddingInput struct {
	Texts   []string
	Single  bool // a bare string, not an array
	Tokens  bool
	Invalid bool
	Set     bool // present and not null
}

// UnmarshalJSON reads the four shapes OpenAI accepts.
func (in *EmbeddingInput) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*in = EmbeddingInput{}
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	in.Set = true
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		in.Texts, in.Single = []string{s}, true
		return nil
	case '[':
	default:
		in.Invalid = true
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return err
	}
	in.Texts = make([]string, 0, len(items))
	for _, it := range items {
		switch {
		case len(it) > 0 && it[0] == '"':
			var s string
			if err := json.Unmarshal(it, &s); err != nil {
				return err
			}
			in.Texts = append(in.Texts, s)
		case len(it) > 0 && (it[0] == '[' || it[0] == '-' || it[0] >= '0' && it[0] <= '9'):
			in.Tokens = true
		default:
			in.Invalid = true
		}
	}
	return nil
}

// EmbeddingResponse is the answer of POST /v1/embeddings.
type EmbeddingResponse struct {
	Object string          `json:"object"` // "list"
	Data   []Embedding     `json:"data"`
	Model  string          `json:"model"`
	Usage  EmbeddingsUsage `json:"usage"`
}

// Embedding is one vector, at Index of the input.
type Embedding struct {
	Object    string `json:"object"` // "embedding"
	Index     int    `json:"index"`
	Embedding Vector `json:"embedding"`
}

// Vector is an embedding as floats, or, when Base64 is set, as the base64
// of its little-endian float32 bytes (encoding_format "base64", which the
// OpenAI Python client asks for by default).
type Vector struct {
	Floats []float32
	Base64 string
}

// MarshalJSON writes the string form when there is one, else the floats.
func (v Vector) MarshalJSON() ([]byte, error) {
	if v.Base64 != "" {
		return json.Marshal(v.Base64)
	}
	if v.Floats == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(v.Floats)
}

// EmbeddingsUsage counts the input; embeddings produce no output tokens.
type EmbeddingsUsage struct {
	PromptTokens int `json:"prompt_tokens"`
	TotalTokens  int `json:"total_tokens"`
}
