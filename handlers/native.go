package handlers

import (
	"context"
	"io"
	"net/http"

	"github.com/hagemi/hagemi/domain/gemini"
)

// Forwarder passes a native Gemini request through with a pooled key;
// *gemini.Client implements it.
type Forwarder interface {
	Forward(ctx context.Context, key, method, pathAndQuery string, body io.Reader, hdr http.Header) (*http.Response, error)
}

// Embedder calls Gemini's embedding methods; *gemini.Client implements it.
type Embedder interface {
	EmbedContent(ctx context.Context, key, model string, req *gemini.EmbedContentRequest) (*gemini.EmbedContentResponse, error)
	BatchEmbedContents(ctx context.Context, key, model string, req *gemini.BatchEmbedContentsRequest) (*gemini.BatchEmbedContentsResponse, error)
}

// addNativeRoutes registers Gemini's own API (/v1beta/…, and the methods
// under Google's /v1 prefix, which the JS genai SDK uses by default) and
// /v1/embeddings. GET /v1/models is the shared OpenAI route: it answers in
// Gemini's shape when the credential came the Gemini way.
//
// The upstream client is found on d.Upstream: the real *gemini.Client
// serves every interface here, and a chat-only stand-in leaves these
// routes answering 501.
func addNativeRoutes(mux *http.ServeMux, d *Deps) {
	fwd, _ := d.Upstream.(Forwarder)
	emb, _ := d.Upstream.(Embedder)
	native := func(h http.Handler) http.Handler {
		return cors(requireCredentialAs(d, writeGeminiError, h))
	}
	call := native(limitByIPAs(d, writeGeminiError, handleNative(d, fwd)))

	mux.Handle("GET /v1beta/models", native(handleNativeModels(d.Catalog)))
	mux.Handle("GET /v1beta/models/{model}", native(handleNativeModel(d.Catalog)))
	// ServeMux cannot split "{model}:{action}" within one segment, so the
	// handler splits the segment on its last ':'.
	mux.Handle("POST /v1beta/models/{rest}", call)
	mux.Handle("POST /v1/models/{rest}", call)
	mux.Handle("OPTIONS /v1beta/{path...}", cors(http.HandlerFunc(preflight)))

	embeddings := v1Chain(d, limitByIP(d, handleEmbeddings(d, emb)))
	mux.Handle("POST /v1/embeddings", embeddings)
	mux.Handle("POST /embeddings", embeddings)
	mux.Handle("OPTIONS /embeddings", cors(http.HandlerFunc(preflight)))
}

// nativeActions are the model methods served natively, with the method a
// model must list in supportedGenerationMethods for each (Google never
// lists streaming, and lists embedContent for batches too).
var nativeActions = map[string]string{
	"generateContent":       "generateContent",
	"streamGenerateContent": "generateContent",
	"countTokens":           "countTokens",
	"embedContent":          "embedContent",
	"batchEmbedContents":    "embedContent",
}

// supportsNative reports whether model serves action; countTokens works on
// every model that generates.
func supportsNative(m gemini.Model, action string) bool {
	method := nativeActions[action]
	return m.Supports(method) || method == "countTokens" && m.Supports("generateContent")
}
