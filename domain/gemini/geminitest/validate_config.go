package geminitest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var funcNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$`)

// checkTools validates function declarations, their schemas and tool mixes.
func checkTools(r map[string]any, model string, at func(string) string) *apiError {
	seen := map[string]bool{}
	hasFuncs, hasBuiltin := false, false
	for i, t := range list(r["tools"]) {
		t := obj(t)
		if t["googleSearch"] != nil || t["codeExecution"] != nil || t["googleSearchRetrieval"] != nil {
			hasBuiltin = true
		}
		for j, d := range list(t["functionDeclarations"]) {
			d := obj(d)
			hasFuncs = true
			p := fmt.Sprintf("tools[%d].function_declarations[%d]", i, j)
			name, _ := d["name"].(string)
			if !funcNameRE.MatchString(name) {
				return plain("%s.name: Invalid function name. Must start with a letter or an underscore. Must be a-z, A-Z, 0-9, or contain underscores, dots, colons and dashes, with a maximum length of 128.", at(p))
			}
			if seen[name] {
				return plain("%s.name: Duplicate function declaration found: %s", at(p), name)
			}
			seen[name] = true
			if d["parameters"] != nil && d["parametersJsonSchema"] != nil {
				return plain("%s: parameters and parameters_json_schema cannot both be set.", at(p))
			}
			if d["response"] != nil && d["responseJsonSchema"] != nil {
				return plain("%s: response and response_json_schema cannot both be set.", at(p))
			}
			for _, f := range []string{"parameters", "response"} {
				if sch, ok := d[f].(map[string]any); ok {
					if err := checkSchema(sch, at(p+"."+f)); err != nil {
						return err
					}
				}
			}
		}
	}
	if hasFuncs && hasBuiltin && !strings.HasPrefix(model, "gemini-3") {
		return plain("Tool use with function calling is unsupported")
	}
	if fcc := obj(obj(r["toolConfig"])["functionCallingConfig"]); fcc != nil {
		mode, _ := fcc["mode"].(string)
		if len(list(fcc["allowedFunctionNames"])) > 0 && mode != "ANY" && mode != "VALIDATED" {
			return plain("%s: Function calling config allowed_function_names should only be set when the mode is ANY.", at("tool_config.function_calling_config.allowed_function_names"))
		}
	}
	return nil
}

// geminiCategories are the harm categories Gemini models take; the enum's
// PaLM-era values parse but are refused.
var geminiCategories = []string{"HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_SEXUALLY_EXPLICIT",
	"HARM_CATEGORY_DANGEROUS_CONTENT", "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_CIVIC_INTEGRITY"}

func checkSafety(r map[string]any, at func(string) string) *apiError {
	for i, s := range list(r["safetySettings"]) {
		if c, _ := obj(s)["category"].(string); !slices.Contains(geminiCategories, c) {
			return plain("%s: element predicate failed: $.category in (HarmCategory.%s)", at(fmt.Sprintf("safety_settings[%d]", i)),
				strings.Join(geminiCategories, ", HarmCategory."))
		}
	}
	return nil
}

var mimeTypes = []string{"text/plain", "application/json", "application/xml", "application/yaml", "text/x.enum"}

// checkConfig validates generationConfig against the model.
func checkConfig(r map[string]any, model string, at func(string) string) *apiError {
	gc := obj(r["generationConfig"])
	if gc == nil {
		return nil
	}
	gen3 := strings.HasPrefix(model, "gemini-3")
	num := func(f string) (float64, bool) { n, ok := gc[f].(float64); return n, ok }
	if n := len(list(gc["stopSequences"])); n > 5 {
		return plain("%s: the number of stop_sequences must not exceed 5, got %d.", at("generation_config.stop_sequences"), n)
	}
	if t, ok := num("temperature"); ok && (t < 0 || t > 2) {
		return plain("%s: temperature must be in the range [0.0, 2.0].", at("generation_config.temperature"))
	}
	if p, ok := num("topP"); ok && (p < 0 || p > 1) {
		return plain("%s: top_p must be in the range [0.0, 1.0].", at("generation_config.top_p"))
	}
	if n, ok := num("candidateCount"); ok && n > 1 && gen3 {
		return plain("Only one candidate can be specified")
	}
	if n, ok := num("logprobs"); ok {
		if gc["responseLogprobs"] != true {
			return plain("%s: logprobs can only be set when response_logprobs is true.", at("generation_config.logprobs"))
		}
		if n < 0 || n > 20 {
			return plain("%s: logprobs must be in the range [0, 20].", at("generation_config.logprobs"))
		}
	}
	mime, _ := gc["responseMimeType"].(string)
	if mime != "" && !slices.Contains(mimeTypes, mime) {
		return plain("%s: allowed mimetypes are `text/plain`, `application/json`, `application/xml`, `application/yaml` and `text/x.enum`.", at("generation_config.response_mime_type"))
	}
	if gc["responseSchema"] != nil && gc["responseJsonSchema"] != nil {
		return plain("%s: response_schema and response_json_schema cannot both be set.", at("generation_config"))
	}
	if sch, ok := gc["responseSchema"].(map[string]any); ok {
		if mime != "application/json" && mime != "text/x.enum" {
			return plain("%s: response_mime_type must be one of application/json, text/x.enum when response_schema is set.", at("generation_config.response_schema"))
		}
		if err := checkSchema(sch, at("generation_config.response_schema")); err != nil {
			return err
		}
	}
	if gc["responseJsonSchema"] != nil && mime != "application/json" {
		return plain("%s: response_mime_type must be application/json when response_json_schema is set.", at("generation_config.response_json_schema"))
	}
	if mime == "application/json" && !gen3 && hasFunctions(r) {
		return plain("Function calling with a response mime type: 'application/json' is unsupported")
	}
	tc := obj(gc["thinkingConfig"])
	if tc == nil {
		return nil
	}
	_, hasBudget := tc["thinkingBudget"]
	_, hasLevel := tc["thinkingLevel"]
	switch {
	case hasBudget && hasLevel:
		return plain("%s: thinking_budget and thinking_level cannot both be set.", at("generation_config.thinking_config"))
	case hasLevel && !gen3 && !strings.HasSuffix(model, "-latest"):
		return plain("Thinking level is not supported for this model.")
	case hasBudget && tc["thinkingBudget"] == 0.0 && strings.HasPrefix(model, "gemini-2.5-pro"):
		return plain("Budget 0 is invalid. This model only works in thinking mode.")
	}
	if lvl, _ := tc["thinkingLevel"].(string); lvl != "" && thinkingLevels[model] != nil && !slices.Contains(thinkingLevels[model], lvl) {
		return plain("%s: thinking level %s is not supported by %s.", at("generation_config.thinking_config.thinking_level"), lvl, model)
	}
	return nil
}

// thinkingLevels lists the levels of models that do not take all four
// (spec G.1); the others take any.
var thinkingLevels = map[string][]string{
	"gemini-3.1-pro-preview": {"LOW", "MEDIUM", "HIGH"},
	"gemini-3.8-flash":       {"LOW", "MEDIUM", "HIGH"},
}

func hasFunctions(r map[string]any) bool {
	for _, t := range list(r["tools"]) {
		if len(list(obj(t)["functionDeclarations"])) > 0 {
			return true
		}
	}
	return false
}
