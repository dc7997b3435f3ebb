package sqlstore

import "context"

// Ping checks that the database answers, for /healthz.
func (s *Store) Ping(ctx context.Context) error { return s.w.PingContext(ctx) }
