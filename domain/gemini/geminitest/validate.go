package geminitest

import (
	"fmt"
	"strings"
)

// checkBody parses and validates a POST body for req.Action, as strictly as
// Google does, and keeps the normalized body in req.norm.
func (s *Server) checkBody(req *Request, model map[string]any, parsed any, parseErr error) *apiError {
	if len(req.Raw) == 0 {
		parsed, parseErr = map[string]any{}, nil // an empty body is an empty message
	}
	if parseErr != nil {
		return plain("Invalid JSON payload received. Unexpected token.\n%s", show(string(req.Raw)))
	}
	if _, ok := parsed.(map[string]any); !ok {
		return invalid(violation{"", `Invalid JSON payload received. Unknown name "": Root element must be a message.`})
	}
	msg := map[string]string{actGenerate: "GenerateContentRequest", actStream: "GenerateContentRequest",
		actCount: "CountTokensRequest", actEmbed: "EmbedContentRequest", actBatch: "BatchEmbedContentsRequest"}[req.Action]
	var w walker
	norm := w.message(msg, parsed, "")
	if len(w.vs) > 0 {
		return invalid(w.vs...)
	}
	req.norm = norm
	switch req.Action {
	case actCount:
		return checkCount(norm, req.Model)
	case actEmbed:
		return checkEmbed(norm, req.Model, "EmbedContentRequest", "")
	case actBatch:
		return checkBatch(norm, req.Model)
	}
	if err := checkGenerate(norm, req.Model, "GenerateContentRequest", ""); err != nil {
		return err
	}
	return checkContextLength(norm, model)
}

// checkGenerate applies Google's semantic rules to a normalized
// GenerateContentRequest; msg and path name it in error texts.
func checkGenerate(r map[string]any, model, msg, path string) *apiError {
	at := func(p string) string { return "* " + msg + "." + join(path, p) }
	contents := list(r["contents"])
	if len(contents) == 0 {
		return plain("%s: contents is not specified", at("contents"))
	}
	if si, ok := r["systemInstruction"].(map[string]any); ok {
		if err := checkParts(si, at("system_instruction")); err != nil {
			return err
		}
	}
	for i, c := range contents {
		c := obj(c)
		if role, _ := c["role"].(string); role != "" && role != "user" && role != "model" {
			return plain("Please use a valid role: user, model.")
		}
		if err := checkParts(c, at(fmt.Sprintf("contents[%d]", i))); err != nil {
			return err
		}
	}
	if err := checkTurns(contents, model); err != nil {
		return err
	}
	if err := checkTools(r, model, at); err != nil {
		return err
	}
	if err := checkSafety(r, at); err != nil {
		return err
	}
	return checkConfig(r, model, at)
}

// checkParts requires non-empty parts, each with exactly one data field
// (two were caught by the walker) and named function calls and responses.
func checkParts(c map[string]any, at string) *apiError {
	parts := list(c["parts"])
	if len(parts) == 0 {
		return plain("%s.parts: contents.parts must not be empty", at)
	}
	for j, p := range parts {
		p := obj(p)
		n := 0
		for _, f := range partData {
			if _, ok := p[f]; ok {
				n++
			}
		}
		if n == 0 {
			return plain("%s.parts[%d].data: required oneof field 'data' must have one initialized field", at, j)
		}
		for _, f := range []string{"functionCall", "functionResponse"} {
			if fc, ok := p[f].(map[string]any); ok && fc["name"] == nil {
				return plain("%s.parts[%d].%s.name: Name cannot be empty.", at, j, snake(f))
			}
		}
	}
	return nil
}

// checkTurns enforces the order of function call and response turns, and on
// gemini-3 models the thought signature on the first function call of each
// model step of the current turn.
func checkTurns(contents []any, model string) *apiError {
	lastUserText := -1
	for i, c := range contents {
		c := obj(c)
		calls, responses := count(c, "functionCall"), count(c, "functionResponse")
		role, _ := c["role"].(string)
		if role != "model" && responses == 0 {
			lastUserText = i
		}
		if calls > 0 && role == "model" {
			prevRole := ""
			if i > 0 {
				prevRole, _ = obj(contents[i-1])["role"].(string)
			}
			if i == 0 || prevRole == "model" {
				return plain("Please ensure that function call turn comes immediately after a user turn or after a function response turn.")
			}
		}
		if responses > 0 {
			if i == 0 || count(obj(contents[i-1]), "functionCall") == 0 {
				return plain("Please ensure that function response turn comes immediately after a function call turn.")
			}
			if count(obj(contents[i-1]), "functionCall") != responses {
				return plain("Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.")
			}
		}
	}
	if !strings.HasPrefix(model, "gemini-3") {
		return nil // 2.x models do not enforce signatures
	}
	for i := lastUserText + 1; i < len(contents); i++ {
		c := obj(contents[i])
		if c["role"] != "model" {
			continue
		}
		for _, p := range list(c["parts"]) {
			p := obj(p)
			fc, ok := p["functionCall"].(map[string]any)
			if !ok {
				continue
			}
			if p["thoughtSignature"] == nil {
				return plain("Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:%v` , position %d. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.", fc["name"], i+1)
			}
			break // only the first call of a step carries the signature
		}
	}
	return nil
}

// count counts the parts of c that have field f.
func count(c map[string]any, f string) int {
	n := 0
	for _, p := range list(c["parts"]) {
		if _, ok := obj(p)[f]; ok {
			n++
		}
	}
	return n
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// checkContextLength rejects prompts over the model's inputTokenLimit, by
// the fake's estimate of about four characters per token.
func checkContextLength(r map[string]any, model map[string]any) *apiError {
	limit := modelInt(model, "inputTokenLimit")
	if n := estimateTokens(r); limit > 0 && n > limit {
		return plain("The input token count (%d) exceeds the maximum number of tokens allowed (%d).", n, limit)
	}
	return nil
}
