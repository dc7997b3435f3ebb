package handlers

import "net/http"

// addNativeRoutes registers Gemini's own API (/v1beta/…) and
// /v1/embeddings.
func addNativeRoutes(mux *http.ServeMux, d *Deps) {}
