package redisstate

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
)

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func req(model string, now time.Time, tokens int64, lim domain.ModelLimits) domain.QuotaRequest {
	return domain.QuotaRequest{Project: "p1", Model: model, Day: domain.PTDay(now),
		DayEnd: domain.NextPTMidnight(now), Tokens: tokens, Limits: lim, Now: now}
}

func mustReserve(t *testing.T, s *State, r domain.QuotaRequest) domain.QuotaTicket {
	t.Helper()
	tk, err := s.Reserve(t.Context(), r)
	if err != nil {
		t.Fatalf("reserve at %v: %v", r.Now.Sub(t0), err)
	}
	return tk
}

// refused checks that r is refused with this wait.
func refused(t *testing.T, s *State, r domain.QuotaRequest, wait time.Duration, daily bool) {
	t.Helper()
	_, err := s.Reserve(t.Context(), r)
	var ra *domain.RetryAfterError
	if !errors.As(err, &ra) || !errors.Is(err, domain.ErrRateLimited) {
		t.Fatalf("reserve at %v: err = %v, want a refusal", r.Now.Sub(t0), err)
	}
	if ra.RetryAfter != wait || ra.Daily != daily {
		t.Fatalf("reserve at %v: RetryAfter %v Daily %v, want %v %v", r.Now.Sub(t0), ra.RetryAfter, ra.Daily, wait, daily)
	}
}

func TestReserveRPM(t *testing.T) {
	s := openState(t)
	lim := domain.ModelLimits{RPM: 2}
	mustReserve(t, s, req("m", t0, 1, lim))
	mustReserve(t, s, req("m", t0.Add(time.Second), 1, lim))
	// The first call leaves at t0+span.
	refused(t, s, req("m", t0.Add(2*time.Second), 1, lim), span-2*time.Second, false)
	// Another model and another project are counted apart.
	mustReserve(t, s, req("m2", t0.Add(2*time.Second), 1, lim))
	other := req("m", t0.Add(2*time.Second), 1, lim)
	other.Project = "p2"
	mustReserve(t, s, other)
	mustReserve(t, s, req("m", t0.Add(span), 1, lim))
	refused(t, s, req("m", t0.Add(span), 1, lim), time.Second, false)
}

func TestReserveTPM(t *testing.T) {
	s := openState(t)
	lim := domain.ModelLimits{TPMInput: 100}
	mustReserve(t, s, req("m", t0, 60, lim))
	mustReserve(t, s, req("m", t0.Add(10*time.Second), 30, lim))
	// 90 used: 20 more fit once the 60 have left.
	refused(t, s, req("m", t0.Add(20*time.Second), 20, lim), span-20*time.Second, false)
	// 40 more fit only when both have left.
	refused(t, s, req("m", t0.Add(20*time.Second), 80, lim), span-10*time.Second, false)
	mustReserve(t, s, req("m", t0.Add(20*time.Second), 10, lim))
	mustReserve(t, s, req("m", t0.Add(span), 20, lim))
	// A call bigger than the whole allowance goes to an empty window.
	mustReserve(t, s, req("big", t0, 500, lim))
	refused(t, s, req("big", t0, 1, lim), span, false)
}

func TestReserveDaily(t *testing.T) {
	s := openState(t)
	dayEnd := domain.NextPTMidnight(t0)
	rpd := domain.ModelLimits{RPD: 2}
	mustReserve(t, s, req("r", t0, 1, rpd))
	mustReserve(t, s, req("r", t0.Add(time.Hour), 1, rpd))
	now := t0.Add(2 * time.Hour)
	refused(t, s, req("r", now, 1, rpd), dayEnd.Sub(now), true)
	// The day, not a minute window, decides: the daily wait wins over RPM's.
	both := domain.ModelLimits{RPD: 2, RPM: 1}
	mustReserve(t, s, req("rb", now, 1, both))
	mustReserve(t, s, req("rb", now.Add(2*time.Minute), 1, both))
	refused(t, s, req("rb", now.Add(2*time.Minute), 1, both), dayEnd.Sub(now.Add(2*time.Minute)), true)
	mustReserve(t, s, req("r", dayEnd, 1, rpd))

	tpd := domain.ModelLimits{TPDInput: 100}
	mustReserve(t, s, req("t", t0, 80, tpd))
	refused(t, s, req("t", t0.Add(time.Hour), 30, tpd), dayEnd.Sub(t0.Add(time.Hour)), true)
	mustReserve(t, s, req("t", t0.Add(time.Hour), 20, tpd))
	mustReserve(t, s, req("t", dayEnd.Add(time.Minute), 100, tpd))
}

