package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hagemi/hagemi/domain"
)

// SecretPrefix starts every proxy key secret, so that a leaked one is
// recognisable (and secret scanners can be taught it).
const SecretPrefix = "hk-"

// CreateProxyKey issues a key from spec and returns it with its secret,
// which is never stored and cannot be shown again.
func (s *Store) CreateProxyKey(ctx context.Context, spec ProxyKeySpec) (ProxyKey, string, error) {
	if err := spec.Normalize(); err != nil {
		return ProxyKey{}, "", err
	}
	secret, err := newSecret()
	if err != nil {
		return ProxyKey{}, "", err
	}
	row := specRow(spec)
	row.CreatedAt = s.now()
	row.Prefix = secret[:8]
	err = s.w.GetContext(ctx, &row.ID, s.w.Rebind(`INSERT INTO proxy_keys
		(hash, prefix, description, created_at, expires_at, enabled, rpm_limit, rpd_limit, tpd_limit, allowed_models, memory_enabled)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		hashSecret(secret), row.Prefix, row.Description, row.CreatedAt, row.ExpiresAt, row.Enabled,
		row.RPMLimit, row.RPDLimit, row.TPDLimit, row.AllowedModels, row.MemoryEnabled)
	if err != nil {
		return ProxyKey{}, "", fmt.Errorf("sqlstore: create proxy key: %w", err)
	}
	k, err := row.key()
	return k, secret, err
}

// ListProxyKeys returns every key, newest first.
func (s *Store) ListProxyKeys(ctx context.Context) ([]ProxyKey, error) {
	var rows []proxyKeyRow
	err := s.r.SelectContext(ctx, &rows, `SELECT `+proxyKeyCols+` FROM proxy_keys ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list proxy keys: %w", err)
	}
	keys := make([]ProxyKey, len(rows))
	for i, r := range rows {
		if keys[i], err = r.key(); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// GetProxyKey returns key id, or domain.ErrNotFound.
func (s *Store) GetProxyKey(ctx context.Context, id int64) (ProxyKey, error) {
	var row proxyKeyRow
	err := s.r.GetContext(ctx, &row, s.r.Rebind(`SELECT `+proxyKeyCols+` FROM proxy_keys WHERE id = ?`), id)
	if err != nil {
		return ProxyKey{}, fmt.Errorf("sqlstore: proxy key %d: %w", id, notFound(err))
	}
	return row.key()
}

// LookupProxyKey finds the key a secret belongs to, or domain.ErrNotFound.
// It does not check Enabled or ExpiresAt: the caller says which applies.
func (s *Store) LookupProxyKey(ctx context.Context, secret string) (ProxyKey, error) {
	var row proxyKeyRow
	err := s.r.GetContext(ctx, &row, s.r.Rebind(`SELECT `+proxyKeyCols+` FROM proxy_keys WHERE hash = ?`),
		hashSecret(secret))
	if err != nil {
		// The secret is never part of an error: errors end up in logs.
		return ProxyKey{}, fmt.Errorf("sqlstore: proxy key lookup: %w", notFound(err))
	}
	return row.key()
}

// UpdateProxyKey replaces everything spec holds (description, expiry,
// enabled, limits, allowed models, memory) and returns the updated key.
func (s *Store) UpdateProxyKey(ctx context.Context, id int64, spec ProxyKeySpec) (ProxyKey, error) {
	if err := spec.Normalize(); err != nil {
		return ProxyKey{}, err
	}
	r := specRow(spec)
	var row proxyKeyRow
	err := s.w.GetContext(ctx, &row, s.w.Rebind(`UPDATE proxy_keys SET
		description = ?, expires_at = ?, enabled = ?, rpm_limit = ?, rpd_limit = ?, tpd_limit = ?,
		allowed_models = ?, memory_enabled = ? WHERE id = ? RETURNING `+proxyKeyCols),
		r.Description, r.ExpiresAt, r.Enabled, r.RPMLimit, r.RPDLimit, r.TPDLimit, r.AllowedModels, r.MemoryEnabled, id)
	if err != nil {
		return ProxyKey{}, fmt.Errorf("sqlstore: update proxy key %d: %w", id, notFound(err))
	}
	return row.key()
}

// SetProxyKeyEnabled enables or disables key id.
func (s *Store) SetProxyKeyEnabled(ctx context.Context, id int64, enabled bool) error {
	res, err := s.w.ExecContext(ctx, s.w.Rebind(`UPDATE proxy_keys SET enabled = ? WHERE id = ?`), enabled, id)
	return oneRow(res, err, "sqlstore: proxy key %d: %w", id)
}

// RegenerateProxyKey gives key id a new secret and returns it; the old one
// stops working at once. Settings, usage and conversations stay.
func (s *Store) RegenerateProxyKey(ctx context.Context, id int64) (string, error) {
	secret, err := newSecret()
	if err != nil {
		return "", err
	}
	res, err := s.w.ExecContext(ctx, s.w.Rebind(`UPDATE proxy_keys SET hash = ?, prefix = ? WHERE id = ?`),
		hashSecret(secret), secret[:8], id)
	if err := oneRow(res, err, "sqlstore: regenerate proxy key %d: %w", id); err != nil {
		return "", err
	}
	return secret, nil
}

// DeleteProxyKey deletes key id with its usage and its conversations.
func (s *Store) DeleteProxyKey(ctx context.Context, id int64) error {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: delete proxy key %d: %w", id, err)
	}
	defer tx.Rollback()
	// Conversation owners are opaque strings, so no foreign key can cascade.
	if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM conversations WHERE owner = ?`), domain.ProxyKeyOwner(id)); err != nil {
		return fmt.Errorf("sqlstore: delete proxy key %d: %w", id, err)
	}
	res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM proxy_keys WHERE id = ?`), id)
	if err := oneRow(res, err, "sqlstore: delete proxy key %d: %w", id); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: delete proxy key %d: %w", id, err)
	}
	return nil
}

// TouchProxyKeys records when keys were last used. Callers batch the
// updates in memory and write them behind, so /v1 never waits on it.
// A time older than the stored one and a deleted key are ignored.
func (s *Store) TouchProxyKeys(ctx context.Context, used map[int64]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: touch proxy keys: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PreparexContext(ctx, tx.Rebind(`UPDATE proxy_keys SET last_used_at = ?
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`))
	if err != nil {
		return fmt.Errorf("sqlstore: touch proxy keys: %w", err)
	}
	defer stmt.Close()
	// In id order, so that two replicas touching the same keys lock them
	// in the same order on PostgreSQL instead of deadlocking.
	for _, id := range slices.Sorted(maps.Keys(used)) {
		at := used[id]
		if _, err := stmt.ExecContext(ctx, millis(at), id, millis(at)); err != nil {
			return fmt.Errorf("sqlstore: touch proxy key %d: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: touch proxy keys: %w", err)
	}
	return nil
}
