package domain

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ProxyKey is a credential the admin issued for /v1. Its secret is not
// here: only its hash is stored, and it is shown once.
type ProxyKey struct {
	ID            int64
	Prefix        string // the secret's first 8 characters, to tell keys apart
	Description   string
	CreatedAt     time.Time
	ExpiresAt     time.Time // zero: never
	Enabled       bool
	LastUsedAt    time.Time // zero: never used
	RPMLimit      int       // requests per minute; 0: no limit
	RPDLimit      int       // requests per Pacific day; 0: no limit
	TPDLimit      int64     // tokens per Pacific day; 0: no limit
	AllowedModels []string  // empty: all models
	MemoryEnabled bool      // conversation memory for requests with this key
}

// Expired reports whether the key has expired at now.
func (k ProxyKey) Expired(now time.Time) bool {
	return !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt)
}

// AllowsModel reports whether the key may use model.
func (k ProxyKey) AllowsModel(model string) bool {
	if len(k.AllowedModels) == 0 {
		return true
	}
	for _, m := range k.AllowedModels {
		if m == model {
			return true
		}
	}
	return false
}

// ProxyKeySpec is what the admin sets on a key. Create and Update store
// every field as given, so a portal form sends them all; note that the
// zero value is a disabled key without memory.
type ProxyKeySpec struct {
	Description   string
	ExpiresAt     time.Time // zero: never expires; Update with zero clears it
	Enabled       bool
	RPMLimit      int
	RPDLimit      int
	TPDLimit      int64
	AllowedModels []string // empty: all models
	MemoryEnabled bool
}

// ProxyKeyUsage is one proxy key's totals for one Pacific day
// ("2006-01-02", see domain.PTDay), the day Google's quotas reset on.
type ProxyKeyUsage struct {
	KeyID     int64  `db:"key_id"`
	Day       string `db:"day"`
	Requests  int64  `db:"requests"`
	TokensIn  int64  `db:"tokens_in"`
	TokensOut int64  `db:"tokens_out"`
}

// Normalize trims what a form sends and rejects what cannot be stored.
func (p *ProxyKeySpec) Normalize() error {
	p.Description = strings.TrimSpace(p.Description)
	if utf8.RuneCountInString(p.Description) > 200 {
		return Invalid("description", "must be at most 200 characters")
	}
	// PostgreSQL refuses both in text columns; SQLite would keep them.
	if !utf8.ValidString(p.Description) || strings.ContainsRune(p.Description, 0) {
		return Invalid("description", "must be valid text without NUL characters")
	}
	if p.RPMLimit < 0 || p.RPDLimit < 0 || p.TPDLimit < 0 {
		return Invalid("limits", "must be 0 (no limit) or more")
	}
	var models []string
	for _, m := range p.AllowedModels {
		m = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m), "models/"))
		if m == "" || slices.Contains(models, m) {
			continue
		}
		if len(m) > 128 {
			return Invalid("allowed_models", "a model name is at most 128 characters")
		}
		models = append(models, m)
	}
	if len(models) > 100 {
		return Invalid("allowed_models", "at most 100 models")
	}
	p.AllowedModels = models
	return nil
}

// ProxyKeyOwner is the owner of a proxy key's conversations and usage.
func ProxyKeyOwner(id int64) string { return "key:" + strconv.FormatInt(id, 10) }
