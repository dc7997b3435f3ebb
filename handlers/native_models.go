package handlers

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/hagemi/hagemi/domain/gemini"
)

// Paging of GET /v1beta/models, as Google does it.
const (
	defaultModelPage = 50
	maxModelPage     = 1000
)

// servedModels lists the models this gateway can serve, from the catalog:
// generation models, then embedding models. Imagen, Veo and the like are
// left out because their methods (predict, …) are not passed through.
func servedModels(c Catalog) []gemini.Model {
	out := c.Models("generateContent")
	for _, m := range c.Models("embedContent") {
		if !m.Supports("generateContent") {
			out = append(out, m)
		}
	}
	return out
}

// toNativeModel restores Google's resource name ("models/<id>"); the
// catalog keeps bare ids.
func toNativeModel(m gemini.Model) gemini.Model {
	m.Name = "models/" + m.Name
	return m
}

func handleNativeModels(c Catalog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeNativeModelList(w, r, c)
	})
}

// writeNativeModelList answers GET …/models in Gemini's shape, paged by
// pageSize and pageToken.
func writeNativeModelList(w http.ResponseWriter, r *http.Request, c Catalog) {
	q := r.URL.Query()
	size := defaultModelPage
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeGeminiError(w, apiError{Status: 400, Message: "Invalid value at 'page_size' (TYPE_INT32), \"" + v + "\""})
			return
		}
		if n > 0 {
			size = min(n, maxModelPage)
		}
	}
	start := 0
	if tok := q.Get("pageToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || err2 != nil || n < 0 {
			writeGeminiError(w, apiError{Status: 400, Message: "Invalid page token."})
			return
		}
		start = n
	}
	all := servedModels(c)
	start = min(start, len(all))
	end := min(start+size, len(all))
	page := gemini.ModelList{Models: make([]gemini.Model, 0, end-start)}
	for _, m := range all[start:end] {
		page.Models = append(page.Models, toNativeModel(m))
	}
	if end < len(all) {
		page.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	writeJSON(w, http.StatusOK, page)
}

func handleNativeModel(c Catalog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeNativeModel(w, c, r.PathValue("model"))
	})
}

// writeNativeModel answers GET …/models/{model} in Gemini's shape.
func writeNativeModel(w http.ResponseWriter, c Catalog, id string) {
	id = strings.TrimPrefix(id, "models/")
	m, ok := c.Lookup(id)
	if !ok || !m.Supports("generateContent") && !m.Supports("embedContent") {
		writeGeminiError(w, apiError{Status: http.StatusNotFound,
			Message: "models/" + id + " is not found for API version v1beta. Call ListModels to see the list of available models."})
		return
	}
	writeJSON(w, http.StatusOK, toNativeModel(m))
}
