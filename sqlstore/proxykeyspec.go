package sqlstore

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hagemi/hagemi/domain"
)

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

// normalize trims what a form sends and rejects what cannot be stored.
func (p *ProxyKeySpec) normalize() error {
	p.Description = strings.TrimSpace(p.Description)
	if utf8.RuneCountInString(p.Description) > 200 {
		return domain.Invalid("description", "must be at most 200 characters")
	}
	if p.RPMLimit < 0 || p.RPDLimit < 0 || p.TPDLimit < 0 {
		return domain.Invalid("limits", "must be 0 (no limit) or more")
	}
	var models []string
	for _, m := range p.AllowedModels {
		m = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m), "models/"))
		if m == "" || slices.Contains(models, m) {
			continue
		}
		if len(m) > 128 {
			return domain.Invalid("allowed_models", "a model name is at most 128 characters")
		}
		models = append(models, m)
	}
	if len(models) > 100 {
		return domain.Invalid("allowed_models", "at most 100 models")
	}
	p.AllowedModels = models
	return nil
}

// proxyKeyRow is a proxy_keys row as SQL sees it; ProxyKey is the same
// with domain types, so that it owes nothing to the database.
type proxyKeyRow struct {
	ID            int64         `db:"id"`
	Prefix        string        `db:"prefix"`
	Description   string        `db:"description"`
	CreatedAt     int64         `db:"created_at"`
	ExpiresAt     sql.NullInt64 `db:"expires_at"`
	Enabled       bool          `db:"enabled"`
	LastUsedAt    sql.NullInt64 `db:"last_used_at"`
	RPMLimit      int           `db:"rpm_limit"`
	RPDLimit      int           `db:"rpd_limit"`
	TPDLimit      int64         `db:"tpd_limit"`
	AllowedModels string        `db:"allowed_models"`
	MemoryEnabled bool          `db:"memory_enabled"`
}

// proxyKeyCols lists proxyKeyRow's columns; the hash is never read back.
const proxyKeyCols = `id, prefix, description, created_at, expires_at, enabled, last_used_at,
	rpm_limit, rpd_limit, tpd_limit, allowed_models, memory_enabled`

func (p ProxyKeySpec) row() proxyKeyRow {
	r := proxyKeyRow{
		Description: p.Description, Enabled: p.Enabled, MemoryEnabled: p.MemoryEnabled,
		RPMLimit: p.RPMLimit, RPDLimit: p.RPDLimit, TPDLimit: p.TPDLimit, AllowedModels: "[]",
	}
	if !p.ExpiresAt.IsZero() {
		r.ExpiresAt = sql.NullInt64{Int64: millis(p.ExpiresAt), Valid: true}
	}
	if len(p.AllowedModels) > 0 {
		b, _ := json.Marshal(p.AllowedModels) // a []string always marshals
		r.AllowedModels = string(b)
	}
	return r
}

func (r proxyKeyRow) key() (ProxyKey, error) {
	k := ProxyKey{
		ID: r.ID, Prefix: r.Prefix, Description: r.Description, CreatedAt: fromMillis(r.CreatedAt),
		Enabled: r.Enabled, RPMLimit: r.RPMLimit, RPDLimit: r.RPDLimit, TPDLimit: r.TPDLimit,
		MemoryEnabled: r.MemoryEnabled,
	}
	if r.ExpiresAt.Valid {
		k.ExpiresAt = fromMillis(r.ExpiresAt.Int64)
	}
	if r.LastUsedAt.Valid {
		k.LastUsedAt = fromMillis(r.LastUsedAt.Int64)
	}
	// An unreadable list must not read as "all models allowed".
	if err := json.Unmarshal([]byte(r.AllowedModels), &k.AllowedModels); err != nil {
		return ProxyKey{}, fmt.Errorf("sqlstore: proxy key %d: allowed_models: %w", r.ID, err)
	}
	if len(k.AllowedModels) == 0 {
		k.AllowedModels = nil
	}
	return k, nil
}

// newSecret returns SecretPrefix and 40 base62 characters (238 bits).
func newSecret() (string, error) {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 0, len(SecretPrefix)+40)
	b = append(b, SecretPrefix...)
	var buf [64]byte
	for len(b) < cap(b) {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("sqlstore: new secret: %w", err)
		}
		for _, c := range buf {
			// 248 = 4×62: rejecting the rest keeps every character equally likely.
			if c < 248 && len(b) < cap(b) {
				b = append(b, alphabet[c%62])
			}
		}
	}
	return string(b), nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
