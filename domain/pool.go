package domain

import (
	"sync"
	"sync/atomic"
	"time"
)

// KeySpec is one configured Gemini key. Keys with the same Project share
// Google's quotas; an empty Project means the key is its own project.
type KeySpec struct {
	Secret  string
	Project string
}

// Pool hands out Gemini keys. It spreads requests over every healthy key in
// turn, skips keys cooling down for the requested model, and takes invalid
// keys out of rotation. It never holds its lock across I/O: callers Acquire,
// call upstream, then Report.
type Pool struct {
	now    func() time.Time
	cursor atomic.Uint64

	mu   sync.RWMutex
	keys []*poolKey
}

type poolKey struct {
	spec   KeySpec
	masked string

	invalid      bool
	invalidWhy   string
	invalidSince time.Time
	cooling      map[string]cooldown // by model
	lastUsed     time.Time
}

type cooldown struct {
	until time.Time
	why   string
	daily bool
}

// Lease is a key handed to one attempt for one model.
type Lease struct {
	Secret string
	Masked string
	Model  string
	index  int
}

// Tried records the keys one request already used; each request has its own.
type Tried struct{ indexes []int }

func (t *Tried) has(i int) bool {
	for _, j := range t.indexes {
		if j == i {
			return true
		}
	}
	return false
}

// Len is the number of keys tried.
func (t *Tried) Len() int { return len(t.indexes) }

// NewPool makes a pool over keys. now is the clock (time.Now in production).
func NewPool(keys []KeySpec, now func() time.Time) *Pool {
	p := &Pool{now: now}
	for _, k := range keys {
		p.keys = append(p.keys, &poolKey{spec: k, masked: MaskSecret(k.Secret), cooling: map[string]cooldown{}})
	}
	return p
}

// Acquire picks the next healthy key for model that tried does not hold and
// adds it to tried. inputTokens is the request's estimated input size. With none left it returns ErrNoKeys, or a
// *RetryAfterError wrapping ErrRateLimited when untried keys are only cooling
// down (RetryAfter is the earliest end of those cooldowns).
func (p *Pool) Acquire(model string, inputTokens int, tried *Tried) (Lease, error) {
	now := p.now()
	p.mu.RLock()
	defer p.mu.RUnlock()
	n := len(p.keys)
	if n == 0 {
		return Lease{}, ErrNoKeys
	}
	start := int(p.cursor.Add(1) % uint64(n))
	var wait time.Duration
	cooling, allDaily := 0, true
	for i := range n {
		idx := (start + i) % n
		k := p.keys[idx]
		if k.invalid || tried.has(idx) {
			continue
		}
		if c, ok := k.cooling[model]; ok && now.Before(c.until) {
			d := c.until.Sub(now)
			if cooling == 0 || d < wait {
				wait = d
			}
			cooling++
			allDaily = allDaily && c.daily
			continue
		}
		tried.indexes = append(tried.indexes, idx)
		return Lease{Secret: k.spec.Secret, Masked: k.masked, Model: model, index: idx}, nil
	}
	if cooling > 0 {
		return Lease{}, &RetryAfterError{Err: ErrRateLimited, RetryAfter: wait, Daily: allDaily}
	}
	return Lease{}, ErrNoKeys
}

// OutcomeKind classifies an upstream attempt for the pool.
type OutcomeKind int

// Outcome kinds. Neutral means the request itself was at fault (a bad
// request, an unknown model): the key is fine.
const (
	OutcomeOK OutcomeKind = iota
	OutcomeNeutral
	OutcomeKeyInvalid
	OutcomeRateLimited
	OutcomeServerError
)

// Outcome is what happened to one attempt.
type Outcome struct {
	Kind       OutcomeKind
	RetryDelay time.Duration // RateLimited: how long Google asked us to wait (0 = unknown)
	Daily      bool          // RateLimited: a per-day quota, parked until Pacific midnight
	Detailed   bool          // RateLimited: Google said which quota (else a short back-off)
	Reason     string        // a short, key-free description for the operator
	// InputTokens and OutputTokens are Google's exact counts (usageMetadata)
	// for an answered attempt.
	InputTokens, OutputTokens int
}

// Cooldown lengths when Google does not say.
const (
	DefaultQuotaCooldown  = 60 * time.Second
	UndetailedCooldown    = 15 * time.Second
	ServerFailureCooldown = 5 * time.Second
)

// Report records the outcome of the attempt made with l.
func (p *Pool) Report(l Lease, o Outcome) {
	model := l.Model
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	k := p.keys[l.index]
	k.lastUsed = now
	switch o.Kind {
	case OutcomeKeyInvalid:
		if !k.invalid {
			k.invalid, k.invalidWhy, k.invalidSince = true, o.Reason, now
		}
	case OutcomeRateLimited:
		c := cooldown{why: o.Reason, daily: o.Daily}
		switch {
		case o.Daily:
			c.until = NextPTMidnight(now)
		case o.RetryDelay > 0:
			c.until = now.Add(o.RetryDelay)
		case o.Detailed:
			c.until = now.Add(DefaultQuotaCooldown)
		default:
			c.until = now.Add(UndetailedCooldown)
		}
		k.cooling[model] = c
	case OutcomeServerError:
		k.cooling[model] = cooldown{until: now.Add(ServerFailureCooldown), why: o.Reason}
	case OutcomeOK:
		delete(k.cooling, model)
	}
}

// KeyStatus is a read-only view of one key for logs and the portal.
type KeyStatus struct {
	Masked       string
	Project      string
	Invalid      bool
	InvalidWhy   string
	InvalidSince time.Time
	Cooling      map[string]time.Time // model → until
	LastUsed     time.Time
}

// Status lists every key's state.
func (p *Pool) Status() []KeyStatus {
	now := p.now()
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]KeyStatus, 0, len(p.keys))
	for _, k := range p.keys {
		s := KeyStatus{Masked: k.masked, Project: k.spec.Project, Invalid: k.invalid,
			InvalidWhy: k.invalidWhy, InvalidSince: k.invalidSince, LastUsed: k.lastUsed}
		for m, c := range k.cooling {
			if now.Before(c.until) {
				if s.Cooling == nil {
					s.Cooling = map[string]time.Time{}
				}
				s.Cooling[m] = c.until
			}
		}
		out = append(out, s)
	}
	return out
}

// Active is the number of keys not marked invalid.
func (p *Pool) Active() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	n := 0
	for _, k := range p.keys {
		if !k.invalid {
			n++
		}
	}
	return n
}

// Secrets lists the secrets of keys not marked invalid, for background
// calls such as refreshing the model list.
func (p *Pool) Secrets() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []string
	for _, k := range p.keys {
		if !k.invalid {
			out = append(out, k.spec.Secret)
		}
	}
	return out
}
