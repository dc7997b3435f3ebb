package sqlstore

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

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

func specRow(p ProxyKeySpec) proxyKeyRow {
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
