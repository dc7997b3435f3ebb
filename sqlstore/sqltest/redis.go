package sqltest

import (
	"crypto/rand"
	"os"
	"strings"
	"testing"
)

// EnvRedisURL is a redis:// URL tests may write under their own prefix.
const EnvRedisURL = "HAGEMI_TEST_REDIS_URL"

// RedisURL returns EnvRedisURL. Without it the test is skipped, or fails
// if EnvRequire is 1. Tests share the server: give every key RedisPrefix.
func RedisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvRedisURL)
	if u == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s is not set but %s=1: Redis is required", EnvRedisURL, EnvRequire)
		}
		t.Skipf("Redis run skipped: set %s (.ci/backends starts a server)", EnvRedisURL)
	}
	return u
}

// RedisPrefix is a key prefix no other test uses.
func RedisPrefix(t testing.TB) string {
	return "test:" + strings.ToLower(rand.Text()) + ":"
}
