package redisstate

import (
	"context"
	"testing"
	"time"

	"github.com/hagemi/hagemi/sqlstore/sqltest"
)

// openN opens n States on one fresh prefix, like n replicas, and
// deletes the prefix's keys when the test ends.
func openN(t testing.TB, n int) []*State {
	t.Helper()
	url, prefix := sqltest.RedisURL(t), sqltest.RedisPrefix(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []*State
	for range n {
		s, err := Open(ctx, url, prefix)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s := out[0]
		keys, err := s.rdb.Keys(ctx, prefix+"*").Result()
		if err == nil && len(keys) > 0 {
			err = s.rdb.Del(ctx, keys...).Err()
		}
		if err != nil {
			t.Errorf("clean up %s: %v", prefix, err)
		}
		for _, s := range out {
			s.Close()
		}
	})
	return out
}

func openState(t testing.TB) *State { return openN(t, 1)[0] }
