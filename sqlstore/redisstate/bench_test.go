package redisstate

import (
	"context"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
)

// BenchmarkReserveSettle is the ledger's cost per proxied call: one
// Reserve and one Settle, each one round trip.
func BenchmarkReserveSettle(b *testing.B) {
	s := openState(b)
	ctx := context.Background()
	lim := domain.ModelLimits{RPM: 1 << 40, TPMInput: 1 << 50, RPD: 1 << 40, TPDInput: 1 << 50}
	now := time.Now()
	for b.Loop() {
		t, err := s.Reserve(ctx, req("m", now, 100, lim))
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Settle(ctx, t, true, 120); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLimiterAllow is the shared request limit's cost per request.
func BenchmarkLimiterAllow(b *testing.B) {
	l := openState(b).Limiter(1<<30, 1<<30)
	now := time.Now()
	for b.Loop() {
		if err := l.Allow("c", now); err != nil {
			b.Fatal(err)
		}
	}
}
