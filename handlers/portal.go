package handlers

import "net/http"

// PortalDeps is what the portal needs beyond the API's Deps.
type PortalDeps struct{}

// addPortalRoutes registers the portal's pages.
func addPortalRoutes(mux *http.ServeMux, d *Deps) {}
