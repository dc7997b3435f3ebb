package domain

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// limitedPool is a pool over keys with model "m" limited by limitsJSON, on a
// clock at start.
func limitedPool(t testing.TB, start time.Time, limitsJSON string, keys ...KeySpec) (*Pool, *fakeClock) {
	t.Helper()
	table, err := LoadLimits(strings.NewReader(limitsJSON))
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{t: start}
	return NewPool(keys, clk.now, WithLimits(table)), clk
}

func specs(n int, project func(i int) string) []KeySpec {
	var out []KeySpec
	for i := range n {
		s := KeySpec{Secret: fmt.Sprintf("AIzaSyTEST%029d", i)}
		if project != nil {
			s.Project = project(i)
		}
		out = append(out, s)
	}
	return out
}

var noon = time.Date(2026, 6, 10, 19, 0, 0, 0, time.UTC) // 12:00 PDT

// call acquires a key for m and reports o; it returns the error of Acquire.
func call(p *Pool, tokens int, o Outcome) (Lease, error) {
	var tried Tried
	l, err := p.Acquire("m", tokens, &tried)
	if err == nil {
		p.Report(l, o)
	}
	return l, err
}

func retryAfter(t *testing.T, err error) (time.Duration, bool) {
	t.Helper()
	var ra *RetryAfterError
	if !errors.As(err, &ra) {
		t.Fatalf("err = %v; want *RetryAfterError", err)
	}
	return ra.RetryAfter, ra.Daily
}

func TestSlidingMinuteWindow(t *testing.T) {
	p, clk := limitedPool(t, noon, `{"m": {"rpm": 3}}`, specs(1, nil)...)
	for _, at := range []time.Duration{0, 10 * time.Second, 20 * time.Second} {
		clk.t = noon.Add(at)
		if _, err := call(p, 1, Outcome{}); err != nil {
			t.Fatalf("call at +%v: %v", at, err)
		}
	}
	clk.t = noon.Add(30 * time.Second)
	_, err := call(p, 1, Outcome{})
	if wait, daily := retryAfter(t, err); wait != 30*time.Second || daily {
		t.Errorf("retry after %v daily=%v; want 30s (the call at 0 leaves at 60s)", wait, daily)
	}
	// A true sliding window: at 60 s exactly one slot is free, not three.
	clk.t = noon.Add(60 * time.Second)
	if _, err := call(p, 1, Outcome{}); err != nil {
		t.Fatalf("at 60s: %v", err)
	}
	_, err = call(p, 1, Outcome{})
	if wait, _ := retryAfter(t, err); wait != 10*time.Second {
		t.Errorf("retry after %v; want 10s", wait)
	}
}

func TestTokenWindowUsesGoogleCount(t *testing.T) {
	p, clk := limitedPool(t, noon, `{"m": {"tpm_input": 1000}}`, specs(1, nil)...)
	// Estimated 900, but Google counted 300: the correction frees room.
	if _, err := call(p, 900, Outcome{InputTokens: 300}); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Second)
	if _, err := call(p, 600, Outcome{InputTokens: 600}); err != nil {
		t.Fatalf("600 more tokens: %v", err)
	}
	clk.advance(time.Second)
	_, err := call(p, 200, Outcome{})
	if wait, _ := retryAfter(t, err); wait != 58*time.Second {
		t.Errorf("retry after %v; want 58s (until the first call leaves)", wait)
	}
	// A call bigger than the whole limit still goes when the window is
	// empty: Google is the judge of it.
	clk.advance(2 * time.Minute)
	if _, err := call(p, 5000, Outcome{}); err != nil {
		t.Errorf("oversized call on an empty window: %v", err)
	}
}

