package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hagemi/hagemi/domain"
)

// TryLease takes or renews the lease name for holder until ttl from now
// (Store.Now) and reports whether holder has it; it implements
// domain.Leases. One upsert decides, so two replicas asking at once
// cannot both win: the row is written only when it is new, expired or
// already holder's, and RETURNING yields no row otherwise.
func (s *Store) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return false, fmt.Errorf("sqlstore: lease %q: %w", name, domain.Invalid("lease", "want a name, a holder and a positive ttl"))
	}
	now := s.now()
	var got string
	err := s.w.GetContext(ctx, &got, s.w.Rebind(`INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= ?
		RETURNING holder`), name, holder, now+ttl.Milliseconds(), now)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlstore: lease %s: %w", name, err)
	}
	return got == holder, nil
}
