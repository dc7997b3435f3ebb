package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// ErrKeyRejected is what a CheckFunc wraps when Google refused the key
// itself (invalid, expired, leaked, suspended, API disabled).
var ErrKeyRejected = errors.New("gemini key rejected")

// CheckFunc asks Google whether a key works with one cheap call. It returns
// nil for a working key, an error wrapping ErrKeyRejected (with the reason
// after it) for a refused key, and any other error when Google could not
// be asked or did not say: such keys are never marked invalid.
type CheckFunc func(ctx context.Context, secret string) error

// CheckStatus is what one key check found.
type CheckStatus int

// Check results.
const (
	CheckValid CheckStatus = iota
	CheckInvalid
	CheckUnreachable
)

// String names the status for logs: valid, invalid or unreachable.
func (s CheckStatus) String() string {
	return [...]string{"valid", "invalid", "unreachable"}[s]
}

// KeyCheck is one key's check result; the key is masked.
type KeyCheck struct {
	Masked string
	Status CheckStatus
	Reason string // why it is invalid or unreachable

	secret string
}

// CheckSummary counts the results of checking keys.
type CheckSummary struct {
	Configured, Valid, Invalid, Unreachable int
	Keys                                    []KeyCheck // in the order given
}

// String is one log line: the counts, then each failed key with its reason.
func (s CheckSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "keys: %d configured, %d valid, %d invalid, %d unreachable", s.Configured, s.Valid, s.Invalid, s.Unreachable)
	for _, k := range s.Keys {
		if k.Status != CheckValid {
			fmt.Fprintf(&b, "; %s %s (%s)", k.Masked, k.Status, k.Reason)
		}
	}
	return b.String()
}

// CheckAll checks secrets with at most concurrency calls at a time (the
// per-call timeout belongs to check or ctx). It is pure: apply the result
// with Pool.ApplyCheck.
func CheckAll(ctx context.Context, secrets []string, check CheckFunc, concurrency int) CheckSummary {
	s := CheckSummary{Configured: len(secrets), Keys: make([]KeyCheck, len(secrets))}
	sem := make(chan struct{}, max(concurrency, 1))
	var wg sync.WaitGroup
	for i, secret := range secrets {
		s.Keys[i] = KeyCheck{Masked: MaskSecret(secret), secret: secret}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			err := check(ctx, secret)
			switch {
			case err == nil:
				s.Keys[i].Status = CheckValid
			case errors.Is(err, ErrKeyRejected):
				s.Keys[i].Status = CheckInvalid
				s.Keys[i].Reason = strings.TrimPrefix(strings.TrimPrefix(err.Error(), ErrKeyRejected.Error()), ": ")
			default:
				s.Keys[i].Status, s.Keys[i].Reason = CheckUnreachable, err.Error()
			}
		})
	}
	wg.Wait()
	for _, k := range s.Keys {
		switch k.Status {
		case CheckValid:
			s.Valid++
		case CheckInvalid:
			s.Invalid++
		default:
			s.Unreachable++
		}
	}
	return s
}

// ApplyCheck marks the keys found invalid and restores the keys found
// valid; unreachable keys keep their state.
func (p *Pool) ApplyCheck(s CheckSummary) {
	now := p.now()
	for _, c := range s.Keys {
		k := p.key(c.secret)
		if k == nil {
			continue
		}
		switch c.Status {
		case CheckValid:
			p.keyMu.Lock()
			rejected := k.rejected
			p.keyMu.Unlock()
			if rejected {
				p.RestoreKey(c.secret)
			}
		case CheckInvalid:
			p.markInvalid(k, c.Reason, now)
		}
		p.keyMu.Lock()
		k.checkedAt, k.ver = now, p.touch()
		p.keyMu.Unlock()
	}
}

// Invalid lists the secrets of keys out of rotation, in pool order:
// those Google refused and those the admin disabled.
func (p *Pool) Invalid() []string {
	return p.secretsWhere(func(k *poolKey) bool { return k.invalid.Load() })
}

// secretsWhere lists, in pool order, the secrets of the keys not removed
// that keep (run with keyMu held) picks.
func (p *Pool) secretsWhere(keep func(k *poolKey) bool) []string {
	p.keyMu.Lock()
	defer p.keyMu.Unlock()
	var out []string
	for _, k := range p.keys {
		if !k.removed && keep(k) {
			out = append(out, k.spec.Secret)
		}
	}
	return out
}

// Refused lists the secrets of keys Google refused, in pool order, the
// admin's switch aside: Invalid without the keys only disabled.
func (p *Pool) Refused() []string {
	return p.secretsWhere(func(k *poolKey) bool { return k.rejected })
}

// Recheck checks every key Google refused now and restores those that
// work again. Keys the admin disabled are left alone.
func (p *Pool) Recheck(ctx context.Context, check CheckFunc, concurrency int) CheckSummary {
	s := CheckAll(ctx, p.Refused(), check, concurrency)
	p.ApplyCheck(s)
	return s
}
