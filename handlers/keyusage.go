package handlers

import (
	"context"
	"sync"
	"time"

	"github.com/hagemi/hagemi/domain"
)

// KeyUsage counts each proxy key's requests and tokens per Pacific day in
// memory, for per-key daily token limits and the portal, and writes them
// behind in batches so no request waits for a database write.
type KeyUsage struct {
	// Shared means other replicas write to the same store: Run then
	// re-reads today's totals after each flush, so a key's daily token
	// limit counts every replica's use (within one flush interval). Set
	// it before Run.
	Shared bool

	store ProxyKeyStore
	now   func() time.Time

	mu      sync.Mutex
	day     string
	today   map[int64]domain.ProxyKeyUsage // totals of the current day
	pending map[int64]domain.ProxyKeyUsage // not yet written
	touched map[int64]time.Time            // last use, not yet written
}

// NewKeyUsage loads today's totals so limits hold across restarts.
func NewKeyUsage(ctx context.Context, store ProxyKeyStore, now func() time.Time) (*KeyUsage, error) {
	u := &KeyUsage{store: store, now: now, day: domain.PTDay(now()),
		today: map[int64]domain.ProxyKeyUsage{}, pending: map[int64]domain.ProxyKeyUsage{}, touched: map[int64]time.Time{}}
	rows, err := store.ProxyKeyUsageSince(ctx, u.day)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.Day == u.day {
			u.today[r.KeyID] = r
		}
	}
	return u, nil
}

func (u *KeyUsage) rollLocked(now time.Time) {
	if d := domain.PTDay(now); d != u.day {
		u.day, u.today = d, map[int64]domain.ProxyKeyUsage{}
	}
}

// TokensToday is the key's input plus output tokens in the current day.
func (u *KeyUsage) TokensToday(id int64) int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.rollLocked(u.now())
	t := u.today[id]
	return t.TokensIn + t.TokensOut
}

// Today is the key's totals for the current day.
func (u *KeyUsage) Today(id int64) domain.ProxyKeyUsage {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.rollLocked(u.now())
	return u.today[id]
}

// Add counts one request of key id.
func (u *KeyUsage) Add(id int64, tokensIn, tokensOut int) {
	now := u.now()
	u.mu.Lock()
	defer u.mu.Unlock()
	u.rollLocked(now)
	one := domain.ProxyKeyUsage{Requests: 1, TokensIn: int64(tokensIn), TokensOut: int64(tokensOut)}
	if p, ok := u.pending[id]; ok && p.Day != u.day {
		// A batch holds one day per key; the old day goes out first.
		u.mu.Unlock()
		u.Flush(context.Background())
		u.mu.Lock()
	}
	addUsage(u.today, id, u.day, one)
	addUsage(u.pending, id, u.day, one)
	u.touched[id] = now
}

// Flush writes what was counted since the last flush. On failure the counts
// are kept for the next try.
func (u *KeyUsage) Flush(ctx context.Context) error {
	u.mu.Lock()
	pending, touched := u.pending, u.touched
	u.pending, u.touched = map[int64]domain.ProxyKeyUsage{}, map[int64]time.Time{}
	u.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	batch := make([]domain.ProxyKeyUsage, 0, len(pending))
	for _, r := range pending {
		batch = append(batch, r)
	}
	err := u.store.AddProxyKeyUsage(ctx, batch)
	if err == nil {
		err = u.store.TouchProxyKeys(ctx, touched)
	}
	if err != nil {
		u.mu.Lock()
		for id, r := range pending {
			addUsage(u.pending, id, r.Day, r)
		}
		for id, t := range touched {
			u.touched[id] = t
		}
		u.mu.Unlock()
	}
	return err
}

// Refresh sets today's totals to the store's (every replica's flushed
// counts, as rows add up) plus what this process has not written yet.
func (u *KeyUsage) Refresh(ctx context.Context) error {
	u.mu.Lock()
	u.rollLocked(u.now())
	day := u.day
	u.mu.Unlock()
	rows, err := u.store.ProxyKeyUsageSince(ctx, day)
	if err != nil {
		return err
	}
	today := make(map[int64]domain.ProxyKeyUsage, len(rows))
	for _, r := range rows {
		if r.Day == day {
			today[r.KeyID] = r
		}
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.day != day { // the day turned meanwhile; the rows are stale
		return nil
	}
	for id, p := range u.pending {
		if p.Day == day {
			addUsage(today, id, day, p)
		}
	}
	u.today = today
	return nil
}

// Run flushes every interval until ctx ends, then once more; with Shared
// it refreshes after each flush.
func (u *KeyUsage) Run(ctx context.Context, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := u.Flush(context.Background()); err != nil {
				onErr(err)
			}
			return
		case <-t.C:
			err := u.Flush(ctx)
			if err == nil && u.Shared {
				err = u.Refresh(ctx)
			}
			if err != nil {
				onErr(err)
			}
		}
	}
}

// addUsage adds r's counts to key id's entry of m for day.
func addUsage(m map[int64]domain.ProxyKeyUsage, id int64, day string, r domain.ProxyKeyUsage) {
	t := m[id]
	t.KeyID, t.Day = id, day
	t.Requests += r.Requests
	t.TokensIn += r.TokensIn
	t.TokensOut += r.TokensOut
	m[id] = t
}
