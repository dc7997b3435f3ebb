package redisstate

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"
)

// Environment variables that .ci/backends exports.
const (
	envRedisURL = "HAGEMI_TEST_REDIS_URL"
	envRequire  = "HAGEMI_REQUIRE_BACKENDS"
)

// redisURL is the test Redis; without one the test is skipped, or fails
// when backends are required (CI must not pass by skipping).
func redisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envRedisURL)
	if u == "" {
		if os.Getenv(envRequire) == "1" {
			t.Fatalf("%s is not set but %s=1: Redis is required", envRedisURL, envRequire)
		}
		t.Skipf("Redis run skipped: set %s (.ci/backends starts a server)", envRedisURL)
	}
	return u
}

// testPrefix is unique per test, so tests never see each other's keys.
func testPrefix() string { return "hagemitest:" + strings.ToLower(rand.Text()) + ":" }

// openN opens n States on one fresh prefix, like n replicas, and
// deletes the prefix's keys when the test ends.
func openN(t testing.TB, n int) []*State {
	t.Helper()
	url, prefix := redisURL(t), testPrefix()
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
