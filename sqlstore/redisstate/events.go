package redisstate

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hagemi/hagemi/domain"
)

var (
	//go:embed publish.lua
	publishLua    string
	publishScript = redis.NewScript(publishLua)
)

const (
	// invalidTTL caps how long a refused key is replayed to late
	// replicas when no restored event comes.
	invalidTTL = 7 * 24 * time.Hour
	// pingEvery checks an idle subscription: a connection that answers
	// neither events nor a ping is dropped and made again.
	pingEvery  = 30 * time.Second
	maxBackoff = 5 * time.Second
)

var _ domain.EventBus = (*State)(nil)

func (s *State) eventKeys() []string {
	return []string{s.key("ev", "kept"), s.key("ev", "until")}
}

func (s *State) channel() string { return s.key("ev", "pub") }

// keptField names the state an event sets, so that a later event about
// the same key (and model) replaces or removes it.
func keptField(e domain.PoolEvent) string {
	switch e.Kind {
	case domain.EventCooldown:
		return "cooldown|" + e.KeyID + "|" + e.Project + "|" + e.Model
	case domain.EventInvalid, domain.EventRestored:
		return "invalid|" + e.KeyID
	}
	return ""
}

// Publish sends e to every subscriber and keeps cooldowns (until Until)
// and invalid keys (until restored, at most invalidTTL) for Subscribe's
// replay.
func (s *State) Publish(ctx context.Context, e domain.PoolEvent) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("redisstate: publish: %w", err)
	}
	now := time.Now()
	op, until := "none", int64(0)
	switch e.Kind {
	case domain.EventCooldown:
		if e.Until.After(now) {
			op, until = "keep", e.Until.UnixMilli()
		}
	case domain.EventInvalid:
		op, until = "keep", now.Add(invalidTTL).UnixMilli()
	case domain.EventRestored:
		op = "drop"
	}
	err = publishScript.Run(ctx, s.rdb, s.eventKeys(),
		now.UnixMilli(), op, keptField(e), until, b, s.channel()).Err()
	if err != nil {
		return fmt.Errorf("redisstate: publish %s: %w", e.Kind, err)
	}
	return nil
}

// Subscribe calls f, on this goroutine, with the kept events still in
// force and then with every published event until ctx ends; it then
// returns nil. After a connection failure it subscribes and replays
// again (f may see an event twice: applying one is idempotent).
func (s *State) Subscribe(ctx context.Context, f func(domain.PoolEvent)) error {
	backoff := 100 * time.Millisecond
	for {
		err := s.subscribeOnce(ctx, f, func() { backoff = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return nil
		}
		if s.OnError != nil {
			s.OnError(fmt.Errorf("redisstate: subscribe: %w", err))
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// subscribeOnce runs one subscription until it fails or ctx ends; ok
// runs once it is subscribed and caught up.
func (s *State) subscribeOnce(ctx context.Context, f func(domain.PoolEvent), ok func()) error {
	ps := s.rdb.Subscribe(ctx, s.channel())
	defer ps.Close()
	// Closing the subscription is what interrupts a blocked read.
	stop := context.AfterFunc(ctx, func() { ps.Close() })
	defer stop()
	// Subscribed before the replay, so that nothing published in between
	// is missed.
	if _, err := ps.Receive(ctx); err != nil {
		return err
	}
	if err := s.replay(ctx, f); err != nil {
		return err
	}
	// Key-list changes are not kept: ask for a reload, in case one was
	// published while this replica was not listening.
	f(domain.PoolEvent{Kind: domain.EventKeys})
	ok()
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, pingEvery)
		var ne net.Error
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &ne) && ne.Timeout() && !pinged:
			if err := ps.Ping(ctx); err != nil {
				return err
			}
			pinged = true
			continue
		default:
			return err
		}
		pinged = false
		if m, isMsg := msg.(*redis.Message); isMsg {
			var e domain.PoolEvent
			if json.Unmarshal([]byte(m.Payload), &e) == nil {
				f(e)
			}
		}
	}
}

// replay calls f with the kept events that are still in force, those
// ending first first.
func (s *State) replay(ctx context.Context, f func(domain.PoolEvent)) error {
	keys := s.eventKeys()
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	fields, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: keys[1], Start: "(" + now, Stop: "+inf", ByScore: true}).Result()
	if err != nil || len(fields) == 0 {
		return err
	}
	vals, err := s.rdb.HMGet(ctx, keys[0], fields...).Result()
	if err != nil {
		return err
	}
	for _, v := range vals {
		str, isStr := v.(string)
		var e domain.PoolEvent
		if isStr && json.Unmarshal([]byte(str), &e) == nil {
			f(e)
		}
	}
	return nil
}
