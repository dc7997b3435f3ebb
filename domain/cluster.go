package domain

import (
	"context"
	"time"
)

// The interfaces below are what several replicas share. A single process
// needs none of them: the pool, the limiters and the jobs keep their state
// in memory. With REDIS_URL, sqlstore/redisstate implements them all; with
// only DATABASE_URL, the store implements Leases.

// QuotaLedger is the cluster-wide count of calls and input tokens per
// project×model, for the sliding minute and the Pacific day, that the pool
// checks before it hands out a key. Reserve must be atomic across
// replicas: two replicas that both see room for one call must not both
// get it.
type QuotaLedger interface {
	// Reserve counts one call of tokens input tokens for project×model if
	// it fits lim (zero fields are not checked) in the last minute and in
	// day (the Pacific date, PTDay). A refusal is a *RetryAfterError
	// wrapping ErrRateLimited, with Daily set when only a new day helps;
	// dayEnd is when the day ends, for that wait.
	Reserve(ctx context.Context, r QuotaRequest) (QuotaTicket, error)
	// Settle closes a ticket: counted=false gives the call back (Google
	// did not count it), otherwise tokens replaces the estimate.
	Settle(ctx context.Context, t QuotaTicket, counted bool, tokens int64) error
}

// QuotaRequest is one Reserve.
type QuotaRequest struct {
	Project, Model string
	Day            string    // PTDay of Now
	DayEnd         time.Time // the next Pacific midnight
	Tokens         int64
	Limits         ModelLimits
	Now            time.Time
}

// QuotaTicket identifies one reservation for Settle.
type QuotaTicket struct {
	Project, Model, Day string
	ID                  string
	Tokens              int64
}

// PoolEvent is a change of a key's state that every replica applies at
// once: a cooldown Google asked for, a key Google refused or that came
// back, or an admin change to the key list (the replicas then reload the
// list from the shared database).
type PoolEvent struct {
	Kind    PoolEventKind `json:"kind"`
	KeyID   string        `json:"key_id,omitempty"`  // KeyID; empty for a project cooldown
	Project string        `json:"project,omitempty"` // the pool's project id (projectID)
	Model   string        `json:"model,omitempty"`
	Until   time.Time     `json:"until,omitzero"`
	Daily   bool          `json:"daily,omitempty"`
	Why     string        `json:"why,omitempty"` // key-free, as Outcome.Reason
	// Learned are the project's limits a 429 taught (by QuotaKind-1, 0 =
	// none), with a project cooldown, so every replica checks them.
	Learned [4]int64 `json:"learned,omitzero"`
	From    string   `json:"from"` // the publishing replica, which ignores its own events
}

// PoolEventKind names a PoolEvent.
type PoolEventKind string

// The kinds of PoolEvent.
const (
	EventCooldown PoolEventKind = "cooldown" // key×model (KeyID set) or project×model until Until
	EventInvalid  PoolEventKind = "invalid"  // Google refused the key
	EventRestored PoolEventKind = "restored" // a refused key works again
	EventKeys     PoolEventKind = "keys"     // the admin changed the key list
)

// EventBus carries PoolEvents between replicas.
type EventBus interface {
	Publish(ctx context.Context, e PoolEvent) error
	// Subscribe calls f with every event published from now on, and first
	// with the cooldowns and invalid keys still in force, so a replica that
	// starts late catches up. It blocks until ctx ends, reconnecting after
	// failures.
	Subscribe(ctx context.Context, f func(PoolEvent)) error
}

// Leases elect one replica for a background job: the holder of a named
// lease runs it, the others skip it.
type Leases interface {
	// TryLease takes or renews the lease name for holder for ttl. It
	// reports whether holder has it now.
	TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
}

// RequestLimiter limits clients' requests per minute and per Pacific day;
// *ClientLimiter implements it in memory, redisstate across replicas.
type RequestLimiter interface {
	// Allow applies the limiter's own limits.
	Allow(client string, now time.Time) error
	// AllowLimits applies limits chosen per call. A refusal is a
	// *RetryAfterError wrapping ErrRateLimited.
	AllowLimits(client string, now time.Time, perMinute, perDay int) error
}
