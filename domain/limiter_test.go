package domain

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestClientLimiterPerMinute(t *testing.T) {
	l := NewClientLimiter(3, 0)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if err := l.Allow("ip", now); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	err := l.Allow("ip", now)
	var ra *RetryAfterError
	if !errors.As(err, &ra) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("4th request = %v; want rate limited", err)
	}
	if ra.RetryAfter != 20*time.Second {
		t.Errorf("RetryAfter = %v; want 20s (one token per 20 s)", ra.RetryAfter)
	}
	if err := l.Allow("other", now); err != nil {
		t.Errorf("another client: %v", err)
	}
	if err := l.Allow("ip", now.Add(20*time.Second)); err != nil {
		t.Errorf("after refill: %v", err)
	}
}

func TestClientLimiterPerPacificDay(t *testing.T) {
	l := NewClientLimiter(0, 2)
	// 07:59 UTC on 2026-11-25 is 23:59 PST the day before the reset.
	now := time.Date(2026, 11, 25, 7, 59, 0, 0, time.UTC)
	for range 2 {
		if err := l.Allow("ip", now); err != nil {
			t.Fatal(err)
		}
	}
	err := l.Allow("ip", now)
	var ra *RetryAfterError
	if !errors.As(err, &ra) || !ra.Daily || ra.RetryAfter != time.Minute {
		t.Fatalf("over the day = %v (%+v); want daily, 1m", err, ra)
	}
	if err := l.Allow("ip", now.Add(time.Minute)); err != nil {
		t.Errorf("after Pacific midnight: %v", err)
	}
}

func TestClientLimiterEvictsIdle(t *testing.T) {
	l := NewClientLimiter(10, 100)
	l.soft = 100
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := range 1000 {
		l.Allow(fmt.Sprint("ip", i), now)
	}
	l.Allow("late", now.Add(11*time.Minute))
	if got := l.Len(); got != 1 {
		t.Errorf("Len after idle sweep = %d; want 1", got)
	}
}

func TestNextPTMidnightAcrossDST(t *testing.T) {
	tests := []struct {
		at, want time.Time
	}{
		// 2026-03-08 is 23 hours long in Los Angeles; 2026-11-01 is 25.
		{time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 7, 0, 0, 0, time.UTC)},
		{time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := NextPTMidnight(tt.at); !got.Equal(tt.want) {
			t.Errorf("NextPTMidnight(%v) = %v; want %v", tt.at, got.UTC(), tt.want)
		}
	}
	if got := PTDay(time.Date(2026, 11, 25, 7, 59, 0, 0, time.UTC)); got != "2026-11-24" {
		t.Errorf("PTDay = %s", got)
	}
}

func TestSecretSet(t *testing.T) {
	s := NewSecretSet("alpha", "", "beta")
	if s.Index("beta") != 1 || s.Index("alpha") != 0 || s.Index("gamma") != -1 || s.Index("") != -1 {
		t.Error("SecretSet lookups wrong")
	}
	if got := MaskSecret("AIzaSyABCDEFGHIJKLMNOPQRSTUVWXYZ012345678"); got != "AIza…5678" {
		t.Errorf("MaskSecret = %q", got)
	}
}

func TestSignatureCacheBounded(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	c := NewSignatureCache(time.Hour, 10, clk.now)
	for i := range 100 {
		c.Put(fmt.Sprint("call", i), "sig")
	}
	if _, ok := c.Get("call0"); ok {
		t.Error("oldest entry survived past the bound")
	}
	if v, ok := c.Get("call99"); !ok || v != "sig" {
		t.Error("newest entry missing")
	}
	clk.advance(2 * time.Hour)
	if _, ok := c.Get("call99"); ok {
		t.Error("expired entry returned")
	}
}
