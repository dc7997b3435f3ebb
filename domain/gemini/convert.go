package gemini

import (
	"strings"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/openai"
)

// ConvertOptions configure ConvertRequest.
type ConvertOptions struct {
	// Model is the bare upstream model id, already validated by ModelID. Its
	// Generation picks the schema form, the thinking controls and whether a
	// placeholder thought signature is needed.
	Model string
	// SafetyThreshold is sent for the five harm categories: "BLOCK_NONE"
	// (the default when empty) or "OFF".
	SafetyThreshold string
	// MaxOutputTokens is the model's outputTokenLimit if known (0 = unknown);
	// the client's max tokens are clamped to it.
	MaxOutputTokens int
	// KeepPenalties sends non-zero presence/frequency penalties. Off by
	// default because many models answer them with 400.
	KeepPenalties bool
	// Media holds remote http(s) images already downloaded by the caller
	// (see RemoteMediaURLs), keyed by the exact URL string.
	Media map[string]Blob
	// Signature recovers the thought signature this proxy saw for a tool
	// call id it issued. It may be nil.
	Signature func(toolCallID string) (string, bool)
}

// Converted is the result of ConvertRequest.
type Converted struct {
	Request *GenerateContentRequest
	// IncludeThoughts says thought summaries were requested and are to be
	// shown to the client as reasoning_content.
	IncludeThoughts bool
	// ToolNames maps functions renamed for Gemini back to the client's
	// names; pass it on in ResponseOptions.
	ToolNames map[string]string
}

// safetyCategories are the categories Gemini models accept; the PaLM-era
// and Vertex-only ones are 400s.
var safetyCategories = [...]string{
	"HARM_CATEGORY_HARASSMENT",
	"HARM_CATEGORY_HATE_SPEECH",
	"HARM_CATEGORY_SEXUALLY_EXPLICIT",
	"HARM_CATEGORY_DANGEROUS_CONTENT",
	"HARM_CATEGORY_CIVIC_INTEGRITY",
}

// ConvertRequest builds the Gemini request for an OpenAI chat request (spec
// D.1–D.6, D.10). The body is built from a whitelist, since Gemini rejects
// unknown fields. Client mistakes come back as *domain.FieldError naming
// the JSON path of the offending field.
func ConvertRequest(req *openai.ChatRequest, opts ConvertOptions) (*Converted, error) {
	if req == nil {
		return nil, domain.Invalid("", "request body is required")
	}
	gen := Generation(opts.Model)
	contents, system, err := convertMessages(req.Messages, opts, gen)
	if err != nil {
		return nil, err
	}
	tools, toolConfig, err := convertTools(req, gen)
	if err != nil {
		return nil, err
	}
	cfg, include, err := generationConfig(req, opts, gen)
	if err != nil {
		return nil, err
	}
	if gen < 30 && len(tools) > 0 && len(tools[0].FunctionDeclarations) > 0 && cfg != nil && cfg.ResponseMimeType != "" {
		// 2.x answers "Function calling with a response mime type:
		// 'application/json' is unsupported" (spec D.6): the tools win,
		// because an agent loop cannot work without them.
		cfg.ResponseMimeType, cfg.ResponseSchema, cfg.ResponseJSONSchema = "", nil, nil
		if configEmpty(cfg) {
			cfg = nil
		}
	}
	if strings.HasPrefix(opts.Model, "gemma-") && system != nil {
		// Gemma on the Gemini API refuses systemInstruction ("Developer
		// instruction is not enabled"): the text goes in front of the first
		// user turn instead.
		contents = inlineSystem(contents, system)
		system = nil
	}
	threshold := opts.SafetyThreshold
	if threshold == "" {
		threshold = "BLOCK_NONE"
	}
	safety := make([]SafetySetting, len(safetyCategories))
	for i, c := range safetyCategories {
		safety[i] = SafetySetting{Category: c, Threshold: threshold}
	}
	out := &Converted{
		Request: &GenerateContentRequest{
			Contents:          contents,
			SystemInstruction: system,
			Tools:             tools,
			ToolConfig:        toolConfig,
			SafetySettings:    safety,
			GenerationConfig:  cfg,
		},
		IncludeThoughts: include,
	}
	out.ToolNames = renameTools(out.Request)
	return out, nil
}

// inlineSystem puts the system text at the start of the first user turn.
func inlineSystem(contents []Content, system *Content) []Content {
	for i := range contents {
		if contents[i].Role == "user" {
			parts := append(append([]Part{}, system.Parts...), contents[i].Parts...)
			out := append([]Content{}, contents...)
			out[i] = Content{Role: "user", Parts: parts}
			return out
		}
	}
	return append([]Content{{Role: "user", Parts: system.Parts}}, contents...)
}
