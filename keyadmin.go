package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/sqlstore"
)

// keySaveTimeout bounds one synchronous save of an admin key change.
const keySaveTimeout = 10 * time.Second

// keyStore keeps the admin's changes to the Gemini keys (added, disabled
// or deleted in the portal) as overrides in the store: it is the pool's
// domain.KeySink, and loadGeminiKeys merges what it kept into
// GEMINI_API_KEYS at start. Added keys' secrets are stored (they could not
// be used after a restart otherwise) but only ever logged masked.
type keyStore struct {
	log        *slog.Logger
	store      *sqlstore.Store
	configured map[string]bool // KeyIDs in GEMINI_API_KEYS
}

// loadGeminiKeys returns the pool's keys at start and the sink for later
// changes. The keys are the configured ones, less those deleted in the
// portal and with those disabled there marked so, then the keys added
// there. An override of a key no longer configured (a deletion, a switch)
// is forgotten: a deleted key stays deleted only until it leaves the
// environment, so putting it back later brings it back.
func loadGeminiKeys(ctx context.Context, log *slog.Logger, store *sqlstore.Store, configured []domain.KeySpec) ([]domain.KeySpec, *keyStore, error) {
	overrides, err := store.ListKeyOverrides(ctx)
	if err != nil {
		return nil, nil, err
	}
	keys, stale := mergeKeys(configured, overrides)
	if len(stale) > 0 {
		if err := store.SaveKeyOverrides(ctx, stale); err != nil {
			return nil, nil, err
		}
		log.Info("portal changes to gemini keys no longer configured were forgotten", "count", len(stale))
	}
	ks := &keyStore{log: log, store: store, configured: map[string]bool{}}
	for _, k := range configured {
		ks.configured[domain.KeyID(k.Secret)] = true
	}
	if n := len(overrides) - len(stale); n > 0 {
		log.Info("gemini keys changed in the portal", "configured", len(configured), "in_pool", len(keys), "overrides", n)
	}
	return keys, ks, nil
}

// mergeKeys applies the stored overrides to the configured keys, and
// lists the overrides to forget (as empty ones, which delete).
func mergeKeys(configured []domain.KeySpec, overrides []domain.KeyOverride) (keys []domain.KeySpec, stale []domain.KeyOverride) {
	byID := make(map[string]domain.KeyOverride, len(overrides))
	for _, o := range overrides {
		byID[o.ID] = o
	}
	inEnv := make(map[string]bool, len(configured))
	for _, c := range configured {
		id := domain.KeyID(c.Secret)
		inEnv[id] = true
		if o := byID[id]; !o.Deleted {
			c.Disabled = o.Disabled
			keys = append(keys, c)
		}
	}
	for _, o := range overrides {
		switch {
		case inEnv[o.ID]: // configured too: the environment's entry, with the switch
		case o.Added && o.Secret != "":
			keys = append(keys, domain.KeySpec{Secret: o.Secret, Project: o.Project, Disabled: o.Disabled})
		default:
			stale = append(stale, domain.KeyOverride{ID: o.ID})
		}
	}
	return keys, stale
}

// SaveKeyChanges stores the pool's admin changes before it applies them.
// A failure is logged here: the portal's calls have no error to show.
func (ks *keyStore) SaveKeyChanges(changes []domain.KeyChange) error {
	if len(changes) == 0 {
		return nil
	}
	overrides := make([]domain.KeyOverride, len(changes))
	masked := make([]string, len(changes))
	for i, c := range changes {
		overrides[i] = ks.override(c)
		masked[i] = domain.MaskSecret(c.Spec.Secret)
	}
	ctx, cancel := context.WithTimeout(context.Background(), keySaveTimeout)
	defer cancel()
	if err := ks.store.SaveKeyOverrides(ctx, overrides); err != nil {
		ks.log.Error("gemini key change not saved, so not made", "op", changes[0].Op.String(), "keys", masked, "err", err)
		return fmt.Errorf("saving gemini key changes: %w", err)
	}
	ks.log.Info("gemini keys changed in the portal", "op", changes[0].Op.String(), "keys", masked)
	return nil
}

// override is the record of a key after change c. A configured key is
// recorded without its secret, and not at all in its plain state; a key
// added in the portal keeps its secret until it is removed.
func (ks *keyStore) override(c domain.KeyChange) domain.KeyOverride {
	o := domain.KeyOverride{ID: domain.KeyID(c.Spec.Secret), Project: c.Spec.Project}
	configured := ks.configured[o.ID]
	if !configured {
		o.Added, o.Secret = true, c.Spec.Secret
	}
	switch c.Op {
	case domain.KeyAdded: // a configured key added back loses its tombstone
		o.Disabled = c.Spec.Disabled
	case domain.KeyRemoved:
		if !configured {
			return domain.KeyOverride{ID: o.ID} // an added key leaves nothing behind
		}
		o.Deleted = true
	case domain.KeyDisabled:
		o.Disabled = true
	}
	return o
}
