package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sync"
)

// HTMXVersion is the htmx.org npm release vendored as htmx.min.js
// (npm pack htmx.org@2; dist/htmx.min.js, sha256 d6fdc75f…f717).
const HTMXVersion = "2.0.11"

// FS holds every asset under its file name.
//
//go:embed app.css app.js htmx.min.js
var FS embed.FS

var (
	hashOnce sync.Once
	hashes   map[string]string
)

// Hash is a short digest of the named asset's bytes, or "" for an unknown
// name. URLs carry it so a new build never meets a stale cached copy.
func Hash(name string) string {
	hashOnce.Do(func() {
		hashes = map[string]string{}
		entries, _ := fs.ReadDir(FS, ".")
		for _, e := range entries {
			b, err := FS.ReadFile(e.Name())
			if err != nil {
				continue
			}
			sum := sha256.Sum256(b)
			hashes[e.Name()] = hex.EncodeToString(sum[:6])
		}
	})
	return hashes[name]
}

// Path is the cache-busting URL of the named asset.
func Path(name string) string {
	return "/static/" + name + "?v=" + Hash(name)
}
