-- Named leases that elect one replica for a once-per-cluster job
-- (domain.Leases, Store.TryLease). expires_at is Unix milliseconds.
CREATE TABLE leases (
	name       TEXT    PRIMARY KEY,
	holder     TEXT    NOT NULL,
	expires_at INTEGER NOT NULL
);
