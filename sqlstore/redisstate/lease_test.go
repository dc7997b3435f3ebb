package redisstate

import (
	"testing"
	"time"
)

func TestLease(t *testing.T) {
	states := openN(t, 2)
	a, b := states[0], states[1]
	try := func(s *State, name, holder string, want bool) {
		t.Helper()
		got, err := s.TryLease(t.Context(), name, holder, 200*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("TryLease(%s, %s) = %v, want %v", name, holder, got, want)
		}
	}
	try(a, "job", "a", true)
	try(b, "job", "b", false)
	try(b, "other", "b", true) // leases are independent
	// Renewing keeps it past the first TTL.
	for range 3 {
		time.Sleep(100 * time.Millisecond)
		try(a, "job", "a", true)
		try(b, "job", "b", false)
	}
	time.Sleep(250 * time.Millisecond) // a stops renewing: it expires
	try(b, "job", "b", true)
	try(a, "job", "a", false)
}
