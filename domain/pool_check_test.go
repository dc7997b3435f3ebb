package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// checker answers from a map: secret → error (nil = valid). It counts the
// calls in flight to check the concurrency bound.
type checker struct {
	results           map[string]error
	inFlight, maxSeen atomic.Int32
}

func (c *checker) check(_ context.Context, secret string) error {
	n := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for {
		m := c.maxSeen.Load()
		if n <= m || c.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	return c.results[secret]
}

func TestCheckAllCountsAndMasks(t *testing.T) {
	keys := specs(5, nil)
	c := &checker{results: map[string]error{
		keys[1].Secret: fmt.Errorf("%w: API_KEY_INVALID", ErrKeyRejected),
		keys[2].Secret: errors.New("dial tcp: connection refused"),
		keys[3].Secret: fmt.Errorf("%w: CONSUMER_SUSPENDED", ErrKeyRejected),
	}}
	var secrets []string
	for _, k := range keys {
		secrets = append(secrets, k.Secret)
	}
	s := CheckAll(context.Background(), secrets, c.check, 2)
	if s.Configured != 5 || s.Valid != 2 || s.Invalid != 2 || s.Unreachable != 1 {
		t.Errorf("summary = %+v", s)
	}
	if m := c.maxSeen.Load(); m > 2 {
		t.Errorf("%d checks at once; want at most 2", m)
	}
	if s.Keys[1].Reason != "API_KEY_INVALID" {
		t.Errorf("reason = %q", s.Keys[1].Reason)
	}
	line := s.String()
	for _, k := range keys {
		if strings.Contains(line, k.Secret) {
			t.Fatalf("summary shows a whole key: %s", line)
		}
	}
	if !strings.Contains(line, MaskSecret(keys[1].Secret)+" invalid (API_KEY_INVALID)") {
		t.Errorf("summary = %s", line)
	}

	p := NewPool(keys, (&fakeClock{t: noon}).now)
	p.ApplyCheck(s)
	if p.Active() != 3 { // the unreachable key stays in rotation
		t.Errorf("Active = %d; want 3", p.Active())
	}
}

func TestRecheckRestoresKeys(t *testing.T) {
	keys := specs(3, nil)
	clk := &fakeClock{t: noon}
	p := NewPool(keys, clk.now)
	var tried Tried
	for range 3 {
		l, _ := p.Acquire("m", 1, &tried)
		p.Report(l, Outcome{Kind: OutcomeKeyInvalid, Reason: "API_KEY_INVALID"})
	}
	if _, err := p.Acquire("m", 1, &Tried{}); !errors.Is(err, ErrNoKeys) {
		t.Fatalf("all invalid: err = %v", err)
	}
	// Key 0 works again, key 1 is still refused, key 2 cannot be reached:
	// a network error never decides anything.
	c := &checker{results: map[string]error{
		keys[1].Secret: fmt.Errorf("%w: API_KEY_INVALID", ErrKeyRejected),
		keys[2].Secret: errors.New("i/o timeout"),
	}}
	clk.advance(time.Hour)
	s := p.Recheck(context.Background(), c.check, 2)
	if s.Valid != 1 || s.Invalid != 1 || s.Unreachable != 1 {
		t.Errorf("recheck = %+v", s)
	}
	if p.Active() != 1 {
		t.Errorf("Active = %d; want 1", p.Active())
	}
	l, err := p.Acquire("m", 1, &Tried{})
	if err != nil || l.Secret != keys[0].Secret {
		t.Errorf("after recheck got %s, %v; want key 0", l.Masked, err)
	}
	for _, st := range p.Status() {
		if st.Masked == MaskSecret(keys[1].Secret) && (!st.Invalid || st.InvalidWhy != "API_KEY_INVALID" || !st.CheckedAt.Equal(clk.t) || !st.InvalidSince.Equal(noon)) {
			t.Errorf("key 1 status = %+v", st)
		}
	}
}
