-- Daily history rows per replica: several replicas on one database each
-- write their own day totals, and readers add them up. A single process
-- writes replica ''. SQLite cannot change a primary key in place, so the
-- table is rebuilt.
CREATE TABLE gemini_key_usage_daily_new (
	key_id     TEXT    NOT NULL,
	model      TEXT    NOT NULL,
	day        TEXT    NOT NULL,
	replica    TEXT    NOT NULL DEFAULT '',
	requests   INTEGER NOT NULL DEFAULT 0,
	tokens_in  INTEGER NOT NULL DEFAULT 0,
	tokens_out INTEGER NOT NULL DEFAULT 0,
	errors     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (key_id, model, day, replica)
);
INSERT INTO gemini_key_usage_daily_new (key_id, model, day, requests, tokens_in, tokens_out, errors)
	SELECT key_id, model, day, requests, tokens_in, tokens_out, errors FROM gemini_key_usage_daily;
DROP TABLE gemini_key_usage_daily;
ALTER TABLE gemini_key_usage_daily_new RENAME TO gemini_key_usage_daily;
CREATE INDEX gemini_key_usage_daily_day ON gemini_key_usage_daily (day);
