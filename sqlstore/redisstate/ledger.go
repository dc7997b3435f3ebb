package redisstate

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hagemi/hagemi/domain"
)

var (
	//go:embed reserve.lua
	reserveLua    string
	reserveScript = redis.NewScript(reserveLua)
	//go:embed settle.lua
	settleLua    string
	settleScript = redis.NewScript(settleLua)
)

const (
	// clockSkew covers the difference between the replicas' clocks, on
	// top of the domain's own skew: each stamps its calls with its Now.
	clockSkew = time.Second
	// span is how long a call stays in the shared minute window.
	span = domain.Window + domain.WindowSkew + clockSkew
	// windowTTL keeps a project×model's window a while after its last
	// call has left it; then Redis drops the keys.
	windowTTL = span + time.Minute
	// dayTTL keeps a day's counts past its end, for late Settles.
	dayTTL = 48 * time.Hour
)

var _ domain.QuotaLedger = (*State)(nil)

// ledgerKeys are the window, tickets and day keys of one project×model.
// Project and model are escaped so that no two pairs share a key.
func (s *State) ledgerKeys(project, model, day string) []string {
	base := s.key("q", url.QueryEscape(project), url.QueryEscape(model))
	return []string{base + ":w", base + ":t", base + ":d:" + day}
}

// Reserve counts one call for r.Project×r.Model if it fits r.Limits.
func (s *State) Reserve(ctx context.Context, r domain.QuotaRequest) (domain.QuotaTicket, error) {
	tokens := max(r.Tokens, 0)
	now := r.Now.UnixMilli()
	keys := append(s.ledgerKeys(r.Project, r.Model, r.Day), s.key("q", "seq"))
	res, err := reserveScript.Run(ctx, s.rdb, keys,
		now, now+span.Milliseconds(), tokens,
		r.Limits.RPM, r.Limits.TPMInput, r.Limits.RPD, r.Limits.TPDInput,
		r.DayEnd.UnixMilli(), windowTTL.Milliseconds(), dayTTL.Milliseconds()).Int64Slice()
	if err != nil {
		return domain.QuotaTicket{}, fmt.Errorf("redisstate: reserve %s %s: %w", r.Project, r.Model, err)
	}
	if len(res) < 2 {
		return domain.QuotaTicket{}, fmt.Errorf("redisstate: reserve: unexpected reply %v", res)
	}
	if res[0] == 0 {
		daily := len(res) > 2 && res[2] == 1
		return domain.QuotaTicket{}, &domain.RetryAfterError{Err: domain.ErrRateLimited,
			RetryAfter: time.Duration(res[1]) * time.Millisecond, Daily: daily}
	}
	return domain.QuotaTicket{Project: r.Project, Model: r.Model, Day: r.Day,
		ID: strconv.FormatInt(res[1], 10), Tokens: tokens}, nil
}

// Settle closes t: counted=false gives the call back to the window and
// its day; otherwise tokens replaces the estimate. Settle each ticket
// once: a second Settle would count the change twice in the day.
func (s *State) Settle(ctx context.Context, t domain.QuotaTicket, counted bool, tokens int64) error {
	if t.ID == "" {
		return fmt.Errorf("redisstate: settle: empty ticket: %w", domain.ErrInvalid)
	}
	c := 0
	if counted {
		c = 1
	}
	err := settleScript.Run(ctx, s.rdb, s.ledgerKeys(t.Project, t.Model, t.Day),
		t.ID, c, max(tokens, 0), t.Tokens).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("redisstate: settle %s %s: %w", t.Project, t.Model, err)
	}
	return nil
}
