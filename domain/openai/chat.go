package openai

import "encoding/json"

// ChatRequest is the body of POST /v1/chat/completions. Optional numbers are
// pointers so that "absent" and "null" stay distinguishable from zero.
type ChatRequest struct {
	Model               string          `json:"model"`
	Messages            []Message       `json:"messages"`
	Stream              bool            `json:"stream"`
	StreamOptions       *StreamOptions  `json:"stream_options"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	TopK                *int            `json:"top_k"`
	N                   *int            `json:"n"`
	Stop                Stop            `json:"stop"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	PresencePenalty     *float64        `json:"presence_penalty"`
	FrequencyPenalty    *float64        `json:"frequency_penalty"`
	Seed                *int64          `json:"seed"`
	Logprobs            *bool           `json:"logprobs"`
	TopLogprobs         *int            `json:"top_logprobs"`
	ResponseFormat      *ResponseFormat `json:"response_format"`
	Tools               []Tool          `json:"tools"`
	ToolChoice          *ToolChoice     `json:"tool_choice"`
	ReasoningEffort     string          `json:"reasoning_effort"`
	Modalities          []string        `json:"modalities"`
	WebSearchOptions    json.RawMessage `json:"web_search_options"`
	User                string          `json:"user"`

	// Legacy function calling (before tools).
	Functions    []FunctionDef `json:"functions"`
	FunctionCall *ToolChoice   `json:"function_call"`

	// Google's compat-layer extension: openai-python's extra_body produces a
	// top-level "google" object; Cherry Studio and openai-node users send
	// "extra_body" literally.
	Google    *GoogleExtra `json:"google"`
	ExtraBody *ExtraBody   `json:"extra_body"`
	// OpenRouter-style reasoning object; only effort is read.
	Reasoning *ReasoningOption `json:"reasoning"`
}

// StreamOptions is stream_options.
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// ExtraBody is a literal "extra_body" key in the JSON body.
type ExtraBody struct {
	Google *GoogleExtra `json:"google"`
}

// GoogleExtra carries Gemini-specific options in Google's compat format.
type GoogleExtra struct {
	ThinkingConfig *ThinkingConfig `json:"thinking_config"`
}

// ThinkingConfig accepts snake_case and camelCase field names, as clients
// send both.
type ThinkingConfig struct {
	ThinkingBudget  *int
	ThinkingLevel   string
	IncludeThoughts *bool
}

// UnmarshalJSON reads either spelling of each field.
func (t *ThinkingConfig) UnmarshalJSON(b []byte) error {
	var raw struct {
		Budget1  *int   `json:"thinking_budget"`
		Budget2  *int   `json:"thinkingBudget"`
		Level1   string `json:"thinking_level"`
		Level2   string `json:"thinkingLevel"`
		Include1 *bool  `json:"include_thoughts"`
		Include2 *bool  `json:"includeThoughts"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	t.ThinkingBudget = firstNonNil(raw.Budget1, raw.Budget2)
	t.IncludeThoughts = firstNonNil(raw.Include1, raw.Include2)
	t.ThinkingLevel = raw.Level1
	if t.ThinkingLevel == "" {
		t.ThinkingLevel = raw.Level2
	}
	return nil
}

func firstNonNil[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// ReasoningOption is OpenRouter's "reasoning" request object.
type ReasoningOption struct {
	Effort string `json:"effort"`
}

// ResponseFormat is response_format.
type ResponseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *JSONSchema `json:"json_schema"`
}

// JSONSchema is response_format.json_schema.
type JSONSchema struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Strict      *bool           `json:"strict"`
}

// Tool is one entry of tools.
type Tool struct {
	Type     string      `json:"type"`
	Function FunctionDef `json:"function"`
}

// FunctionDef declares a function the model may call.
type FunctionDef struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      *bool           `json:"strict"`
}

// ToolChoice is tool_choice (or legacy function_call): a mode string
// ("none", "auto", "required") or an object naming functions.
type ToolChoice struct {
	Mode string // "none", "auto", "required", or "function" when Names is set
	// Names lists the functions the model may call; set for the object forms.
	Names []string
	// AllowedMode is allowed_tools.mode ("auto" or "required") for the
	// allowed_tools object form.
	AllowedMode string
}

// UnmarshalJSON accepts a string, {"type":"function","function":{"name"}},
// {"name"} (legacy function_call) and {"type":"allowed_tools",...}.
func (c *ToolChoice) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &c.Mode)
	}
	var obj struct {
		Type     string `json:"type"`
		Name     string `json:"name"`
		Function *struct {
			Name string `json:"name"`
		} `json:"function"`
		AllowedTools *struct {
			Mode  string `json:"mode"`
			Tools []struct {
				Function struct {
					Name string `json:"name"`
				} `json:"function"`
			} `json:"tools"`
		} `json:"allowed_tools"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	switch {
	case obj.AllowedTools != nil:
		c.Mode = "allowed_tools"
		c.AllowedMode = obj.AllowedTools.Mode
		for _, t := range obj.AllowedTools.Tools {
			c.Names = append(c.Names, t.Function.Name)
		}
	case obj.Function != nil:
		c.Mode = "function"
		c.Names = []string{obj.Function.Name}
	case obj.Name != "":
		c.Mode = "function"
		c.Names = []string{obj.Name}
	default:
		c.Mode = obj.Type
	}
	return nil
}

// Stop is "stop": a string, an array of strings, or null.
type Stop []string

// UnmarshalJSON accepts a bare string as a one-element list.
func (s *Stop) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = Stop{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}
