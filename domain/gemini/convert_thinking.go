package gemini

import (
	"strings"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/openai"
)

// thinkingConfig maps the client's reasoning controls (spec D.5). An
// explicit Google thinking_config (extra_body.google, then google) wins over
// reasoning_effort, which wins over OpenRouter's reasoning.effort.
//
// Thoughts are included when the client says include_thoughts, and
// otherwise whenever a reasoning effort other than "none" mapped to a
// thinking setting: asking for effort means wanting to see it.
// auto and unknown efforts leave the model's default (dynamic) thinking.
func thinkingConfig(req *openai.ChatRequest, model string, gen int) (*ThinkingConfig, bool, error) {
	effort := req.ReasoningEffort
	if effort == "" && req.Reasoning != nil {
		effort = req.Reasoning.Effort
	}
	effort = strings.ToLower(strings.TrimSpace(effort))
	tc := effortConfig(effort, strings.ToLower(model), gen)
	include := tc != nil && effort != "none"

	explicit, path := googleThinking(req)
	if explicit != nil {
		tc = &ThinkingConfig{}
		level := strings.ToUpper(strings.TrimSpace(explicit.ThinkingLevel))
		// Budget and level together are a 400: Gemini 3 prefers the level,
		// older models only know the budget.
		switch {
		case level != "" && (explicit.ThinkingBudget == nil || gen >= 30):
			if level != "MINIMAL" && level != "LOW" && level != "MEDIUM" && level != "HIGH" {
				return nil, false, domain.Invalid(path+".thinking_level", "thinking_level must be minimal, low, medium or high")
			}
			tc.ThinkingLevel = level
		case explicit.ThinkingBudget != nil:
			tc.ThinkingBudget = valuePtr(*explicit.ThinkingBudget)
		}
		if explicit.IncludeThoughts != nil {
			include = *explicit.IncludeThoughts
		}
	}
	if tc == nil && include {
		tc = &ThinkingConfig{}
	}
	if tc == nil {
		return nil, false, nil
	}
	tc.IncludeThoughts = include
	if tc.ThinkingBudget == nil && tc.ThinkingLevel == "" && !include {
		return nil, false, nil
	}
	return tc, include, nil
}

// googleThinking finds Google's compat-layer thinking_config: sent
// literally under extra_body (Cherry Studio, openai-node) or top-level as
// openai-python's extra_body produces it.
func googleThinking(req *openai.ChatRequest) (*openai.ThinkingConfig, string) {
	if e := req.ExtraBody; e != nil && e.Google != nil && e.Google.ThinkingConfig != nil {
		return e.Google.ThinkingConfig, "extra_body.google.thinking_config"
	}
	if g := req.Google; g != nil && g.ThinkingConfig != nil {
		return g.ThinkingConfig, "google.thinking_config"
	}
	return nil, ""
}

// effortConfig maps reasoning_effort with the spec D.5 table: budgets for
// 2.5 (Google's own compat-layer values), levels for Gemini 3 and later,
// nothing for older or unknown models, which may not think at all.
func effortConfig(effort, model string, gen int) *ThinkingConfig {
	switch {
	case gen >= 30:
		if level := effortLevel(effort, model); level != "" {
			return &ThinkingConfig{ThinkingLevel: level}
		}
	case gen >= 25:
		if budget, ok := effortBudget(effort, model); ok {
			return &ThinkingConfig{ThinkingBudget: &budget}
		}
	}
	return nil
}

// effortBudget is the 2.5 column of the table: Pro cannot stop thinking
// (minimum 128) and goes to 32768; Flash and Flash-Lite stop at 0 and top
// out at 24576.
func effortBudget(effort, model string) (int, bool) {
	pro := strings.Contains(model, "pro")
	switch effort {
	case "none":
		if pro {
			return 128, true
		}
		return 0, true
	case "minimal":
		if pro {
			return 128, true
		}
		return 512, true
	case "low":
		return 1024, true
	case "medium":
		return 8192, true
	case "high":
		return 24576, true
	case "xhigh", "max":
		if pro {
			return 32768, true
		}
		return 24576, true
	}
	return 0, false
}

// effortLevel is the Gemini 3 column. An unsupported level is a 400, so
// MINIMAL goes only to the Flash models that take it (3, 3.5 and its Lite,
// 3.6, 3.7; not 3.8 nor any Pro) and MEDIUM everywhere but 3 Pro.
func effortLevel(effort, model string) string {
	minimal := !strings.Contains(model, "pro") &&
		(strings.HasPrefix(model, "gemini-3-flash") || strings.HasPrefix(model, "gemini-3.5-flash") ||
			strings.HasPrefix(model, "gemini-3.6-") || strings.HasPrefix(model, "gemini-3.7-flash"))
	switch effort {
	case "none", "minimal":
		if minimal {
			return "MINIMAL"
		}
		return "LOW"
	case "low":
		return "LOW"
	case "medium":
		if strings.HasPrefix(model, "gemini-3-pro") {
			return "HIGH"
		}
		return "MEDIUM"
	case "high", "xhigh", "max":
		return "HIGH"
	}
	return ""
}
