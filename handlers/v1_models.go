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

// handleModels lists models in OpenAI's shape, or in Gemini's when the
// credential came the Gemini way (x-goog-api-key or ?key=): Google's SDKs
// call GET /v1/models when set to API version v1.
func handleModels(c Catalog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, via := clientToken(r); via.gemini() {
			writeNativeModelList(w, r, c)
			return
		}
		list := openai.ModelList{Object: "list", Data: []openai.Model{}}
		for _, m := range servedModels(c) {
			list.Data = append(list.Data, toOpenAIModel(m))
		}
		writeJSON(w, http.StatusOK, list)
	})
}

func handleModel(c Catalog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, via := clientToken(r); via.gemini() {
			writeNativeModel(w, c, r.PathValue("id"))
			return
		}
		id := strings.TrimPrefix(r.PathValue("id"), "models/")
		m, ok := c.Lookup(id)
		if !ok || !m.Supports("generateContent") && !m.Supports("embedContent") {
			writeAPIError(w, apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "model_not_found",
				Param: "model", Message: "The model '" + id + "' does not exist"})
			return
		}
		writeJSON(w, http.StatusOK, toOpenAIModel(m))
	})
}
