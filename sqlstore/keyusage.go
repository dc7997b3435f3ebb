package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hagemi/hagemi/domain"
)

// KeyUsageKeepDays is how long the daily key history is kept: well over
// the 30 days the report and the portal look back.
const KeyUsageKeepDays = 400

type keyRow struct {
	KeyID        string `db:"key_id"`
	Masked       string `db:"masked"`
	Project      string `db:"project"`
	Invalid      bool   `db:"invalid"`
	InvalidWhy   string `db:"invalid_why"`
	InvalidSince int64  `db:"invalid_since"`
	CheckedAt    int64  `db:"checked_at"`
}

type keyModelRow struct {
	KeyID     string `db:"key_id"`
	Model     string `db:"model"`
	LastUsed  int64  `db:"last_used"`
	CoolUntil int64  `db:"cool_until"`
	CoolWhy   string `db:"cool_why"`
	CoolDaily bool   `db:"cool_daily"`
}

type projectRow struct {
	Project    string `db:"project"`
	Model      string `db:"model"`
	Day        string `db:"day"`
	Requests   int64  `db:"requests"`
	TokensIn   int64  `db:"tokens_in"`
	Window     string `db:"minute_window"`
	LearnedRPM int64  `db:"learned_rpm"`
	LearnedTPM int64  `db:"learned_tpm"`
	LearnedRPD int64  `db:"learned_rpd"`
	LearnedTPD int64  `db:"learned_tpd"`
	LearnedAt  int64  `db:"learned_at"`
	CoolUntil  int64  `db:"cool_until"`
	CoolWhy    string `db:"cool_why"`
	CoolDaily  bool   `db:"cool_daily"`
}

// SaveKeyState writes a pool snapshot (all of it or only what changed) in
// one transaction. Every value is absolute, so saving twice is harmless.
// Daily history older than KeyUsageKeepDays is dropped on the way.
func (s *Store) SaveKeyState(ctx context.Context, snap domain.PoolSnapshot) error {
	snap = inKeyOrder(snap)
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: save key state: %w", err)
	}
	defer tx.Rollback()
	for _, k := range snap.Keys {
		_, err = tx.NamedExecContext(ctx, `INSERT INTO gemini_keys (key_id, masked, project, invalid, invalid_why, invalid_since, checked_at)
			VALUES (:key_id, :masked, :project, :invalid, :invalid_why, :invalid_since, :checked_at)
			ON CONFLICT (key_id) DO UPDATE SET masked = excluded.masked, project = excluded.project,
				invalid = excluded.invalid, invalid_why = excluded.invalid_why,
				invalid_since = excluded.invalid_since, checked_at = excluded.checked_at`,
			keyRow{k.ID, k.Masked, k.Project, k.Invalid, k.InvalidWhy, msOrZero(k.InvalidSince), msOrZero(k.CheckedAt)})
		if err != nil {
			return fmt.Errorf("sqlstore: save key %s: %w", k.ID, err)
		}
	}
	for _, m := range snap.KeyModels {
		_, err = tx.NamedExecContext(ctx, `INSERT INTO gemini_key_models (key_id, model, last_used, cool_until, cool_why, cool_daily)
			VALUES (:key_id, :model, :last_used, :cool_until, :cool_why, :cool_daily)
			ON CONFLICT (key_id, model) DO UPDATE SET last_used = excluded.last_used,
				cool_until = excluded.cool_until, cool_why = excluded.cool_why, cool_daily = excluded.cool_daily`,
			keyModelRow{m.KeyID, m.Model, msOrZero(m.LastUsed), msOrZero(m.CoolUntil), m.CoolWhy, m.CoolDaily})
		if err != nil {
			return fmt.Errorf("sqlstore: save key %s model %s: %w", m.KeyID, m.Model, err)
		}
	}
	for _, p := range snap.Projects {
		row, err := toProjectRow(p)
		if err == nil {
			_, err = tx.NamedExecContext(ctx, `INSERT INTO gemini_project_models (project, model, day, requests, tokens_in,
				minute_window, learned_rpm, learned_tpm, learned_rpd, learned_tpd, learned_at, cool_until, cool_why, cool_daily)
			VALUES (:project, :model, :day, :requests, :tokens_in, :minute_window, :learned_rpm, :learned_tpm,
				:learned_rpd, :learned_tpd, :learned_at, :cool_until, :cool_why, :cool_daily)
			ON CONFLICT (project, model) DO UPDATE SET day = excluded.day, requests = excluded.requests,
				tokens_in = excluded.tokens_in, minute_window = excluded.minute_window,
				learned_rpm = excluded.learned_rpm, learned_tpm = excluded.learned_tpm,
				learned_rpd = excluded.learned_rpd, learned_tpd = excluded.learned_tpd,
				learned_at = excluded.learned_at, cool_until = excluded.cool_until,
				cool_why = excluded.cool_why, cool_daily = excluded.cool_daily`, row)
		}
		if err != nil {
			return fmt.Errorf("sqlstore: save project %s model %s: %w", p.Project, p.Model, err)
		}
	}
	if err := addKeyUsageDaily(ctx, tx, snap.History, s.Replica); err != nil {
		return err
	}
	cut := domain.PTDay(s.Now().AddDate(0, 0, -KeyUsageKeepDays))
	if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM gemini_key_usage_daily WHERE day < ?`), cut); err != nil {
		return fmt.Errorf("sqlstore: prune key usage: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: save key state: %w", err)
	}
	return nil
}

// toProjectRow stores the window compactly as [[until_ms, tokens], …].
func toProjectRow(p domain.ProjectState) (projectRow, error) {
	win := make([][2]int64, len(p.Window))
	for i, e := range p.Window {
		win[i] = [2]int64{e.Until.UnixMilli(), e.Tokens}
	}
	b, err := json.Marshal(win)
	return projectRow{p.Project, p.Model, p.Day, p.Requests, p.InputTokens, string(b),
		p.Learned.RPM, p.Learned.TPMInput, p.Learned.RPD, p.Learned.TPDInput, msOrZero(p.LearnedAt),
		msOrZero(p.CoolUntil), p.CoolWhy, p.CoolDaily}, err
}

func (r projectRow) state() (domain.ProjectState, error) {
	var win [][2]int64
	if err := json.Unmarshal([]byte(r.Window), &win); err != nil {
		return domain.ProjectState{}, fmt.Errorf("sqlstore: window of project %s model %s: %w", r.Project, r.Model, err)
	}
	p := domain.ProjectState{Project: r.Project, Model: r.Model, Day: r.Day, Requests: r.Requests, InputTokens: r.TokensIn,
		Learned:   domain.ModelLimits{RPM: r.LearnedRPM, TPMInput: r.LearnedTPM, RPD: r.LearnedRPD, TPDInput: r.LearnedTPD},
		LearnedAt: timeOrZero(r.LearnedAt), CoolUntil: timeOrZero(r.CoolUntil), CoolWhy: r.CoolWhy, CoolDaily: r.CoolDaily}
	for _, e := range win {
		p.Window = append(p.Window, domain.WindowEntry{Until: fromMillis(e[0]), Tokens: e[1]})
	}
	return p, nil
}

// msOrZero and timeOrZero keep "no time" as 0 rather than year 1.
func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return millis(t)
}

func timeOrZero(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return fromMillis(ms)
}
