// Package sqlstore keeps Hagemi's state in SQL through sqlx: issued proxy
// keys and their daily usage, conversation memory, runtime settings, the
// Gemini key pool's state and cluster leases.
//
// Open runs on SQLite (the pure-Go modernc.org/sqlite driver) in memory
// mode (no path) or file mode; OpenPostgres runs on PostgreSQL (pgx), a
// database several replicas can share. All three run the same code: the
// queries use sqlx Rebind and the SQL both databases accept, and what
// differs (migration bookkeeping, row locks) is in dialect.go. Each
// database has its own embedded, append-only migrations, kept in step:
// migrations/ tracked in PRAGMA user_version, migrations_pg/ in the
// schema_migrations table. Timestamps are Unix milliseconds in UTC
// (INTEGER on SQLite, BIGINT on PostgreSQL).
package sqlstore
