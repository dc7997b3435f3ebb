package geminitest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// DefaultModels is the fake's model list: chat models of several
// generations (thinking budgets, thinking levels, signature enforcement on
// gemini-3*), a moving alias, an embedding model and models that are not for
// chat (Imagen's predict, AQA), so that list filtering can be tested.
func DefaultModels() []map[string]any {
	chat := []string{"generateContent", "countTokens", "createCachedContent", "batchGenerateContent"}
	m := func(id, version, display string, out int, thinking bool) map[string]any {
		x := map[string]any{"name": "models/" + id, "version": version, "displayName": display,
			"description": display + " (fake)", "inputTokenLimit": 1048576, "outputTokenLimit": out,
			"supportedGenerationMethods": chat, "temperature": 1, "topP": 0.95, "topK": 64, "maxTemperature": 2}
		if thinking {
			x["thinking"] = true
		}
		return x
	}
	return []map[string]any{
		m("gemini-2.5-flash", "001", "Gemini 2.5 Flash", 65536, true),
		m("gemini-2.5-pro", "2.5", "Gemini 2.5 Pro", 65536, true),
		m("gemini-2.5-flash-lite", "001", "Gemini 2.5 Flash-Lite", 65536, true),
		m("gemini-2.0-flash", "2.0", "Gemini 2.0 Flash", 8192, false),
		m("gemini-3-flash-preview", "3-flash-preview-12-2025", "Gemini 3 Flash Preview", 65536, true),
		m("gemini-3.1-pro-preview", "3.1-pro-preview-02-2026", "Gemini 3.1 Pro Preview", 65536, true),
		m("gemini-3.1-flash-lite", "3.1-flash-lite-05-2026", "Gemini 3.1 Flash-Lite", 65536, true),
		m("gemini-3.5-flash", "3.5-flash-05-2026", "Gemini 3.5 Flash", 65536, true),
		m("gemini-3.8-flash", "3.8-flash-09-2026", "Gemini 3.8 Flash", 65536, true),
		m("gemini-flash-latest", "Gemini Flash Latest", "Gemini Flash Latest", 65536, true),
		{"name": "models/gemini-embedding-001", "version": "001", "displayName": "Gemini Embedding 001",
			"description": "Obtain a distributed representation of a text.", "inputTokenLimit": 2048,
			"outputTokenLimit": 1, "supportedGenerationMethods": []string{"embedContent"}},
		{"name": "models/imagen-4.0-generate-001", "version": "001", "displayName": "Imagen 4",
			"inputTokenLimit": 480, "outputTokenLimit": 8192, "supportedGenerationMethods": []string{"predict"}},
		{"name": "models/aqa", "version": "001", "displayName": "Model that performs Attributed Question Answering.",
			"inputTokenLimit": 7168, "outputTokenLimit": 1024, "supportedGenerationMethods": []string{"generateAnswer"}},
	}
}

// model finds id in the list; a model with a responder is known even when
// it is not listed (as a chat model).
func (s *Server) model(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.models {
		if m["name"] == "models/"+id {
			return m, true
		}
	}
	if _, ok := s.responders[id]; ok {
		return map[string]any{"name": "models/" + id, "inputTokenLimit": 1048576, "outputTokenLimit": 65536,
			"supportedGenerationMethods": []string{actGenerate, actCount}}, true
	}
	return nil, false
}

// supports reports whether model serves action, from its
// supportedGenerationMethods (streaming is never listed: every
// generateContent model streams).
func supports(model map[string]any, action string) bool {
	var methods []string
	switch v := model["supportedGenerationMethods"].(type) {
	case []string:
		methods = v
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				methods = append(methods, s)
			}
		}
	}
	switch action {
	case actGenerate, actStream:
		return slices.Contains(methods, actGenerate)
	case actCount:
		return slices.Contains(methods, actCount) || slices.Contains(methods, actGenerate)
	case actEmbed, actBatch:
		return slices.Contains(methods, actEmbed)
	}
	return false
}

// modelInt reads an int field of a model resource (0 if absent).
func modelInt(model map[string]any, field string) int {
	switch v := model[field].(type) {
	case int:
		return v
	case float64:
		return int(v)
	}
	return 0
}

func (s *Server) listModels(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size := 50
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.writeError(w, plain("Invalid value at 'page_size' (TYPE_INT32), %q", v))
			return
		}
		if n > 0 {
			size = min(n, 1000)
		}
	}
	start := 0
	if tok := q.Get("pageToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || err2 != nil || n < 0 {
			s.writeError(w, plain("Invalid page token."))
			return
		}
		start = n
	}
	s.mu.Lock()
	all := s.models
	s.mu.Unlock()
	start = min(start, len(all))
	end := min(start+size, len(all))
	page := map[string]any{"models": all[start:end]}
	if end < len(all) {
		page["nextPageToken"] = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	writeJSON(w, page)
}

func (s *Server) getModel(w http.ResponseWriter, id string) {
	m, ok := s.model(id)
	if !ok {
		s.writeError(w, &apiError{code: 404, status: "NOT_FOUND", message: "models/" + id + " is not found for API version v1beta, or is not supported for get. Call ListModels to see the list of available models and their supported methods."})
		return
	}
	writeJSON(w, m)
}

// writeJSON answers 200 with v pretty-printed, as Google's unary answers are.
func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = w.Write(append(b, '\n'))
}
