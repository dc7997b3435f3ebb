package domain

import (
	"errors"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestPool(n int) (*Pool, *fakeClock) {
	clk := &fakeClock{t: time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)}
	var keys []KeySpec
	for i := range n {
		keys = append(keys, KeySpec{Secret: "AIzaSyTESTKEY000000000000000000000000" + string(rune('a'+i))})
	}
	return NewPool(keys, clk.now), clk
}

func TestPoolSpreadsLoad(t *testing.T) {
	p, _ := newTestPool(4)
	counts := map[string]int{}
	for range 400 {
		var tried Tried
		l, err := p.Acquire("m", 10, &tried)
		if err != nil {
			t.Fatal(err)
		}
		counts[l.Secret]++
		p.Report(l, Outcome{Kind: OutcomeOK})
	}
	for k, n := range counts {
		if n != 100 {
			t.Errorf("key %s used %d times; want 100", MaskSecret(k), n)
		}
	}
}

func TestPoolTriedSetIsPerRequest(t *testing.T) {
	p, _ := newTestPool(3)
	var a, b Tried
	seen := map[string]bool{}
	for range 3 {
		l, err := p.Acquire("m", 10, &a)
		if err != nil {
			t.Fatal(err)
		}
		if seen[l.Secret] {
			t.Fatalf("key %s handed out twice to one request", l.Masked)
		}
		seen[l.Secret] = true
		// Another request in between must not disturb a's tried set.
		if _, err := p.Acquire("m", 10, &b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Acquire("m", 10, &a); !errors.Is(err, ErrNoKeys) {
		t.Errorf("fourth acquire = %v; want ErrNoKeys", err)
	}
}

func TestPoolCooldownKinds(t *testing.T) {
	tests := []struct {
		name    string
		outcome Outcome
		want    time.Duration
		daily   bool
	}{
		{"retry delay", Outcome{Kind: OutcomeRateLimited, RetryDelay: 37 * time.Second, Detailed: true}, 37 * time.Second, false},
		{"quota without delay", Outcome{Kind: OutcomeRateLimited, Detailed: true}, DefaultQuotaCooldown, false},
		{"no details", Outcome{Kind: OutcomeRateLimited}, UndetailedCooldown, false},
		// 12:00 UTC on 2026-03-08 is 05:00 PDT (DST began at 02:00), so the
		// next Pacific midnight is 19 hours away.
		{"daily", Outcome{Kind: OutcomeRateLimited, Daily: true, RetryDelay: time.Second}, 19 * time.Hour, true},
		{"server", Outcome{Kind: OutcomeServerError}, ServerFailureCooldown, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, clk := newTestPool(1)
			var tried Tried
			l, _ := p.Acquire("m", 10, &tried)
			p.Report(l, tt.outcome)

			var again Tried
			_, err := p.Acquire("m", 10, &again)
			var ra *RetryAfterError
			if !errors.As(err, &ra) {
				t.Fatalf("acquire while cooling = %v; want RetryAfterError", err)
			}
			if ra.RetryAfter != tt.want || ra.Daily != tt.daily {
				t.Errorf("retry after = %v daily=%v; want %v daily=%v", ra.RetryAfter, ra.Daily, tt.want, tt.daily)
			}
			// Other models are unaffected: quotas are per key×model.
			var other Tried
			if _, err := p.Acquire("other", 10, &other); err != nil {
				t.Errorf("other model: %v", err)
			}
			clk.advance(tt.want)
			var later Tried
			if _, err := p.Acquire("m", 10, &later); err != nil {
				t.Errorf("after the cooldown: %v", err)
			}
		})
	}
}

func TestPoolInvalidKeyLeavesRotation(t *testing.T) {
	p, _ := newTestPool(2)
	var tried Tried
	bad, _ := p.Acquire("m", 10, &tried)
	p.Report(bad, Outcome{Kind: OutcomeKeyInvalid, Reason: "API_KEY_INVALID"})
	for range 10 {
		var t2 Tried
		l, err := p.Acquire("m", 10, &t2)
		if err != nil {
			t.Fatal(err)
		}
		if l.Secret == bad.Secret {
			t.Fatal("invalid key handed out")
		}
	}
	if got := p.Active(); got != 1 {
		t.Errorf("Active = %d; want 1", got)
	}
	st := p.Status()
	invalid := 0
	for _, s := range st {
		if s.Invalid {
			invalid++
			if s.InvalidWhy != "API_KEY_INVALID" {
				t.Errorf("InvalidWhy = %q", s.InvalidWhy)
			}
		}
	}
	if invalid != 1 {
		t.Errorf("invalid keys = %d; want 1", invalid)
	}
}

func TestPoolEarliestCooldownWins(t *testing.T) {
	p, _ := newTestPool(2)
	var tried Tried
	a, _ := p.Acquire("m", 10, &tried)
	b, _ := p.Acquire("m", 10, &tried)
	p.Report(a, Outcome{Kind: OutcomeRateLimited, RetryDelay: 50 * time.Second, Detailed: true})
	p.Report(b, Outcome{Kind: OutcomeRateLimited, RetryDelay: 20 * time.Second, Detailed: true})
	var fresh Tried
	_, err := p.Acquire("m", 10, &fresh)
	var ra *RetryAfterError
	if !errors.As(err, &ra) || ra.RetryAfter != 20*time.Second {
		t.Errorf("err = %v; want retry after 20s", err)
	}
}
