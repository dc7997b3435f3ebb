package handlers

import (
	"errors"
	"sync"
	"time"

	"github.com/hagemi/hagemi/domain"
)

// newLoginLimiter allows 5 failed sign-ins per minute per address, in a
// burst, then one every 12 seconds.
func newLoginLimiter() *domain.ClientLimiter { return domain.NewClientLimiter(5, 0) }

// loginThrottle slows down guessing. Only failures take from the limiter,
// so signing in often is never punished; once an address runs out it is
// refused before its secret is even checked, until the limiter refills.
type loginThrottle struct {
	limiter *domain.ClientLimiter

	mu      sync.Mutex
	blocked map[string]time.Time // address → refused until
}

func newLoginThrottle(l *domain.ClientLimiter) *loginThrottle {
	return &loginThrottle{limiter: l, blocked: map[string]time.Time{}}
}

// wait is how long addr must still wait; 0 lets it try.
func (t *loginThrottle) wait(addr string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if until, ok := t.blocked[addr]; ok {
		if now.Before(until) {
			return until.Sub(now)
		}
		delete(t.blocked, addr)
	}
	return 0
}

// fail counts a failed attempt from addr and returns how long it must now
// wait (0: it may try again at once).
func (t *loginThrottle) fail(addr string, now time.Time) time.Duration {
	err := t.limiter.Allow(addr, now)
	var ra *domain.RetryAfterError
	if !errors.As(err, &ra) {
		return 0
	}
	wait := max(ra.RetryAfter, time.Second)
	t.mu.Lock()
	defer t.mu.Unlock()
	// Blocks last seconds, so the map stays small; sweep it when it grows
	// (an attack from many addresses).
	if len(t.blocked) > 1000 {
		for a, until := range t.blocked {
			if !now.Before(until) {
				delete(t.blocked, a)
			}
		}
	}
	t.blocked[addr] = now.Add(wait)
	return wait
}
