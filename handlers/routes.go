package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// addRoutes lists every route. /v1 uses bearer credentials, never sessions.
// Clients that append paths to a base URL typed without /v1 get the same
// API at the root.
func addRoutes(mux *http.ServeMux, d *Deps) {
	mux.HandleFunc("GET /healthz", d.handleHealth)
	if d.Metrics != nil {
		mux.Handle("GET /metrics", handleMetrics(d.Metrics, d.MetricsToken))
	}

	for _, prefix := range []string{"/v1", ""} {
		api := func(h http.Handler) http.Handler { return v1Chain(d, h) }
		mux.Handle("GET "+prefix+"/models", api(handleModels(d.Catalog)))
		mux.Handle("GET "+prefix+"/models/{id...}", api(handleModel(d.Catalog)))
		mux.Handle("POST "+prefix+"/chat/completions", api(limitByIP(d, handleChat(d))))
		mux.Handle("OPTIONS "+prefix+"/models/", cors(http.HandlerFunc(preflight)))
		mux.Handle("OPTIONS "+prefix+"/chat/completions", cors(http.HandlerFunc(preflight)))
	}
	mux.Handle("OPTIONS /v1/{path...}", cors(http.HandlerFunc(preflight)))
	addNativeRoutes(mux, d)
	mux.Handle("/v1/{path...}", cors(http.HandlerFunc(handleV1NotFound)))
	// Legacy completions, asked for by clients given a base URL without /v1
	// (Continue): an OpenAI-shaped answer, never the portal's HTML page.
	mux.Handle("POST /completions", cors(http.HandlerFunc(handleV1NotFound)))
	mux.Handle("POST /fim/completions", cors(http.HandlerFunc(handleV1NotFound)))
	if d.Portal != nil {
		addPortalRoutes(mux, d)
	}
}

// v1Chain wraps a /v1 handler: CORS, then the credential check.
func v1Chain(d *Deps, h http.Handler) http.Handler {
	return cors(requireCredential(d, h))
}

// handleHealth answers 200 while every required backend answers, else
// 503, so a load balancer takes a replica that lost its database out of
// rotation. Errors are summarized: /healthz is public.
func (d *Deps) handleHealth(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{"status": "ok"}
	status := http.StatusOK
	if len(d.Health) > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		backends := map[string]string{}
		for name, h := range d.Health {
			backends[name] = "ok"
			if err := h.Check(ctx); err != nil {
				backends[name], body["status"] = "unavailable", "degraded"
				d.Log.Warn("health check failed", "backend", name, "err", err)
				if !h.Optional {
					status = http.StatusServiceUnavailable
				}
			}
		}
		body["backends"] = backends
	}
	if d.Replica != "" {
		body["replica"] = d.Replica
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func handleV1NotFound(w http.ResponseWriter, r *http.Request) {
	writeAPIError(w, apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "unknown_url",
		Message: "Unknown endpoint " + r.Method + " " + r.URL.Path + "; this gateway serves /v1/chat/completions, /v1/embeddings and /v1/models."})
}
