package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/jmoiron/sqlx"
)

// AddProxyKeyUsage adds each entry to its key's totals for its day, in one
// transaction: callers count in memory and flush batches. Entries for keys
// deleted since are dropped, so one deletion cannot fail a whole batch.
func (s *Store) AddProxyKeyUsage(ctx context.Context, batch []ProxyKeyUsage) error {
	if len(batch) == 0 {
		return nil
	}
	// Key then day order, so that replicas adding to the same rows on
	// PostgreSQL queue instead of deadlocking (lockorder.go).
	batch = sortedStable(batch, func(a, b ProxyKeyUsage) int {
		return cmp.Or(cmp.Compare(a.KeyID, b.KeyID), cmp.Compare(a.Day, b.Day))
	})
	ids := make([]int64, 0, len(batch))
	for _, u := range batch {
		if _, err := time.Parse(time.DateOnly, u.Day); err != nil {
			return fmt.Errorf("sqlstore: usage of proxy key %d: %w", u.KeyID, domain.Invalid("day", "want YYYY-MM-DD"))
		}
		ids = append(ids, u.KeyID)
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: add proxy key usage: %w", err)
	}
	defer tx.Rollback()
	// Nobody can delete a key between this check and the inserts: on
	// SQLite the writer's transaction excludes everyone, on PostgreSQL
	// lockShared locks the rows found until commit.
	query, args, err := sqlx.In(`SELECT id FROM proxy_keys WHERE id IN (?)`+s.d.lockShared, ids)
	if err != nil {
		return fmt.Errorf("sqlstore: add proxy key usage: %w", err)
	}
	var live []int64
	if err := tx.SelectContext(ctx, &live, tx.Rebind(query), args...); err != nil {
		return fmt.Errorf("sqlstore: add proxy key usage: %w", err)
	}
	exists := make(map[int64]bool, len(live))
	for _, id := range live {
		exists[id] = true
	}
	stmt, err := tx.PreparexContext(ctx, tx.Rebind(`INSERT INTO proxy_key_usage (key_id, day, requests, tokens_in, tokens_out)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (key_id, day) DO UPDATE SET
			requests = proxy_key_usage.requests + excluded.requests,
			tokens_in = proxy_key_usage.tokens_in + excluded.tokens_in,
			tokens_out = proxy_key_usage.tokens_out + excluded.tokens_out`))
	if err != nil {
		return fmt.Errorf("sqlstore: add proxy key usage: %w", err)
	}
	defer stmt.Close()
	for _, u := range batch {
		if !exists[u.KeyID] {
			continue
		}
		if _, err := stmt.ExecContext(ctx, u.KeyID, u.Day, u.Requests, u.TokensIn, u.TokensOut); err != nil {
			return fmt.Errorf("sqlstore: usage of proxy key %d: %w", u.KeyID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: add proxy key usage: %w", err)
	}
	return nil
}

// ProxyKeyUsageSince returns the totals of day and later, oldest day first.
// Loading today's at startup restores the per-day limits after a restart.
func (s *Store) ProxyKeyUsageSince(ctx context.Context, day string) ([]ProxyKeyUsage, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return nil, fmt.Errorf("sqlstore: proxy key usage: %w", domain.Invalid("day", "want YYYY-MM-DD"))
	}
	usage := []ProxyKeyUsage{}
	// Zero-padded ISO dates sort as strings in date order.
	err := s.r.SelectContext(ctx, &usage, s.r.Rebind(`SELECT key_id, day, requests, tokens_in, tokens_out
		FROM proxy_key_usage WHERE day >= ? ORDER BY day, key_id`), day)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: proxy key usage: %w", err)
	}
	return usage, nil
}
