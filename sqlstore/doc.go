// Package sqlstore keeps Hagemi's state in SQLite through sqlx and the
// pure-Go modernc.org/sqlite driver: issued proxy keys and their daily
// usage, conversation memory, and runtime settings.
//
// Memory mode (no path) and file mode run the same schema and the same
// code; only the connections differ. The schema lives in embedded,
// append-only migrations tracked in PRAGMA user_version. Timestamps are
// INTEGER Unix milliseconds in UTC and queries use sqlx Rebind, so the
// statements outside migrations/ stay portable to PostgreSQL.
package sqlstore