func TestSettleNotCounted(t *testing.T) {
	s := openState(t)
	lim := domain.ModelLimits{RPM: 1, TPMInput: 100, RPD: 1, TPDInput: 100}
	tk := mustReserve(t, s, req("m", t0, 90, lim))
	refused(t, s, req("m", t0, 10, lim), domain.NextPTMidnight(t0).Sub(t0), true)
	if err := s.Settle(t.Context(), tk, false, 90); err != nil {
		t.Fatal(err)
	}
	// Window and day both have room again.
	mustReserve(t, s, req("m", t0, 100, lim))
}

func TestSettleCounted(t *testing.T) {
	s := openState(t)
	tpm := domain.ModelLimits{TPMInput: 100}
	tk := mustReserve(t, s, req("w", t0, 10, tpm))
	if err := s.Settle(t.Context(), tk, true, 90); err != nil {
		t.Fatal(err)
	}
	refused(t, s, req("w", t0, 20, tpm), span, false)
	mustReserve(t, s, req("w", t0, 10, tpm))

	tpd := domain.ModelLimits{TPDInput: 100}
	tk = mustReserve(t, s, req("d", t0, 50, tpd))
	if err := s.Settle(t.Context(), tk, true, 95); err != nil {
		t.Fatal(err)
	}
	refused(t, s, req("d", t0, 10, tpd), domain.NextPTMidnight(t0).Sub(t0), true)
	mustReserve(t, s, req("d", t0, 5, tpd))

	// A ticket settled after it left the window changes only its day.
	tk = mustReserve(t, s, req("late", t0, 10, domain.ModelLimits{TPMInput: 100, TPDInput: 100}))
	mustReserve(t, s, req("late", t0.Add(span), 10, domain.ModelLimits{TPMInput: 100}))
	if err := s.Settle(t.Context(), tk, false, 10); err != nil {
		t.Fatal(err)
	}
	refused(t, s, req("late", t0.Add(span), 91, domain.ModelLimits{TPMInput: 100}), span, false)
	mustReserve(t, s, req("late", t0.Add(span), 90, domain.ModelLimits{TPDInput: 100}))
}

// TestReserveRace has two replicas race for ten calls.
func TestReserveRace(t *testing.T) {
	states := openN(t, 2)
	lim := domain.ModelLimits{RPM: 10}
	var granted, refusedN, failed int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, s := range states {
		for range 32 {
			wg.Go(func() {
				_, err := s.Reserve(context.Background(), req("m", t0, 1, lim))
				mu.Lock()
				defer mu.Unlock()
				var ra *domain.RetryAfterError
				switch {
				case err == nil:
					granted++
				case errors.As(err, &ra):
					refusedN++
				default:
					failed++
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	if granted != 10 || refusedN != 54 {
		t.Fatalf("granted %d, refused %d, failed %d; want 10, 54, 0", granted, refusedN, failed)
	}
}

// TestLedgerKeysExpire checks that every key the ledger writes has a TTL.
func TestLedgerKeysExpire(t *testing.T) {
	s := openState(t)
	tk := mustReserve(t, s, req("m", t0, 5, domain.ModelLimits{RPM: 5}))
	if err := s.Settle(t.Context(), tk, true, 7); err != nil {
		t.Fatal(err)
	}
	keys, err := s.rdb.Keys(t.Context(), s.prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 4 {
		t.Errorf("keys %v, want window, tickets, day and counter", keys)
	}
	for _, k := range keys {
		if ttl := s.rdb.PTTL(t.Context(), k).Val(); ttl <= 0 {
			t.Errorf("key %s has TTL %v", k, ttl)
		}
	}
}
