package sqltest

import (
	"crypto/rand"
	"strings"
	"testing"
)

// EnvRedisURL is a redis:// URL tests may write under their own prefix.
const EnvRedisURL = "HAGEMI_TEST_REDIS_URL"

// RedisURL returns EnvRedisURL. Without it the test is skipped, or fails
// if EnvRequire is 1. Tests share the server: give every key RedisPrefix.
func RedisURL(t testing.TB) string {
	t.Helper()
	return need(t, EnvRedisURL, "Redis")
}

// RedisPrefix is a key prefix no other test uses.
func RedisPrefix(t testing.TB) string {
	return "test:" + strings.ToLower(rand.Text()) + ":"
}
