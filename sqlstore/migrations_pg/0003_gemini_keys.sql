-- PostgreSQL twin of migrations/0003_gemini_keys.sql, which explains the
-- table (and why secret is kept for added keys only).
CREATE TABLE gemini_key_overrides (
	key_id     TEXT    PRIMARY KEY, -- domain.KeyID of the secret
	secret     TEXT    NOT NULL DEFAULT '',
	project    TEXT    NOT NULL DEFAULT '',
	added      BOOLEAN NOT NULL DEFAULT FALSE,
	disabled   BOOLEAN NOT NULL DEFAULT FALSE,
	deleted    BOOLEAN NOT NULL DEFAULT FALSE,
	updated_at BIGINT  NOT NULL
);
