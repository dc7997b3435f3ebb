package domain

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ClientLimiter enforces a per-minute rate (a token bucket whose burst equals
// the per-minute rate) and a per-Pacific-day count for each client, keyed by
// any string (an IP, a proxy key id). Idle entries are evicted so memory
// stays bounded however many clients appear.
type ClientLimiter struct {
	perMinute int
	perDay    int
	idle      time.Duration
	soft      int

	mu        sync.Mutex
	clients   map[string]*clientEntry
	lastSweep time.Time
}

type clientEntry struct {
	minute   *rate.Limiter
	day      string
	dayCount int
	lastSeen time.Time
}

// NewClientLimiter makes a limiter; a zero limit disables that check.
func NewClientLimiter(perMinute, perDay int) *ClientLimiter {
	return &ClientLimiter{
		perMinute: perMinute,
		perDay:    perDay,
		idle:      10 * time.Minute,
		soft:      100_000,
		clients:   make(map[string]*clientEntry),
	}
}

// Allow takes one request for client at now. When it is refused, the error
// is a *RetryAfterError wrapping ErrRateLimited.
func (l *ClientLimiter) Allow(client string, now time.Time) error {
	return l.AllowLimits(client, now, l.perMinute, l.perDay)
}

// AllowLimits is Allow with limits chosen per call (per-credential limits
// that differ between credentials). Limits must not change for one client.
func (l *ClientLimiter) AllowLimits(client string, now time.Time, perMinute, perDay int) error {
	if perMinute <= 0 && perDay <= 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	e := l.clients[client]
	if e == nil {
		e = &clientEntry{}
		if perMinute > 0 {
			e.minute = rate.NewLimiter(rate.Limit(float64(perMinute)/60), perMinute)
		}
		l.clients[client] = e
	}
	e.lastSeen = now
	day := PTDay(now)
	if e.day != day {
		e.day, e.dayCount = day, 0
	}
	if perDay > 0 && e.dayCount >= perDay {
		return &RetryAfterError{Err: ErrRateLimited, RetryAfter: NextPTMidnight(now).Sub(now), Daily: true}
	}
	if e.minute != nil {
		r := e.minute.ReserveN(now, 1)
		if d := r.DelayFrom(now); d > 0 {
			r.CancelAt(now)
			return &RetryAfterError{Err: ErrRateLimited, RetryAfter: d}
		}
	}
	e.dayCount++
	return nil
}

// sweep runs at most once a minute. Entries from an earlier Pacific day
// carry nothing worth keeping and always go. Entries idle for a while go only
// when the map is over its soft size, because dropping one forgets that
// client's daily count.
func (l *ClientLimiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	today := PTDay(now)
	crowded := len(l.clients) > l.soft
	for k, e := range l.clients {
		idle := now.Sub(e.lastSeen)
		if idle > time.Minute && (e.day != today || crowded && idle > l.idle) {
			delete(l.clients, k)
		}
	}
}

// Len is the number of tracked clients.
func (l *ClientLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}