func TestPacificMidnightResetOnDSTDays(t *testing.T) {
	tests := []struct {
		name      string
		before    time.Time     // 23:30 Pacific, the evening before the change
		untilMid  time.Duration // to the next midnight
		nextDay   time.Duration // length of the day that follows
		wantDayPT string
	}{
		// 2026-03-08: clocks jump 02:00 → 03:00, a 23-hour day.
		{"spring forward", time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC), 30 * time.Minute, 23 * time.Hour, "2026-03-08"},
		// 2026-11-01: clocks fall back 02:00 → 01:00, a 25-hour day.
		{"fall back", time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), 30 * time.Minute, 25 * time.Hour, "2026-11-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, clk := limitedPool(t, tt.before, `{"m": {"rpd": 2}}`, specs(1, nil)...)
			for range 2 {
				if _, err := call(p, 1, Outcome{}); err != nil {
					t.Fatal(err)
				}
			}
			_, err := call(p, 1, Outcome{})
			if wait, daily := retryAfter(t, err); wait != tt.untilMid || !daily {
				t.Errorf("retry after %v daily=%v; want %v daily", wait, daily, tt.untilMid)
			}
			clk.t = tt.before.Add(tt.untilMid) // exactly midnight
			if got := PTDay(clk.t); got != tt.wantDayPT {
				t.Errorf("day at midnight = %s; want %s", got, tt.wantDayPT)
			}
			for range 2 {
				if _, err := call(p, 1, Outcome{}); err != nil {
					t.Fatalf("after midnight: %v", err)
				}
			}
			_, err = call(p, 1, Outcome{})
			if wait, _ := retryAfter(t, err); wait != tt.nextDay {
				t.Errorf("next reset in %v; want %v (DST day)", wait, tt.nextDay)
			}
		})
	}
}

func TestProjectsShareQuota(t *testing.T) {
	keys := specs(4, func(i int) string { return []string{"a", "a", "b", ""}[i] })
	p, _ := limitedPool(t, noon, `{"m": {"rpm": 2}}`, keys...)
	perProject := map[string]int{}
	for {
		l, err := call(p, 1, Outcome{})
		if err != nil {
			break
		}
		proj := keys[l.index].Project
		if proj == "" {
			proj = l.Masked // a key without a label is its own project
		}
		perProject[proj]++
	}
	total := 0
	for proj, n := range perProject {
		total += n
		if n != 2 {
			t.Errorf("project %s made %d calls; want 2", proj, n)
		}
	}
	if total != 6 {
		t.Errorf("calls = %d; want 6 (three projects × 2 RPM, four keys)", total)
	}
}

func TestLearnedLimits(t *testing.T) {
	p, clk := limitedPool(t, noon, `{}`, specs(2, nil)...)
	// Unknown model: unlimited, so the two keys alternate.
	a, _ := call(p, 1, Outcome{})
	for range 3 {
		call(p, 1, Outcome{})
	}
	// The fifth call goes to a's key (least recently used) and Google says
	// its project allows 2 a minute.
	var tried Tried
	l, _ := p.Acquire("m", 1, &tried)
	if l.Secret != a.Secret {
		t.Fatalf("LRU picked %s; want %s", l.Masked, a.Masked)
	}
	p.Report(l, Outcome{Kind: OutcomeRateLimited, Detailed: true, RetryDelay: 20 * time.Second,
		Quotas: []QuotaHit{{Kind: QuotaRPM, Value: 2, HasValue: true}}})
	// The other project learned nothing: it still takes calls.
	b, err := p.Acquire("m", 1, &tried)
	if err != nil {
		t.Fatalf("other key: %v", err)
	}
	// After the cooldown a's project keeps to its learned 2 a minute: its two
	// calls at 0 s leave the window at 60 s.
	clk.advance(20 * time.Second)
	_, err = p.Acquire("m", 1, &Tried{indexes: []int{b.index}})
	if wait, _ := retryAfter(t, err); wait != 40*time.Second {
		t.Errorf("retry after %v; want 40s (learned RPM 2)", wait)
	}
	if got := p.UsageReport(clk.t).Models[0].Limits.RPM; got != 2 {
		t.Errorf("reported RPM limit = %d; want the learned 2", got)
	}
	// quotaValue 0: no quota at all for this project×model until midnight.
	var t2 Tried
	l2, _ := p.Acquire("m", 1, &t2)
	p.Report(l2, Outcome{Kind: OutcomeRateLimited, Detailed: true, Quotas: []QuotaHit{{Kind: QuotaRPD, Value: 0, HasValue: true}}})
	_, err = p.Acquire("m", 1, &Tried{indexes: []int{1 - l2.index}})
	if wait, daily := retryAfter(t, err); !daily || !clk.t.Add(wait).Equal(NextPTMidnight(clk.t)) {
		t.Errorf("zero quota: retry after %v daily=%v; want until the next Pacific midnight", wait, daily)
	}
	// Learned limits expire, so a raised quota is noticed.
	clk.advance(LearnedLimitTTL)
	if got := p.UsageReport(clk.t).Models[0].Limits.RPM; got != 0 {
		t.Errorf("RPM limit after the TTL = %d; want 0 (unknown again)", got)
	}
}
