package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
)

var _ domain.Leases = (*Store)(nil)

func TestTryLease(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		try := func(holder string, want bool) {
			t.Helper()
			got, err := s.TryLease(ctx, "purge", holder, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("TryLease(%s) = %v; want %v", holder, got, want)
			}
		}
		try("a", true)  // free
		try("b", false) // a holds it
		try("a", true)  // renewal
		if ok, err := s.TryLease(ctx, "other", "b", time.Minute); err != nil || !ok {
			t.Errorf("TryLease(other, b) = %v, %v; want true: leases are independent", ok, err)
		}

		c.Add(30 * time.Second)
		try("a", true) // renewed until 1m30s
		c.Add(40 * time.Second)
		try("b", false) // the first grant would have ended by now
		c.Add(20 * time.Second)
		try("b", true) // expired exactly now: taken over
		try("a", false)

		if _, err := s.TryLease(ctx, "purge", "a", 0); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("TryLease with ttl 0: err = %v; want ErrInvalid", err)
		}
	})
}

// TestTryLeaseRace has many holders ask at once: exactly one may win.
func TestTryLeaseRace(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		const n = 20
		var wg sync.WaitGroup
		wins := make(chan string, n)
		for i := range n {
			wg.Go(func() {
				holder := fmt.Sprintf("replica-%d", i)
				ok, err := s.TryLease(ctx, "job", holder, time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins <- holder
				}
			})
		}
		wg.Wait()
		close(wins)
		if got := len(wins); got != 1 {
			t.Errorf("%d holders won; want 1", got)
		}
	})
}
