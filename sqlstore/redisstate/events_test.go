package redisstate

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hagemi/hagemi/domain"
)

func TestEventsReplayAndLive(t *testing.T) {
	states := openN(t, 2)
	a, b := states[0], states[1]
	now := time.Now()
	pub := func(e domain.PoolEvent) {
		t.Helper()
		e.From = "a"
		if err := a.Publish(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	long := now.Add(time.Hour)
	pub(domain.PoolEvent{Kind: domain.EventCooldown, KeyID: "k1", Project: "p", Model: "m", Until: long, Why: "429"})
	// A shorter cooldown does not replace the longer one kept.
	pub(domain.PoolEvent{Kind: domain.EventCooldown, KeyID: "k1", Project: "p", Model: "m", Until: now.Add(time.Minute)})
	pub(domain.PoolEvent{Kind: domain.EventCooldown, KeyID: "k2", Project: "p", Model: "m", Until: now.Add(200 * time.Millisecond)})
	pub(domain.PoolEvent{Kind: domain.EventCooldown, KeyID: "k9", Model: "m", Until: now.Add(-time.Second)})
	pub(domain.PoolEvent{Kind: domain.EventInvalid, KeyID: "k3", Why: "bad key"})
	pub(domain.PoolEvent{Kind: domain.EventInvalid, KeyID: "k4"})
	pub(domain.PoolEvent{Kind: domain.EventRestored, KeyID: "k4"})
	time.Sleep(300 * time.Millisecond) // k2's cooldown ends

	ctx, cancel := context.WithCancel(t.Context())
	got := make(chan domain.PoolEvent, 16)
	done := make(chan error, 1)
	go func() { done <- b.Subscribe(ctx, func(e domain.PoolEvent) { got <- e }) }()
	next := func() domain.PoolEvent {
		t.Helper()
		select {
		case e := <-got:
			return e
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
			return domain.PoolEvent{}
		}
	}
	// The replay: the cooldown ending last comes last.
	e := next()
	if e.Kind != domain.EventCooldown || e.KeyID != "k1" || !e.Until.Equal(long) || e.Why != "429" || e.From != "a" {
		t.Errorf("first replayed %+v, want k1's hour-long cooldown", e)
	}
	if e := next(); e.Kind != domain.EventInvalid || e.KeyID != "k3" || e.Why != "bad key" {
		t.Errorf("second replayed %+v, want k3 invalid", e)
	}
	// Key-list changes are not kept, so the replay ends asking for a reload.
	if e := next(); e.Kind != domain.EventKeys || e.From != "" {
		t.Errorf("after the replay %+v, want a reload request", e)
	}
	// Then live events, from either replica, the subscriber's own included.
	pub(domain.PoolEvent{Kind: domain.EventKeys})
	if err := b.Publish(t.Context(), domain.PoolEvent{Kind: domain.EventRestored, KeyID: "k3", From: "b"}); err != nil {
		t.Fatal(err)
	}
	if e := next(); e.Kind != domain.EventKeys || e.From != "a" {
		t.Errorf("live %+v, want keys from a", e)
	}
	if e := next(); e.Kind != domain.EventRestored || e.KeyID != "k3" || e.From != "b" {
		t.Errorf("live %+v, want k3 restored from b", e)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Subscribe = %v after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Subscribe did not return after cancel")
	}
	select {
	case e := <-got:
		t.Errorf("unexpected event %+v", e)
	default:
	}

	// k3 was restored: a late replica hears only k1.
	var late []domain.PoolEvent
	ctx2, cancel2 := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel2()
	a.Subscribe(ctx2, func(e domain.PoolEvent) { late = append(late, e) })
	if len(late) != 2 || late[0].KeyID != "k1" || late[1].Kind != domain.EventKeys {
		t.Errorf("late replay %+v, want k1 and a reload request", late)
	}
	for _, k := range a.eventKeys() {
		if ttl := a.rdb.PTTL(t.Context(), k).Val(); ttl <= 0 || ttl > time.Hour {
			t.Errorf("key %s has TTL %v, want k1's hour", k, ttl)
		}
	}
}

// TestSubscribeReconnects kills the subscriber's connection: it must
// subscribe again and go on delivering.
func TestSubscribeReconnects(t *testing.T) {
	a := openState(t)
	opts := a.rdb.Options()
	opts.ClientName = "sub" + strings.ToLower(rand.Text())
	b := newState(redis.NewClient(opts), a.prefix)
	defer b.Close()
	errs := make(chan error, 4)
	b.OnError = func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	got := make(chan domain.PoolEvent, 64)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go b.Subscribe(ctx, func(e domain.PoolEvent) { got <- e })
	waitSubscribers(t, a, 1)
	// Only b's subscription: other packages' tests may share this Redis.
	list, err := a.rdb.Do(t.Context(), "CLIENT", "LIST", "TYPE", "pubsub").Text()
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for line := range strings.Lines(list) {
		f := strings.Fields(line)
		if len(f) > 0 && slices.Contains(f, "name="+opts.ClientName) {
			if err := a.rdb.Do(t.Context(), "CLIENT", "KILL", "ID", strings.TrimPrefix(f[0], "id=")).Err(); err != nil {
				t.Fatal(err)
			}
			killed++
		}
	}
	if killed != 1 {
		t.Fatalf("killed %d connections, want 1:\n%s", killed, list)
	}
	select {
	case <-errs:
	case <-time.After(5 * time.Second):
		t.Fatal("OnError not called after the connection was killed")
	}
	// Events published while it reconnects are lost (the kept ones come
	// back in the replay): publish until one arrives.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-got:
			if e.Kind != domain.EventKeys {
				t.Errorf("got %+v", e)
			}
			return
		case <-tick.C:
			if err := a.Publish(t.Context(), domain.PoolEvent{Kind: domain.EventKeys, From: "a"}); err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatal("no event after reconnecting")
		}
	}
}

func waitSubscribers(t *testing.T, s *State, n int64) {
	t.Helper()
	for range 100 {
		m, err := s.rdb.PubSubNumSub(t.Context(), s.channel()).Result()
		if err != nil {
			t.Fatal(err)
		}
		if m[s.channel()] == n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %d subscribers", n)
}
