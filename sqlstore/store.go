package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store is the SQL-backed state, on SQLite (Open) or PostgreSQL
// (OpenPostgres). Its methods are safe for concurrent use.
type Store struct {
	// Now is the clock behind every timestamp and TTL; tests replace it
	// before first use.
	Now func() time.Time
	// Replica names this process's rows where several replicas share the
	// database (the pool's daily history); empty for a single process.
	// Set it before first use.
	Replica string

	w    *sqlx.DB // the single writer; on PostgreSQL the whole pool
	r    *sqlx.DB // readers; the same handle as w in memory mode and on PostgreSQL
	mode string
	d    dialect
}

// writerPragmas configure the one connection that writes.
var writerPragmas = []string{
	// Wait for a lock instead of failing at once: a checkpoint, a backup or
	// the sqlite3 shell may hold one for a moment.
	"busy_timeout(5000)",
	// WAL lets the reader pool read while the writer writes, and a commit
	// is one append to the log.
	"journal_mode(WAL)",
	// SQLite leaves foreign keys off on every new connection; usage rows
	// cascade when their proxy key is deleted.
	"foreign_keys(1)",
	// With WAL, NORMAL fsyncs at checkpoints rather than at every commit.
	// A committed transaction survives the process being killed (kill -9)
	// because it is already in the OS's copy of the log; only a power cut
	// or OS crash can lose the last commits. That is the promise we make.
	"synchronous(NORMAL)",
}

// readerPragmas configure the pool that serves reads in file mode.
var readerPragmas = []string{
	// As for the writer: a checkpoint can hold a lock briefly.
	"busy_timeout(5000)",
	// A reader that tried to write would compete with the single writer
	// and could see "database is locked"; make it fail loudly instead.
	"query_only(1)",
}

// memoryPragmas configure memory mode's one connection.
var memoryPragmas = []string{
	// Same reason as the writer: cascades must work in both modes.
	"foreign_keys(1)",
}

// Open opens the store and applies pending migrations. An empty path means
// memory mode: one private in-memory database that lives until Close.
// Otherwise path is a file, created with its parent directory if needed.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		// ":memory:" is private to its connection, so each Open gets its own
		// database, and the pool must never close or add a connection.
		db, err := open(ctx, "file::memory:", memoryPragmas, "", 1)
		if err != nil {
			return nil, err
		}
		s := &Store{Now: time.Now, w: db, r: db, mode: "memory", d: sqliteDialect}
		if err := s.migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
		return s, nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	// One writer connection: SQLite allows one writer at a time, and
	// queueing in database/sql beats failing with "database is locked".
	// BEGIN IMMEDIATE takes the write lock up front for the same reason.
	w, err := open(ctx, fileURI(abs), writerPragmas, "immediate", 1)
	if err != nil {
		return nil, err
	}
	s := &Store{Now: time.Now, w: w, mode: "file", d: sqliteDialect}
	// Migrate before any reader exists, so none sees a half-built schema.
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if s.r, err = open(ctx, fileURI(abs), readerPragmas, "", max(4, runtime.NumCPU())); err != nil {
		w.Close()
		return nil, err
	}
	return s, nil
}

// open opens a pool of at most conns connections that are never recycled:
// memory mode depends on its only connection staying open.
func open(ctx context.Context, uri string, pragmas []string, txlock string, conns int) (*sqlx.DB, error) {
	q := url.Values{"_pragma": pragmas}
	if txlock != "" {
		q.Set("_txlock", txlock)
	}
	db, err := sqlx.Open("sqlite", uri+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", uri, err)
	}
	return db, nil
}

// fileURI escapes the path so that '?', '#' or '%' in a directory name
// cannot be read as part of the query.
func fileURI(abs string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// Close closes the database. In memory mode everything stored is gone.
func (s *Store) Close() error {
	if s.r == s.w {
		return s.w.Close()
	}
	return errors.Join(s.r.Close(), s.w.Close())
}

// Ping checks that the database answers, for /healthz.
func (s *Store) Ping(ctx context.Context) error { return s.w.PingContext(ctx) }

// Mode is "memory", "file" or "postgres", for the portal and the logs.
func (s *Store) Mode() string { return s.mode }

// DB returns the writer handle, for features that keep their own tables in
// the same database (portal sessions); its DriverName is "sqlite" or
// "pgx". On SQLite it allows one connection: never hold a transaction or
// open rows on it while calling the Store.
func (s *Store) DB() *sqlx.DB { return s.w }

func (s *Store) now() int64 { return s.Now().UnixMilli() }

// millis and fromMillis are the one timestamp format: Unix milliseconds,
// UTC, compared as numbers.
func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(v int64) time.Time { return time.UnixMilli(v).UTC() }

// notFound maps sql.ErrNoRows to domain.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return domain.ErrNotFound
	}
	return err
}

// oneRow turns an Exec that touched no row into domain.ErrNotFound.
func oneRow(res sql.Result, err error, format string, id int64) error {
	if err != nil {
		return fmt.Errorf(format, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf(format, id, err)
	} else if n == 0 {
		return fmt.Errorf(format, id, domain.ErrNotFound)
	}
	return nil
}
