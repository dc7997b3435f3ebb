-- The admin's changes to the Gemini keys (the portal's /manage/gemini) over
-- GEMINI_API_KEYS: keys added at run time, and configured keys disabled or
-- deleted. A configured key that is neither has no row.
--
-- secret is kept for added keys only, because without it an added key
-- could not be used after a restart. It is the operator's own credential,
-- stored like GEMINI_API_KEYS in the environment or .env and protected the
-- same way (the database file's permissions); the program never logs,
-- renders or exports it. Configured keys are named by key_id alone.
-- updated_at is Unix milliseconds.
CREATE TABLE gemini_key_overrides (
	key_id     TEXT    PRIMARY KEY, -- domain.KeyID of the secret
	secret     TEXT    NOT NULL DEFAULT '',
	project    TEXT    NOT NULL DEFAULT '',
	added      INTEGER NOT NULL DEFAULT 0,
	disabled   INTEGER NOT NULL DEFAULT 0,
	deleted    INTEGER NOT NULL DEFAULT 0,
	updated_at INTEGER NOT NULL
);
