package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/jmoiron/sqlx"
)

// IsPostgresURL reports whether a DATABASE_URL names PostgreSQL, which is
// what OpenPostgres accepts.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// OpenPostgres opens the store on the PostgreSQL database at url (a
// postgres:// URL; pgx reads its parameters, so search_path=… selects a
// schema) and applies pending migrations. Several processes may share the
// database: migrations take an advisory lock, and the queries hold up
// against concurrent writers.
func OpenPostgres(ctx context.Context, url string) (*Store, error) {
	db, err := sqlx.Open(postgresDialect.driver, url)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	// One pool for reads and writes: the server handles concurrency, so
	// the SQLite split into one writer and many readers buys nothing. 16
	// keeps a few replicas well inside the default max_connections of 100.
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	// Idle connections go after a while, so a quiet replica gives its
	// server slots back, and a connection a proxy or failover broke is
	// not kept for ever.
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		// The URL may hold a password, so it is not part of the error.
		return nil, fmt.Errorf("sqlstore: open postgres: %w", err)
	}
	s := &Store{Now: time.Now, w: db, r: db, mode: "postgres", d: postgresDialect}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
