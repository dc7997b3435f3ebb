package handlers

import (
	"net/http"
	"strings"

	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/openai"
)

// modelsCreated is the fixed "created" of every model: Gemini publishes no
// creation dates, and a constant keeps the list stable for clients that
// cache it.
const modelsCreated = 1735689600 // 2025-01-01

func toOpenAIModel(m gemini.Model) openai.Model {
	return openai.Model{ID: m.Name, Object: "model", Created: modelsCreated, OwnedBy: "google",
		ContextLength: m.InputTokenLimit, MaxCompletionTokens: m.OutputTokenLimit}
}

func handleModels(c Catalog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list := openai.ModelList{Object: "list", Data: []openai.Model{}}
		for _, m := range c.Models("generateContent") {
			list.Data = append(list.Data, toOpenAIModel(m))
		}
		writeJSON(w, http.StatusOK, list)
	})
}

func handleModel(c Catalog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.PathValue("id"), "models/")
		m, ok := c.Lookup(id)
		if !ok || !m.Supports("generateContent") {
			writeAPIError(w, apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "model_not_found",
				Param: "model", Message: "The model '" + id + "' does not exist"})
			return
		}
		writeJSON(w, http.StatusOK, toOpenAIModel(m))
	})
}
