-- Proxy keys issued by the admin. Only the SHA-256 of the secret is kept.
CREATE TABLE proxy_keys (
	id             INTEGER PRIMARY KEY,
	hash           TEXT    NOT NULL UNIQUE,
	prefix         TEXT    NOT NULL,
	description    TEXT    NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL,
	expires_at     INTEGER,
	enabled        INTEGER NOT NULL DEFAULT 1,
	last_used_at   INTEGER,
	rpm_limit      INTEGER NOT NULL DEFAULT 0,
	rpd_limit      INTEGER NOT NULL DEFAULT 0,
	tpd_limit      INTEGER NOT NULL DEFAULT 0,
	allowed_models TEXT    NOT NULL DEFAULT '[]',
	memory_enabled INTEGER NOT NULL DEFAULT 1
);

-- Daily totals per proxy key; day is the Pacific date of Google's quotas.
CREATE TABLE proxy_key_usage (
	key_id     INTEGER NOT NULL REFERENCES proxy_keys (id) ON DELETE CASCADE,
	day        TEXT    NOT NULL,
	requests   INTEGER NOT NULL DEFAULT 0,
	tokens_in  INTEGER NOT NULL DEFAULT 0,
	tokens_out INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (key_id, day)
);
CREATE INDEX proxy_key_usage_day ON proxy_key_usage (day);

-- Conversation memory: Gemini contents JSON per owner and conversation name.
CREATE TABLE conversations (
	id         INTEGER PRIMARY KEY,
	owner      TEXT    NOT NULL,
	name       TEXT    NOT NULL,
	contents   TEXT    NOT NULL,
	turns      INTEGER NOT NULL DEFAULT 0,
	tokens     INTEGER NOT NULL DEFAULT 0,
	preview    TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (owner, name)
);
CREATE INDEX conversations_updated_at ON conversations (updated_at);

-- Runtime settings the portal edits.
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
