package sqlstore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// dialect is everything the store does differently on SQLite and on
// PostgreSQL. The queries elsewhere are written once, in the SQL both
// accept, with ? rebound by sqlx; only what cannot be shared lives here.
type dialect struct {
	driver string // the database/sql driver name, which sqlx maps to ? or $N
	dir    string // the embedded migrations folder
	// lockShared follows a SELECT of rows that the transaction then
	// references: on PostgreSQL it keeps another replica from deleting them
	// before commit. SQLite's writer transaction already excludes everyone.
	lockShared string
}

var (
	sqliteDialect   = dialect{driver: "sqlite", dir: "migrations"}
	postgresDialect = dialect{driver: "pgx", dir: "migrations_pg", lockShared: " FOR KEY SHARE"}
)

func (d dialect) postgres() bool { return d.driver == postgresDialect.driver }

// lockMigrations makes concurrent migrators take turns. SQLite needs
// nothing: file mode begins IMMEDIATE, so the transaction already holds
// the write lock. On PostgreSQL two replicas starting at once would both
// see the old version, so each migration transaction first takes an
// advisory lock, keyed by schema so that separate schemas (tests) do not
// wait for each other; it is released at commit or rollback.
func (d dialect) lockMigrations(ctx context.Context, tx *sqlx.Tx) error {
	if !d.postgres() {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('hagemi.migrate.' || current_schema()))`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
	)`)
	return err
}

// schemaVersion is the number of the last migration applied: PRAGMA
// user_version on SQLite, the schema_migrations table on PostgreSQL.
func (d dialect) schemaVersion(ctx context.Context, q sqlx.QueryerContext) (int, error) {
	query := "PRAGMA user_version"
	if d.postgres() {
		query = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"
	}
	var v int
	err := sqlx.GetContext(ctx, q, &v, query)
	return v, err
}

// setVersion records m as applied, in m's own transaction.
func (d dialect) setVersion(ctx context.Context, tx *sqlx.Tx, m migration) error {
	var err error
	if d.postgres() {
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name)
	} else {
		// PRAGMA takes no bound parameters; m.version is an int we parsed.
		_, err = tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(m.version))
	}
	if err != nil {
		return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
	}
	return nil
}
