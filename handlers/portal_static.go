package handlers

import (
	"bytes"
	"mime"
	"net/http"
	"path"
	"time"

	"github.com/hagemi/hagemi/static"
)

// handleStatic serves the embedded assets. A request carrying the asset's
// current hash (?v=, as pages link them) may be cached for a year; without
// it, browsers revalidate by ETag.
func handleStatic(pg *pages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		b, err := static.FS.ReadFile(name)
		hash := static.Hash(name)
		if err != nil || hash == "" {
			pg.fail(w, r, http.StatusNotFound)
			return
		}
		h := w.Header()
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			h.Set("Content-Type", ct)
		}
		h.Set("ETag", `"`+hash+`"`)
		if r.URL.Query().Get("v") == hash {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	})
}
