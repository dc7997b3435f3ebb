package sqlstore

import (
	"context"
	"fmt"

	"github.com/hagemi/hagemi/domain"
)

// The admin's changes to the Gemini keys live in gemini_key_overrides
// (migrations/0003_gemini_keys.sql). Added keys' secrets are stored there;
// errors name keys by key_id only, so no secret reaches a log.

type overrideRow struct {
	KeyID     string `db:"key_id"`
	Secret    string `db:"secret"`
	Project   string `db:"project"`
	Added     bool   `db:"added"`
	Disabled  bool   `db:"disabled"`
	Deleted   bool   `db:"deleted"`
	UpdatedAt int64  `db:"updated_at"`
}

// ListKeyOverrides returns every stored override, oldest change first.
func (s *Store) ListKeyOverrides(ctx context.Context) ([]domain.KeyOverride, error) {
	var rows []overrideRow
	err := s.r.SelectContext(ctx, &rows, `SELECT key_id, secret, project, added, disabled, deleted, updated_at
		FROM gemini_key_overrides ORDER BY updated_at, key_id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list key overrides: %w", err)
	}
	out := make([]domain.KeyOverride, len(rows))
	for i, r := range rows {
		out[i] = domain.KeyOverride{ID: r.KeyID, Secret: r.Secret, Project: r.Project,
			Added: r.Added, Disabled: r.Disabled, Deleted: r.Deleted}
	}
	return out, nil
}

// SaveKeyOverrides writes overrides in order, in one transaction: each
// replaces the key's row, and one that overrides nothing (a configured key
// neither disabled nor deleted, see KeyOverride.Empty) deletes it. An
// override without ID is domain.ErrInvalid, as is an added key without
// its secret (it could not be used again).
func (s *Store) SaveKeyOverrides(ctx context.Context, overrides []domain.KeyOverride) error {
	for _, o := range overrides {
		if o.ID == "" || o.Added && o.Secret == "" {
			return fmt.Errorf("sqlstore: key override %q: %w", o.ID, domain.ErrInvalid)
		}
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: save key overrides: %w", err)
	}
	defer tx.Rollback()
	now := millis(s.Now())
	for _, o := range overrides {
		if o.Empty() {
			_, err = tx.ExecContext(ctx, tx.Rebind(`DELETE FROM gemini_key_overrides WHERE key_id = ?`), o.ID)
		} else {
			secret := ""
			if o.Added { // a configured key's secret is in the environment
				secret = o.Secret
			}
			_, err = tx.NamedExecContext(ctx, `INSERT INTO gemini_key_overrides
				(key_id, secret, project, added, disabled, deleted, updated_at)
			VALUES (:key_id, :secret, :project, :added, :disabled, :deleted, :updated_at)
			ON CONFLICT (key_id) DO UPDATE SET secret = excluded.secret, project = excluded.project,
				added = excluded.added, disabled = excluded.disabled, deleted = excluded.deleted,
				updated_at = excluded.updated_at`,
				overrideRow{o.ID, secret, o.Project, o.Added, o.Disabled, o.Deleted, now})
		}
		if err != nil {
			return fmt.Errorf("sqlstore: save key override %s: %w", o.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: save key overrides: %w", err)
	}
	return nil
}
