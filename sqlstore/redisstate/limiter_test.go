package redisstate

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hagemi/hagemi/domain"
)

func allowed(t *testing.T, l domain.RequestLimiter, client string, now time.Time, wait time.Duration, daily bool) {
	t.Helper()
	err := l.Allow(client, now)
	if wait == 0 {
		if err != nil {
			t.Fatalf("Allow(%s) at %v = %v, want nil", client, now.Sub(t0), err)
		}
		return
	}
	var ra *domain.RetryAfterError
	if !errors.As(err, &ra) || !errors.Is(err, domain.ErrRateLimited) || ra.RetryAfter != wait || ra.Daily != daily {
		t.Fatalf("Allow(%s) at %v = %#v, want wait %v daily %v", client, now.Sub(t0), err, wait, daily)
	}
}

func TestLimiterMinute(t *testing.T) {
	l := openState(t).Limiter(2, 0)
	allowed(t, l, "c", t0, 0, false)
	allowed(t, l, "c", t0, 0, false)
	allowed(t, l, "c", t0, 30*time.Second, false) // one request per 30 s refills
	allowed(t, l, "d", t0, 0, false)              // clients are apart
	allowed(t, l, "c", t0.Add(10*time.Second), 20*time.Second, false)
	allowed(t, l, "c", t0.Add(30*time.Second), 0, false)
	allowed(t, l, "c", t0.Add(30*time.Second), 30*time.Second, false)
	allowed(t, l, "c", t0.Add(2*time.Minute), 0, false)
	allowed(t, l, "c", t0.Add(2*time.Minute), 0, false)
}

func TestLimiterDay(t *testing.T) {
	l := openState(t).Limiter(0, 2)
	end := domain.NextPTMidnight(t0)
	allowed(t, l, "c", t0, 0, false)
	allowed(t, l, "c", t0.Add(time.Hour), 0, false)
	allowed(t, l, "c", t0.Add(2*time.Hour), end.Sub(t0.Add(2*time.Hour)), true)
	allowed(t, l, "c", end, 0, false)
	// The day refusal comes first, as in ClientLimiter.
	if err := l.AllowLimits("c", end, 0, 1); err == nil {
		t.Fatal("AllowLimits over the day's limit allowed")
	}
	if err := l.AllowLimits("c", end, 0, 0); err != nil {
		t.Fatalf("no limits: %v", err)
	}
}

// TestLimiterMatchesClientLimiter runs one request pattern through the
// in-memory limiter and the Redis one.
func TestLimiterMatchesClientLimiter(t *testing.T) {
	r := openState(t).Limiter(7, 40)
	m := domain.NewClientLimiter(7, 40)
	now := t0
	steps := []time.Duration{0, 0, 0, 1, 3, 0, 0, 0, 0, 0, 2, 5, 8, 8, 1, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9}
	for i := range 120 {
		now = now.Add(steps[i%len(steps)] * time.Second)
		em, er := m.Allow("c", now), r.Allow("c", now)
		var am, ar *domain.RetryAfterError
		errors.As(em, &am)
		errors.As(er, &ar)
		if (em == nil) != (er == nil) {
			t.Fatalf("step %d: memory %v, redis %v", i, em, er)
		}
		if am != nil && (am.Daily != ar.Daily || (am.RetryAfter-ar.RetryAfter).Abs() > time.Millisecond) {
			t.Fatalf("step %d: memory %+v, redis %+v", i, am, ar)
		}
	}
}

func TestLimiterShared(t *testing.T) {
	states := openN(t, 2)
	a, b := states[0].Limiter(3, 0), states[1].Limiter(3, 0)
	allowed(t, a, "c", t0, 0, false)
	allowed(t, b, "c", t0, 0, false)
	allowed(t, a, "c", t0, 0, false)
	allowed(t, b, "c", t0, 20*time.Second, false)
	da, db := states[0].Limiter(0, 1), states[1].Limiter(0, 1)
	allowed(t, da, "c", t0, 0, false)
	allowed(t, db, "c", t0, domain.NextPTMidnight(t0).Sub(t0), true)
}

// TestFailOpen points at a closed port: requests go through, counted.
func TestFailOpen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := newState(redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1, DialerRetries: 1}), "")
	defer s.Close()
	l := s.Limiter(1, 1)
	l.Timeout = 500 * time.Millisecond
	var heard []error
	l.OnError = func(err error) { heard = append(heard, err) }
	for range 3 {
		if err := l.Allow("c", t0); err != nil {
			t.Fatalf("Allow = %v, want nil while Redis is down", err)
		}
	}
	if l.Failures() != 3 || len(heard) != 3 {
		t.Errorf("Failures %d, heard %d; want 3, 3", l.Failures(), len(heard))
	}
	// The ledger's failure is not a refusal: the pool carries on alone.
	_, err = s.Reserve(t.Context(), req("m", t0, 1, domain.ModelLimits{RPM: 1}))
	var ra *domain.RetryAfterError
	if err == nil || errors.As(err, &ra) {
		t.Errorf("Reserve = %v, want a plain error", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if _, err := Open(ctx, "redis://"+addr+"/0", ""); err == nil {
		t.Error("Open of a closed port succeeded")
	}
}
