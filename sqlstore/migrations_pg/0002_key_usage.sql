-- PostgreSQL twin of migrations/0002_key_usage.sql.
-- Gemini key pool state, written behind by domain.RunPersister. Keys are
-- identified by domain.KeyID (a SHA-256 prefix), never by the secret.
-- Timestamps are Unix milliseconds; 0 means none.

-- Validity of each configured key.
CREATE TABLE gemini_keys (
	key_id        TEXT    PRIMARY KEY,
	masked        TEXT    NOT NULL,
	project       TEXT    NOT NULL DEFAULT '',
	invalid       BOOLEAN NOT NULL DEFAULT FALSE,
	invalid_why   TEXT    NOT NULL DEFAULT '',
	invalid_since BIGINT  NOT NULL DEFAULT 0,
	checked_at    BIGINT  NOT NULL DEFAULT 0
);

-- Per key×model: last use (for least-recently-used choice) and cooldown.
CREATE TABLE gemini_key_models (
	key_id     TEXT    NOT NULL,
	model      TEXT    NOT NULL,
	last_used  BIGINT  NOT NULL DEFAULT 0,
	cool_until BIGINT  NOT NULL DEFAULT 0,
	cool_why   TEXT    NOT NULL DEFAULT '',
	cool_daily BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (key_id, model)
);

-- Per project×model quota state: today's counts (day is the Pacific date),
-- the sliding minute window as JSON [[until_ms, tokens], …], limits learned
-- from 429s (0 = none) and the project's cooldown.
CREATE TABLE gemini_project_models (
	project       TEXT    NOT NULL,
	model         TEXT    NOT NULL,
	day           TEXT    NOT NULL,
	requests      BIGINT  NOT NULL DEFAULT 0,
	tokens_in     BIGINT  NOT NULL DEFAULT 0,
	minute_window TEXT    NOT NULL DEFAULT '[]',
	learned_rpm   BIGINT  NOT NULL DEFAULT 0,
	learned_tpm   BIGINT  NOT NULL DEFAULT 0,
	learned_rpd   BIGINT  NOT NULL DEFAULT 0,
	learned_tpd   BIGINT  NOT NULL DEFAULT 0,
	learned_at    BIGINT  NOT NULL DEFAULT 0,
	cool_until    BIGINT  NOT NULL DEFAULT 0,
	cool_why      TEXT    NOT NULL DEFAULT '',
	cool_daily    BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (project, model)
);

-- Daily history per key×model and Pacific day; rows hold the day's totals.
CREATE TABLE gemini_key_usage_daily (
	key_id     TEXT   NOT NULL,
	model      TEXT   NOT NULL,
	day        TEXT   NOT NULL,
	requests   BIGINT NOT NULL DEFAULT 0,
	tokens_in  BIGINT NOT NULL DEFAULT 0,
	tokens_out BIGINT NOT NULL DEFAULT 0,
	errors     BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (key_id, model, day)
);
CREATE INDEX gemini_key_usage_daily_day ON gemini_key_usage_daily (day);
