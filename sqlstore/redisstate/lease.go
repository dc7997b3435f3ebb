package redisstate

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hagemi/hagemi/domain"
)

var (
	//go:embed lease.lua
	leaseLua    string
	leaseScript = redis.NewScript(leaseLua)
)

var _ domain.Leases = (*State)(nil)

// TryLease takes the lease name for holder, or renews it when holder
// already has it, for ttl (at least a millisecond).
func (s *State) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if holder == "" {
		return false, fmt.Errorf("redisstate: lease %s: empty holder: %w", name, domain.ErrInvalid)
	}
	ms := max(ttl.Milliseconds(), 1)
	n, err := leaseScript.Run(ctx, s.rdb, []string{s.key("lease", name)}, holder, ms).Int()
	if err != nil {
		return false, fmt.Errorf("redisstate: lease %s: %w", name, err)
	}
	return n == 1, nil
}
