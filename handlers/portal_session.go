package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// sessionStore keeps scs sessions in the store's database (SQLite or
// PostgreSQL), so they survive a restart in file mode and are shared by
// replicas. Rows are keyed by an HMAC of the token
// under SECRET_KEY: a copy of the database holds no usable token, and a new
// SECRET_KEY ends every session.
type sessionStore struct {
	db  *sqlx.DB
	key []byte
	now func() time.Time

	mu        sync.Mutex
	lastSweep time.Time
}

// sessionSchema is created here rather than in a migration: the table
// belongs to the portal and is harmless to recreate. It is keyed by the
// store's driver name. On PostgreSQL, CREATE … IF NOT EXISTS can still
// fail when two replicas start together, so the statements (one implicit
// transaction) first take an advisory lock.
var sessionSchema = map[string]string{
	"sqlite": `CREATE TABLE IF NOT EXISTS portal_sessions (
	id     TEXT    PRIMARY KEY,
	data   BLOB    NOT NULL,
	expiry INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS portal_sessions_expiry ON portal_sessions (expiry);`,
	"pgx": `SELECT pg_advisory_xact_lock(hashtext('hagemi.portal_sessions.' || current_schema()));
CREATE TABLE IF NOT EXISTS portal_sessions (
	id     TEXT   PRIMARY KEY,
	data   BYTEA  NOT NULL,
	expiry BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS portal_sessions_expiry ON portal_sessions (expiry);`,
}

func newSessionStore(ctx context.Context, db *sqlx.DB, key []byte, now func() time.Time) (*sessionStore, error) {
	schema, ok := sessionSchema[db.DriverName()]
	if !ok {
		return nil, fmt.Errorf("create session table: unknown database driver %q", db.DriverName())
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("create session table: %w", err)
	}
	return &sessionStore{db: db, key: key, now: now}, nil
}

func (s *sessionStore) id(token string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// FindCtx returns a live session's data.
func (s *sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	if token == "" {
		return nil, false, nil
	}
	var b []byte
	err := s.db.GetContext(ctx, &b, s.db.Rebind(`SELECT data FROM portal_sessions WHERE id = ? AND expiry > ?`),
		s.id(token), s.now().UnixMilli())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("portal: find session: %w", err)
	}
	return b, true, nil
}

// CommitCtx saves a session, and now and then drops expired ones.
func (s *sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO portal_sessions (id, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`),
		s.id(token), b, expiry.UnixMilli())
	if err != nil {
		return fmt.Errorf("portal: save session: %w", err)
	}
	s.sweep(ctx)
	return nil
}

// DeleteCtx removes a session; an unknown token is not an error.
func (s *sessionStore) DeleteCtx(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM portal_sessions WHERE id = ?`), s.id(token))
	if err != nil {
		return fmt.Errorf("portal: delete session: %w", err)
	}
	return nil
}

// sweep deletes expired sessions at most every ten minutes, piggybacking on
// a commit instead of running a goroutine of its own.
func (s *sessionStore) sweep(ctx context.Context) {
	now := s.now()
	s.mu.Lock()
	due := now.Sub(s.lastSweep) >= 10*time.Minute
	if due {
		s.lastSweep = now
	}
	s.mu.Unlock()
	if due {
		// A failed sweep only leaves dead rows for the next one.
		s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM portal_sessions WHERE expiry <= ?`), now.UnixMilli())
	}
}

// Find, Commit and Delete satisfy scs.Store; scs calls the Ctx versions.
func (s *sessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (s *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context.
func (s *sessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
