package redisstate

import (
	"context"
	_ "embed"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hagemi/hagemi/domain"
)

var (
	//go:embed limit.lua
	limitLua    string
	limitScript = redis.NewScript(limitLua)
)

// DefaultLimitTimeout bounds one limiter call: Allow has no context.
// Short: a stalled Redis must not add seconds to every request.
const DefaultLimitTimeout = 500 * time.Millisecond

// Limiter is domain.ClientLimiter shared by the replicas. When Redis
// fails it lets the request through: a Redis blip must not take the API
// down.
type Limiter struct {
	s                 *State
	perMinute, perDay int
	failures          atomic.Int64

	// Timeout bounds one call to Redis (DefaultLimitTimeout).
	Timeout time.Duration
	// OnError, if set, hears every failure that let a request through.
	// Set it before use.
	OnError func(error)
}

var _ domain.RequestLimiter = (*Limiter)(nil)

// Limiter makes a limiter with these default limits; zero disables one.
func (s *State) Limiter(perMinute, perDay int) *Limiter {
	return &Limiter{s: s, perMinute: perMinute, perDay: perDay, Timeout: DefaultLimitTimeout}
}

// Failures counts the calls that Redis failed and that were let through.
func (l *Limiter) Failures() int64 { return l.failures.Load() }

// Allow takes one request for client at now under the default limits.
func (l *Limiter) Allow(client string, now time.Time) error {
	return l.AllowLimits(client, now, l.perMinute, l.perDay)
}

// AllowLimits takes one request for client at now under these limits. A
// refusal is a *domain.RetryAfterError wrapping domain.ErrRateLimited,
// Daily when the day's count is used up.
func (l *Limiter) AllowLimits(client string, now time.Time, perMinute, perDay int) error {
	if perMinute <= 0 && perDay <= 0 {
		return nil
	}
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultLimitTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	dayEnd := domain.NextPTMidnight(now)
	c := url.QueryEscape(client)
	keys := []string{l.s.key("lim", "m", c), l.s.key("lim", "d", domain.PTDay(now), c)}
	res, err := limitScript.Run(ctx, l.s.rdb, keys, now.UnixMicro(), max(perMinute, 0), max(perDay, 0),
		(dayEnd.Sub(now) + time.Hour).Milliseconds()).Int64Slice()
	if err == nil && len(res) == 0 {
		err = fmt.Errorf("unexpected reply %v", res)
	}
	if err != nil {
		l.failures.Add(1)
		if l.OnError != nil {
			l.OnError(fmt.Errorf("redisstate: limiter: %w", err))
		}
		return nil
	}
	switch {
	case res[0] == 2:
		return &domain.RetryAfterError{Err: domain.ErrRateLimited, RetryAfter: dayEnd.Sub(now), Daily: true}
	case res[0] == 1 && len(res) > 1:
		return &domain.RetryAfterError{Err: domain.ErrRateLimited, RetryAfter: time.Duration(res[1]) * time.Microsecond}
	}
	return nil
}
