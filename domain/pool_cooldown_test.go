package domain

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestCooldownScope(t *testing.T) {
	// Two keys of one project: a quota 429 names the project's quota, so
	// both keys cool; a 429 without details or a 5xx cools only the key.
	tests := []struct {
		name         string
		outcome      Outcome
		siblingCools bool
		want         time.Duration
	}{
		{"per-minute quota", Outcome{Kind: OutcomeRateLimited, Detailed: true, RetryDelay: 37 * time.Second}, true, 37 * time.Second},
		{"per-day quota", Outcome{Kind: OutcomeRateLimited, Detailed: true, Daily: true, RetryDelay: time.Second}, true, 12 * time.Hour},
		{"no details", Outcome{Kind: OutcomeRateLimited}, false, UndetailedCooldown},
		{"server error", Outcome{Kind: OutcomeServerError}, false, ServerFailureCooldown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := limitedPool(t, noon, `{}`, specs(2, func(int) string { return "shared" })...)
			var tried Tried
			l, _ := p.Acquire("m", 1, &tried)
			p.Report(l, tt.outcome)
			sibling, err := p.Acquire("m", 1, &tried)
			if tt.siblingCools {
				if wait, _ := retryAfter(t, err); wait != tt.want {
					t.Errorf("sibling: retry after %v; want %v", wait, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("sibling key: %v", err)
			}
			p.Report(sibling, Outcome{})
			_, err = p.Acquire("m", 1, &Tried{indexes: []int{sibling.index}})
			if wait, _ := retryAfter(t, err); wait != tt.want {
				t.Errorf("key: retry after %v; want %v", wait, tt.want)
			}
			if p.Active() != 2 {
				t.Error("a 429 or 5xx took a key out of rotation")
			}
		})
	}
}

func TestNotSentGivesReservationBack(t *testing.T) {
	p, _ := limitedPool(t, noon, `{"m": {"rpm": 1, "rpd": 1}}`, specs(1, nil)...)
	var tried Tried
	l, _ := p.Acquire("m", 1, &tried)
	p.Report(l, Outcome{Kind: OutcomeServerError, NotSent: true})
	// Past the short back-off, the call that never left used no quota.
	p.now = func() time.Time { return noon.Add(ServerFailureCooldown) }
	if _, err := call(p, 1, Outcome{}); err != nil {
		t.Errorf("after a dial error: %v", err)
	}
	if got := p.UsageReport(p.now()).Models[0].Today; got.Requests != 1 || got.Errors != 1 {
		t.Errorf("today = %+v; want 1 request (the sent one), 1 error", got)
	}
}

func TestReservationIsExactUnderConcurrency(t *testing.T) {
	// 30 simultaneous requests, 6 keys × 3 RPM: exactly 18 get a key.
	p, _ := limitedPool(t, noon, `{"m": {"rpm": 3}}`, specs(6, nil)...)
	var wg sync.WaitGroup
	var mu sync.Mutex
	perKey := map[string]int{}
	refused := 0
	start := make(chan struct{})
	for range 30 {
		wg.Go(func() {
			<-start
			var tried Tried
			l, err := p.Acquire("m", 10, &tried)
			mu.Lock()
			defer mu.Unlock()
			if errors.Is(err, ErrRateLimited) {
				refused++
				return
			}
			if err != nil {
				t.Error(err)
				return
			}
			perKey[l.Secret]++
		})
	}
	close(start)
	wg.Wait()
	if refused != 12 || len(perKey) != 6 {
		t.Errorf("refused %d, keys used %d; want 12 and 6", refused, len(perKey))
	}
	for k, n := range perKey {
		if n != 3 {
			t.Errorf("key %s got %d calls; want 3", MaskSecret(k), n)
		}
	}
}

func TestHealthScoreBeatsRecency(t *testing.T) {
	p, clk := limitedPool(t, noon, `{"m": {"rpm": 10, "rpd": 100}}`, specs(2, nil)...)
	only := func(i int) *Tried { return &Tried{indexes: []int{1 - i}} }
	for range 10 { // key 0 spends a tenth of its day
		l, _ := p.Acquire("m", 1, only(0))
		p.Report(l, Outcome{})
	}
	clk.advance(time.Minute)
	l, _ := p.Acquire("m", 1, only(1)) // key 1 is now the most recently used
	p.Report(l, Outcome{})
	// Key 1 has more of its day left (RPD 1/100 against 10/100), so it wins
	// despite being used last.
	l, err := p.Acquire("m", 1, &Tried{})
	if err != nil || l.index != 1 {
		t.Errorf("picked key %d (%v); want key 1, the one with headroom", l.index, err)
	}
}
