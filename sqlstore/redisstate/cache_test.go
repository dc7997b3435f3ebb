package redisstate

import (
	"errors"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
)

func TestCache(t *testing.T) {
	states := openN(t, 2)
	a, b := states[0], states[1]
	if _, ok, err := b.GetCache(t.Context(), "models"); ok || err != nil {
		t.Fatalf("empty cache: ok %v err %v", ok, err)
	}
	if err := a.SetCache(t.Context(), "models", []byte(`["m"]`), 150*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	v, ok, err := b.GetCache(t.Context(), "models")
	if err != nil || !ok || string(v) != `["m"]` {
		t.Fatalf("GetCache = %q %v %v", v, ok, err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, ok, _ := b.GetCache(t.Context(), "models"); ok {
		t.Error("cache entry outlived its TTL")
	}
	if err := a.SetCache(t.Context(), "x", nil, 0); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("SetCache without TTL = %v, want ErrInvalid", err)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(t.Context(), "http://nope", ""); err == nil {
		t.Error("Open of a non-Redis URL succeeded")
	}
	s := openState(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Error(err)
	}
}
