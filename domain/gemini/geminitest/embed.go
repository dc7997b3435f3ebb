package geminitest

import (
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
)

// defaultDimensions is gemini-embedding-001's output size without
// outputDimensionality.
const defaultDimensions = 3072

func checkCount(r map[string]any, model string) *apiError {
	_, hasContents := r["contents"]
	gcr, hasGCR := r["generateContentRequest"].(map[string]any)
	switch {
	case hasContents && hasGCR:
		return plain("* CountTokensRequest: contents and generate_content_request cannot both be set.")
	case hasGCR:
		if gcr["model"] != "models/"+model {
			return plain("* CountTokensRequest.generate_content_request.model: unexpected model name format; want \"models/%s\".", model)
		}
		return checkGenerate(gcr, model, "CountTokensRequest", "generate_content_request")
	}
	return checkGenerate(r, model, "CountTokensRequest", "")
}

func checkEmbed(r map[string]any, model, msg, path string) *apiError {
	at := "* " + msg + "." + path
	c, ok := r["content"].(map[string]any)
	if !ok {
		return plain("%scontent: content is not specified", at)
	}
	if err := checkParts(c, at+"content"); err != nil {
		return err
	}
	if m, ok := r["model"].(string); ok && m != "models/"+model {
		return plain("%smodel: the model in the request (%s) must match the model in the URL (models/%s).", at, m, model)
	}
	if d, ok := r["outputDimensionality"].(float64); ok && (d < 1 || d > defaultDimensions) {
		return plain("%soutput_dimensionality: must be between 1 and %d.", at, defaultDimensions)
	}
	return nil
}

func checkBatch(r map[string]any, model string) *apiError {
	reqs := list(r["requests"])
	switch {
	case len(reqs) == 0:
		return plain("* BatchEmbedContentsRequest.requests: requests is not specified")
	case len(reqs) > 100:
		return plain("* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch")
	}
	for i, q := range reqs {
		q := obj(q)
		if _, ok := q["model"]; !ok {
			return plain("* BatchEmbedContentsRequest.requests[%d].model: model is not specified", i)
		}
		if err := checkEmbed(q, model, "BatchEmbedContentsRequest", fmt.Sprintf("requests[%d].", i)); err != nil {
			return err
		}
	}
	return nil
}

// countTokens answers with about one token per four characters of text.
func (s *Server) countTokens(w http.ResponseWriter, req Request) {
	n := estimateTokens(req.norm)
	out := map[string]any{"promptTokensDetails": []any{map[string]any{"modality": "TEXT", "tokenCount": n}}}
	if n > 0 { // Google leaves zero counts out
		out["totalTokens"] = n
	}
	writeJSON(w, out)
}

// embed answers embedContent and batchEmbedContents with deterministic
// vectors: the same text always gives the same vector, unit length only at
// the full 3072 dimensions (as gemini-embedding-001's truncated outputs).
func (s *Server) embed(w http.ResponseWriter, req Request) {
	if req.Action == actEmbed {
		writeJSON(w, map[string]any{"embedding": map[string]any{"values": vector(req.norm)}})
		return
	}
	var out []any
	for _, q := range list(req.norm["requests"]) {
		out = append(out, map[string]any{"values": vector(obj(q))})
	}
	writeJSON(w, map[string]any{"embeddings": out})
}

func vector(r map[string]any) []float32 {
	dim := defaultDimensions
	if d, ok := r["outputDimensionality"].(float64); ok {
		dim = int(d)
	}
	h := fnv.New64a()
	for _, p := range list(obj(r["content"])["parts"]) {
		t, _ := obj(p)["text"].(string)
		h.Write([]byte(t))
	}
	x := h.Sum64()
	full := make([]float64, defaultDimensions)
	norm := 0.0
	for i := range full {
		x += 0x9e3779b97f4a7c15 // splitmix64: cheap, deterministic, well spread
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
		full[i] = float64(z)/float64(math.MaxUint64)*2 - 1
		norm += full[i] * full[i]
	}
	norm = math.Sqrt(norm)
	out := make([]float32, dim)
	for i := range out {
		out[i] = float32(full[i] / norm)
	}
	return out
}

// estimateTokens counts about one token per four characters of every
// "text" in a body.
func estimateTokens(v any) int {
	chars := 0
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "text" {
					chars += len([]rune(s))
				} else {
					walk(e)
				}
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return (chars + 3) / 4
}
