package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain"
	"github.com/jmoiron/sqlx"
)

func TestKeyUsageDaily(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, _ *clock) { // today is 2026-11-25 in Pacific time
		ctx := context.Background()
		day := func(d string, t domain.DayTotals) domain.KeyUsageDay {
			return domain.KeyUsageDay{KeyID: "k1", Model: "m", Day: d, DayTotals: t}
		}
		s.Replica = "a"
		if err := s.AddKeyUsageDaily(ctx, []domain.KeyUsageDay{
			day("2026-11-24", domain.DayTotals{Requests: 3, InputTokens: 30, OutputTokens: 3, Errors: 1}),
			day("2026-11-25", domain.DayTotals{Requests: 1}),
		}); err != nil {
			t.Fatal(err)
		}
		// Rows are day totals: a later write of the same day replaces it.
		if err := s.AddKeyUsageDaily(ctx, []domain.KeyUsageDay{day("2026-11-25", domain.DayTotals{Requests: 5})}); err != nil {
			t.Fatal(err)
		}
		// Another replica's rows for the same days add up with a's.
		s.Replica = "b"
		if err := s.AddKeyUsageDaily(ctx, []domain.KeyUsageDay{
			day("2026-11-24", domain.DayTotals{Requests: 2, InputTokens: 20}),
			day("2026-11-25", domain.DayTotals{Requests: 7}),
		}); err != nil {
			t.Fatal(err)
		}
		s.Replica = "a"
		// As a: the past summed, today only b's (a's own is live in its pool).
		got, err := s.KeyUsageDailySince(ctx, "2026-11-24")
		if err != nil {
			t.Fatal(err)
		}
		want := []domain.KeyUsageDay{
			day("2026-11-24", domain.DayTotals{Requests: 5, InputTokens: 50, OutputTokens: 3, Errors: 1}),
			day("2026-11-25", domain.DayTotals{Requests: 7}),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		// At start-up a's pool gets the summed past and its own today.
		snap, err := s.LoadKeyState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want[1] = day("2026-11-25", domain.DayTotals{Requests: 5})
		if diff := cmp.Diff(want, snap.History); diff != "" {
			t.Errorf("restored history (-want +got):\n%s", diff)
		}
		if _, err := s.KeyUsageDailySince(ctx, "yesterday"); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("bad day: %v", err)
		}
		bad := []domain.KeyUsageDay{{KeyID: "k", Model: "m", Day: "2026-13-01"}}
		if err := s.AddKeyUsageDaily(ctx, bad); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("bad day: %v", err)
		}
	})
}

// TestKeyStateSurvivesRestart runs a pool against a store file, stops it
// (the persister's final flush), opens the file again in a new pool and
// checks that counters, windows, cooldowns, learned limits, invalid keys
// and history came back.
func TestKeyStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hagemi.db")
	start := time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC) // 12:00 PST
	now := start
	clk := func() time.Time { return now }
	limits, err := domain.LoadLimits(strings.NewReader(`{"gemini-2.5-flash": {"rpm": 2, "rpd": 50}}`))
	if err != nil {
		t.Fatal(err)
	}
	var keys []domain.KeySpec
	for i := range 4 {
		keys = append(keys, domain.KeySpec{Secret: fmt.Sprintf("AIzaSyRESTART%026d", i), Project: []string{"", "", "p", "p"}[i]})
	}
	ctx := context.Background()

	// First run: yesterday's traffic, then today's.
	s1, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s1.Now = clk
	a := domain.NewPool(keys, clk, domain.WithLimits(limits))
	use := func(p *domain.Pool, o domain.Outcome) {
		var tried domain.Tried
		if l, err := p.Acquire("gemini-2.5-flash", 100, &tried); err == nil {
			p.Report(l, o)
		}
	}
	for range 3 {
		use(a, domain.Outcome{InputTokens: 90, OutputTokens: 10})
	}
	now = now.Add(12 * time.Hour) // past Pacific midnight
	for range 4 {
		use(a, domain.Outcome{InputTokens: 80, OutputTokens: 5})
	}
	use(a, domain.Outcome{Kind: domain.OutcomeRateLimited, Detailed: true, RetryDelay: 40 * time.Second,
		Quotas: []domain.QuotaHit{{Kind: domain.QuotaRPD, Value: 30, HasValue: true}}})
	use(a, domain.Outcome{Kind: domain.OutcomeKeyInvalid, Reason: "API_KEY_INVALID"})
	stop, cancel := context.WithCancel(ctx)
	cancel() // shutting down: RunPersister flushes once and returns
	if err := domain.RunPersister(stop, a, s1, time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	s1.Close()

	// Second run, ten seconds later.
	now = now.Add(10 * time.Second)
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	s2.Now = clk
	snap, err := s2.LoadKeyState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := domain.NewPool(keys, clk, domain.WithLimits(limits))
	b.Restore(snap)

	if diff := cmp.Diff(a.Status(), b.Status()); diff != "" {
		t.Errorf("key status after restart (-before +after):\n%s", diff)
	}
	ra, rb := a.UsageReport(now), b.UsageReport(now)
	if diff := cmp.Diff(ra, rb); diff != "" {
		t.Errorf("usage report after restart (-before +after):\n%s", diff)
	}
	if m := rb.Models[0]; m.Today.Requests != 6 || m.Avg7.Requests != 3 || m.Limits.RPD != 50 {
		t.Errorf("restored: today %+v, 7-day average %+v, limits %+v", m.Today, m.Avg7, m.Limits)
	}
	// The windows came back too: both pools refuse the same call for as long.
	_, errA := a.Acquire("gemini-2.5-flash", 100, &domain.Tried{})
	_, errB := b.Acquire("gemini-2.5-flash", 100, &domain.Tried{})
	var raA, raB *domain.RetryAfterError
	if !errors.As(errA, &raA) || !errors.As(errB, &raB) || raA.RetryAfter != raB.RetryAfter {
		t.Errorf("acquire before restart: %v, after: %v", errA, errB)
	}
	hist, err := s2.KeyUsageDailySince(ctx, "2026-11-24")
	if err != nil || len(hist) < 3 {
		t.Errorf("history: %d rows, %v", len(hist), err)
	}
}

// TestUsagePerReplicaMigrationKeepsHistory upgrades a file written before
// migration 5 and checks that its daily history survived the table rebuild.
func TestUsagePerReplicaMigrationKeepsHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sqlx.Open("sqlite", fileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations(sqliteDialect.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:4] {
		if _, err := old.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	if _, err := old.Exec(`PRAGMA user_version = 4;
		INSERT INTO gemini_key_usage_daily (key_id, model, day, requests, tokens_in, tokens_out, errors)
		VALUES ('k1', 'm', '2026-11-20', 9, 90, 9, 1)`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.KeyUsageDailySince(context.Background(), "2026-11-01")
	want := []domain.KeyUsageDay{{KeyID: "k1", Model: "m", Day: "2026-11-20",
		DayTotals: domain.DayTotals{Requests: 9, InputTokens: 90, OutputTokens: 9, Errors: 1}}}
	if diff := cmp.Diff(want, got); err != nil || diff != "" {
		t.Errorf("history after the upgrade (-want +got), %v:\n%s", err, diff)
	}
}
