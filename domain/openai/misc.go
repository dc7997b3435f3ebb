package openai

// ErrorEnvelope is the body of every /v1 error.
type ErrorEnvelope struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody is the inner error object. Param and Code are null when unset.
type ErrorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// ModelList is GET /v1/models.
type ModelList struct {
	Object string  `json:"object"` // "list"
	Data   []Model `json:"data"`
}

// Model is one model; the OpenRouter-style extras help clients size
// their context windows.
type Model struct {
	ID                  string `json:"id"`
	Object              string `json:"object"` // "model"
	Created             int64  `json:"created"`
	OwnedBy             string `json:"owned_by"`
	ContextLength       int    `json:"context_length,omitempty"`
	MaxCompletionTokens int    `json:"max_completion_tokens,omitempty"`
}
