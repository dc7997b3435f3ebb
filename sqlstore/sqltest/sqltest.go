// Package sqltest gives tests a private PostgreSQL schema, so the store's
// tests (and the handlers' and main's) can also run on PostgreSQL when
// one is at hand. It is imported by tests only.
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Environment variables that .ci/backends exports.
const (
	// EnvDatabaseURL is a postgres:// URL of a database tests may create
	// schemas in.
	EnvDatabaseURL = "HAGEMI_TEST_DATABASE_URL"
	// EnvRequire=1 turns a missing backend from a skip into a failure, so
	// CI cannot pass by skipping.
	EnvRequire = "HAGEMI_REQUIRE_BACKENDS"
)

// PostgresURL creates an empty schema in the database EnvDatabaseURL
// names and returns a URL whose connections use it (search_path), so each
// test starts from nothing and tests never see each other's rows. The
// schema is dropped when the test ends. Without EnvDatabaseURL the test is
// skipped, or fails if EnvRequire is 1.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := need(t, EnvDatabaseURL, "PostgreSQL")
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvDatabaseURL, err) // url.Error hides a password
	}
	// Lower case letters and digits only, so the name needs no quoting.
	schema := "t_" + strings.ToLower(rand.Text())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		t.Fatalf("sqltest: create schema: %v", err)
	}
	t.Cleanup(func() {
		// Cleanups run last-registered first, so the store using the
		// schema has closed by now.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("sqltest: drop schema %s: %v", schema, err)
		}
		db.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// need returns the variable env, or skips the test without it, or fails
// it if EnvRequire is 1: CI must not pass by skipping.
func need(t testing.TB, env, what string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s is not set but %s=1: %s is required", env, EnvRequire, what)
		}
		t.Skipf("%s run skipped: set %s (.ci/backends starts a server)", what, env)
	}
	return v
}
