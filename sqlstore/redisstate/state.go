package redisstate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hagemi/hagemi/domain"
)

// DefaultPrefix starts every key when Open gets an empty prefix.
const DefaultPrefix = "hagemi:"

// State is one connection pool to Redis. It is safe for concurrent use.
type State struct {
	rdb    *redis.Client
	prefix string

	// OnError hears the failures Subscribe recovers from by reconnecting,
	// which it cannot return. Set it before Subscribe.
	OnError func(error)
}

// Open connects to the Redis at url (redis://…, rediss://…) and checks it
// answers. The URL is left out of errors: it may hold a password.
func Open(ctx context.Context, url, prefix string) (*State, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		// ParseURL's errors quote the URL, password included.
		return nil, errors.New("redisstate: REDIS_URL is not a valid redis:// or rediss:// URL")
	}
	s := newState(redis.NewClient(opts), prefix)
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func newState(rdb *redis.Client, prefix string) *State {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &State{rdb: rdb, prefix: prefix}
}

// Close closes the connections.
func (s *State) Close() error { return s.rdb.Close() }

// Ping checks that Redis answers, for /healthz.
func (s *State) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redisstate: ping: %w", err)
	}
	return nil
}

func (s *State) key(parts ...string) string { return s.prefix + strings.Join(parts, ":") }

// GetCache returns the value stored under name, if it has not expired.
func (s *State) GetCache(ctx context.Context, name string) ([]byte, bool, error) {
	v, err := s.rdb.Get(ctx, s.key("cache", name)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redisstate: cache %s: %w", name, err)
	}
	return v, true, nil
}

// SetCache stores v under name for ttl, which must be positive: nothing
// in the cache lives forever.
func (s *State) SetCache(ctx context.Context, name string, v []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("redisstate: cache %s: ttl %v: %w", name, ttl, domain.ErrInvalid)
	}
	if err := s.rdb.Set(ctx, s.key("cache", name), v, ttl).Err(); err != nil {
		return fmt.Errorf("redisstate: cache %s: %w", name, err)
	}
	return nil
}
