package gemini

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/openai"
)

// maxStopSequences is Gemini's limit; more is a 400, and clients such as
// SillyTavern send more, so the first ones are kept.
const maxStopSequences = 5

// generationConfig maps the sampling fields the client sent, and only
// those: Gemini's defaults are better than OpenAI's for unset fields (Gemini
// 3 wants temperature 1.0). It returns nil when nothing is set.
func generationConfig(req *openai.ChatRequest, opts ConvertOptions, gen int) (*GenerationConfig, bool, error) {
	for _, m := range req.Modalities {
		if strings.EqualFold(m, "audio") {
			return nil, false, domain.Invalid("modalities", "audio output is not supported")
		}
	}
	c := &GenerationConfig{}
	if t := req.Temperature; t != nil {
		if *t < 0 || *t > 2 {
			return nil, false, domain.Invalid("temperature", "temperature must be between 0 and 2")
		}
		c.Temperature = valuePtr(*t)
	}
	if p := req.TopP; p != nil {
		if *p < 0 || *p > 1 {
			return nil, false, domain.Invalid("top_p", "top_p must be between 0 and 1")
		}
		c.TopP = valuePtr(*p)
	}
	if k := req.TopK; k != nil && *k > 0 {
		c.TopK = valuePtr(*k)
	}
	// Gemini 3 models answer candidateCount > 1 with "Only one candidate can
	// be specified": degrade to one answer rather than fail the request.
	if n := req.N; n != nil && *n > 1 && gen < 30 {
		c.CandidateCount = valuePtr(*n)
	}
	for _, s := range req.Stop {
		if s != "" && len(c.StopSequences) < maxStopSequences {
			c.StopSequences = append(c.StopSequences, s)
		}
	}
	if n := maxTokens(req); n > 0 {
		if opts.MaxOutputTokens > 0 && n > opts.MaxOutputTokens {
			n = opts.MaxOutputTokens
		}
		c.MaxOutputTokens = &n
	}
	if p := req.PresencePenalty; opts.KeepPenalties && p != nil && *p != 0 {
		c.PresencePenalty = valuePtr(*p)
	}
	if p := req.FrequencyPenalty; opts.KeepPenalties && p != nil && *p != 0 {
		c.FrequencyPenalty = valuePtr(*p)
	}
	if s := req.Seed; s != nil {
		// Gemini's seed is int32; wrapping keeps a fixed seed deterministic.
		c.Seed = valuePtr(int64(int32(*s)))
	}
	if l := req.Logprobs; l != nil && *l {
		c.ResponseLogprobs = valuePtr(true)
		if n := req.TopLogprobs; n != nil {
			c.Logprobs = valuePtr(min(max(*n, 0), 20))
		}
	}
	if err := responseFormat(c, req.ResponseFormat, gen); err != nil {
		return nil, false, err
	}
	tc, include, err := thinkingConfig(req, opts.Model, gen)
	if err != nil {
		return nil, false, err
	}
	c.ThinkingConfig = tc
	if configEmpty(c) {
		return nil, include, nil
	}
	return c, include, nil
}

// maxTokens picks max_completion_tokens over the deprecated max_tokens;
// zero or negative values read as unset.
func maxTokens(req *openai.ChatRequest) int {
	if n := req.MaxCompletionTokens; n != nil && *n > 0 {
		return *n
	}
	if n := req.MaxTokens; n != nil && *n > 0 {
		return *n
	}
	return 0
}

// responseFormat maps response_format (spec D.6). The JSON Schema goes as
// responseJsonSchema on 2.5 and later, and cleaned as responseSchema
// before; name, description and strict have no Gemini field.
func responseFormat(c *GenerationConfig, rf *openai.ResponseFormat, gen int) error {
	if rf == nil {
		return nil
	}
	switch rf.Type {
	case "", "text":
		return nil
	case "json_object", "json_schema":
		c.ResponseMimeType = "application/json"
	default:
		return domain.Invalid("response_format.type", "unsupported response_format type "+strconv.Quote(rf.Type)+"; use text, json_object or json_schema")
	}
	if rf.Type != "json_schema" || rf.JSONSchema == nil {
		return nil
	}
	s := bytes.TrimSpace(rf.JSONSchema.Schema)
	if len(s) == 0 || string(s) == "null" {
		return nil
	}
	var err error
	if gen >= 25 {
		c.ResponseJSONSchema, err = jsonSchema(s)
	} else {
		c.ResponseSchema, err = cleanSchema(s)
	}
	if err != nil {
		return domain.Invalid("response_format.json_schema.schema", err.Error())
	}
	return nil
}

func configEmpty(c *GenerationConfig) bool {
	return c.Temperature == nil && c.TopP == nil && c.TopK == nil && c.CandidateCount == nil &&
		c.MaxOutputTokens == nil && len(c.StopSequences) == 0 && c.PresencePenalty == nil &&
		c.FrequencyPenalty == nil && c.Seed == nil && c.ResponseMimeType == "" &&
		c.ResponseSchema == nil && c.ResponseJSONSchema == nil && c.ResponseLogprobs == nil &&
		c.Logprobs == nil && c.ThinkingConfig == nil
}

func valuePtr[T any](v T) *T { return &v }
