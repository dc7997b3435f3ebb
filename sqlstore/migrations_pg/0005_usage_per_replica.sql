-- PostgreSQL twin of migrations/0005_usage_per_replica.sql: daily history
-- rows per replica, added up by readers.
ALTER TABLE gemini_key_usage_daily ADD COLUMN replica TEXT NOT NULL DEFAULT '';
ALTER TABLE gemini_key_usage_daily DROP CONSTRAINT gemini_key_usage_daily_pkey;
ALTER TABLE gemini_key_usage_daily ADD PRIMARY KEY (key_id, model, day, replica);
