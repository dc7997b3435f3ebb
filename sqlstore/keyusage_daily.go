package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/jmoiron/sqlx"
)

type usageDayRow struct {
	KeyID     string `db:"key_id"`
	Model     string `db:"model"`
	Day       string `db:"day"`
	Replica   string `db:"replica"`
	Requests  int64  `db:"requests"`
	TokensIn  int64  `db:"tokens_in"`
	TokensOut int64  `db:"tokens_out"`
	Errors    int64  `db:"errors"`
}

// LoadKeyState reads what SaveKeyState wrote, with the daily history of
// the last domain.HistoryDays days, for Pool.Restore at start-up.
func (s *Store) LoadKeyState(ctx context.Context) (domain.PoolSnapshot, error) {
	var snap domain.PoolSnapshot
	var keys []keyRow
	if err := s.r.SelectContext(ctx, &keys, `SELECT key_id, masked, project, invalid, invalid_why, invalid_since, checked_at
		FROM gemini_keys ORDER BY key_id`); err != nil {
		return snap, fmt.Errorf("sqlstore: load key state: %w", err)
	}
	for _, k := range keys {
		snap.Keys = append(snap.Keys, domain.KeyState{ID: k.KeyID, Masked: k.Masked, Project: k.Project, Invalid: k.Invalid,
			InvalidWhy: k.InvalidWhy, InvalidSince: timeOrZero(k.InvalidSince), CheckedAt: timeOrZero(k.CheckedAt)})
	}
	var models []keyModelRow
	if err := s.r.SelectContext(ctx, &models, `SELECT key_id, model, last_used, cool_until, cool_why, cool_daily
		FROM gemini_key_models ORDER BY key_id, model`); err != nil {
		return snap, fmt.Errorf("sqlstore: load key state: %w", err)
	}
	for _, m := range models {
		snap.KeyModels = append(snap.KeyModels, domain.KeyModelState{KeyID: m.KeyID, Model: m.Model,
			LastUsed: timeOrZero(m.LastUsed), CoolUntil: timeOrZero(m.CoolUntil), CoolWhy: m.CoolWhy, CoolDaily: m.CoolDaily})
	}
	var projects []projectRow
	if err := s.r.SelectContext(ctx, &projects, `SELECT project, model, day, requests, tokens_in, minute_window,
		learned_rpm, learned_tpm, learned_rpd, learned_tpd, learned_at, cool_until, cool_why, cool_daily
		FROM gemini_project_models ORDER BY project, model`); err != nil {
		return snap, fmt.Errorf("sqlstore: load key state: %w", err)
	}
	for _, r := range projects {
		p, err := r.state()
		if err != nil {
			return snap, err
		}
		snap.Projects = append(snap.Projects, p)
	}
	// Closed days as all replicas counted them; today as this replica
	// counted it, because the pool goes on counting from there.
	today := domain.PTDay(s.Now())
	hist, err := s.KeyUsageDailySince(ctx, domain.PTDay(s.Now().AddDate(0, 0, -domain.HistoryDays)))
	if err != nil {
		return snap, err
	}
	for _, h := range hist {
		if h.Day < today {
			snap.History = append(snap.History, h)
		}
	}
	var own []usageDayRow
	if err := s.r.SelectContext(ctx, &own, s.r.Rebind(`SELECT key_id, model, day, requests, tokens_in, tokens_out, errors
		FROM gemini_key_usage_daily WHERE day = ? AND replica = ? ORDER BY key_id, model`), today, s.Replica); err != nil {
		return snap, fmt.Errorf("sqlstore: load key state: %w", err)
	}
	for _, r := range own {
		snap.History = append(snap.History, r.usage())
	}
	return snap, nil
}

func (r usageDayRow) usage() domain.KeyUsageDay {
	return domain.KeyUsageDay{KeyID: r.KeyID, Model: r.Model, Day: r.Day,
		DayTotals: domain.DayTotals{Requests: r.Requests, InputTokens: r.TokensIn, OutputTokens: r.TokensOut, Errors: r.Errors}}
}

// AddKeyUsageDaily stores day totals per key×model in one transaction, as
// this replica's. Each row is the day's total so far and replaces what the
// replica stored, so the pool can write the same day again and again as
// it grows.
func (s *Store) AddKeyUsageDaily(ctx context.Context, rows []domain.KeyUsageDay) error {
	if len(rows) == 0 {
		return nil
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: add key usage: %w", err)
	}
	defer tx.Rollback()
	if err := addKeyUsageDaily(ctx, tx, rows, s.Replica); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: add key usage: %w", err)
	}
	return nil
}

func addKeyUsageDaily(ctx context.Context, tx *sqlx.Tx, rows []domain.KeyUsageDay, replica string) error {
	if len(rows) == 0 {
		return nil
	}
	rows = usageInKeyOrder(rows)
	stmt, err := tx.PrepareNamedContext(ctx, `INSERT INTO gemini_key_usage_daily (key_id, model, day, replica, requests, tokens_in, tokens_out, errors)
		VALUES (:key_id, :model, :day, :replica, :requests, :tokens_in, :tokens_out, :errors)
		ON CONFLICT (key_id, model, day, replica) DO UPDATE SET requests = excluded.requests, tokens_in = excluded.tokens_in,
			tokens_out = excluded.tokens_out, errors = excluded.errors`)
	if err != nil {
		return fmt.Errorf("sqlstore: add key usage: %w", err)
	}
	defer stmt.Close()
	for _, r := range rows {
		if _, err := time.Parse(time.DateOnly, r.Day); err != nil {
			return fmt.Errorf("sqlstore: usage of key %s: %w", r.KeyID, domain.Invalid("day", "want YYYY-MM-DD"))
		}
		if _, err := stmt.ExecContext(ctx, usageDayRow{r.KeyID, r.Model, r.Day, replica, r.Requests, r.InputTokens, r.OutputTokens, r.Errors}); err != nil {
			return fmt.Errorf("sqlstore: usage of key %s: %w", r.KeyID, err)
		}
	}
	return nil
}

// KeyUsageDailySince returns the day totals of day and later, oldest
// first, added up over the replicas, except this replica's own row for
// today: the pool holds that one live, and callers add it from there.
func (s *Store) KeyUsageDailySince(ctx context.Context, day string) ([]domain.KeyUsageDay, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return nil, fmt.Errorf("sqlstore: key usage: %w", domain.Invalid("day", "want YYYY-MM-DD"))
	}
	var rows []usageDayRow
	// Zero-padded ISO dates sort as strings in date order. PostgreSQL's
	// SUM of BIGINT is NUMERIC, hence the casts.
	if err := s.r.SelectContext(ctx, &rows, s.r.Rebind(`SELECT key_id, model, day,
			CAST(SUM(requests) AS BIGINT) AS requests, CAST(SUM(tokens_in) AS BIGINT) AS tokens_in,
			CAST(SUM(tokens_out) AS BIGINT) AS tokens_out, CAST(SUM(errors) AS BIGINT) AS errors
		FROM gemini_key_usage_daily WHERE day >= ? AND NOT (day = ? AND replica = ?)
		GROUP BY key_id, model, day ORDER BY day, key_id, model`), day, domain.PTDay(s.Now()), s.Replica); err != nil {
		return nil, fmt.Errorf("sqlstore: key usage: %w", err)
	}
	out := make([]domain.KeyUsageDay, len(rows))
	for i, r := range rows {
		out[i] = r.usage()
	}
	return out, nil
}
