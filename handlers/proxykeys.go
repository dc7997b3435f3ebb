package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hagemi/hagemi/domain"
)

// proxyKeyPrefix starts every issued proxy key; other tokens skip the
// database lookup.
const proxyKeyPrefix = "hk-"

// StoreKeys authenticates issued proxy keys against the store. The store
// keeps only a hash, so the lookup is by hash and needs no comparison of
// secrets here.
type StoreKeys struct {
	Store ProxyKeyStore
	Now   func() time.Time
}

// AuthenticateProxyKey implements ProxyKeys. Unknown keys are
// domain.ErrNotFound (the caller answers a plain 401); disabled and expired
// ones say so, as their owner needs to know why.
func (s StoreKeys) AuthenticateProxyKey(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, proxyKeyPrefix) {
		return Principal{}, domain.ErrNotFound
	}
	k, err := s.Store.LookupProxyKey(ctx, secret)
	if err != nil {
		return Principal{}, err
	}
	if !k.Enabled {
		return Principal{}, fmt.Errorf("%w: this API key is disabled", domain.ErrUnauthorized)
	}
	if k.Expired(s.Now()) {
		return Principal{}, fmt.Errorf("%w: this API key expired on %s", domain.ErrUnauthorized, k.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return Principal{
		Role:          RoleUser,
		Owner:         domain.ProxyKeyOwner(k.ID),
		Label:         fmt.Sprintf("key:%d (%s…)", k.ID, k.Prefix),
		KeyID:         k.ID,
		RPM:           k.RPMLimit,
		RPD:           k.RPDLimit,
		TPD:           k.TPDLimit,
		AllowedModels: k.AllowedModels,
		NoMemory:      !k.MemoryEnabled,
	}, nil
}
