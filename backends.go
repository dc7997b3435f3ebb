package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/handlers"
	"github.com/hagemi/hagemi/sqlstore"
	"github.com/hagemi/hagemi/sqlstore/redisstate"
)

// backends are where state lives: SQLite for a single process, or
// PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) shared by replicas.
type backends struct {
	store  *sqlstore.Store
	redis  *redisstate.State // nil without REDIS_URL
	leases domain.Leases
	self   string
}

func openBackends(ctx context.Context, log *slog.Logger, cfg config) (*backends, error) {
	// Leases and events need a name no other process has, even when the
	// operator gives every replica the same REPLICA_NAME.
	b := &backends{self: cfg.Replica + "#" + strings.ToLower(rand.Text()[:8])}
	var err error
	if cfg.DatabaseURL != "" {
		b.store, err = sqlstore.OpenPostgres(ctx, cfg.DatabaseURL)
	} else {
		b.store, err = sqlstore.Open(ctx, cfg.DBPath)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	b.leases = b.store
	if cfg.RedisURL != "" {
		if b.redis, err = redisstate.Open(ctx, cfg.RedisURL, cfg.RedisPrefix); err != nil {
			b.store.Close()
			return nil, fmt.Errorf("opening redis: %w", err)
		}
		b.redis.OnError = logEvery(log, time.Minute, "redis subscription lost; reconnecting")
		b.leases = b.redis
	}
	if b.shared() {
		// Each process keeps its own daily history rows; readers add
		// them up.
		b.store.Replica = b.self
	}
	switch {
	case cfg.DatabaseURL != "" && b.redis == nil:
		log.Warn("PostgreSQL without REDIS_URL: replicas share keys, users and conversations, " +
			"but each counts quotas, cooldowns and client limits on its own")
	case b.redis != nil && cfg.DatabaseURL == "":
		log.Warn("REDIS_URL without DATABASE_URL: quotas are shared, but keys, users and conversations stay in this process's SQLite")
	}
	return b, nil
}

func (b *backends) Close() error {
	var err error
	if b.redis != nil {
		err = b.redis.Close()
	}
	return errors.Join(err, b.store.Close())
}

// shared reports whether other replicas may share this state.
func (b *backends) shared() bool { return b.redis != nil || b.store.Mode() == "postgres" }

// health is /healthz's check of each backend.
func (b *backends) health() map[string]handlers.HealthCheck {
	h := map[string]handlers.HealthCheck{"database": {Check: b.store.Ping}}
	if b.redis != nil { // without Redis a replica serves on its own counts
		h["redis"] = handlers.HealthCheck{Check: b.redis.Ping, Optional: true}
	}
	return h
}

// cluster is the pool's link to the other replicas; nil without Redis.
func (b *backends) cluster(log *slog.Logger, reload func()) []domain.PoolOption {
	if b.redis == nil {
		return nil
	}
	return []domain.PoolOption{domain.WithCluster(domain.Cluster{
		Ledger:        b.redis,
		Bus:           b.redis,
		Replica:       b.self,
		OnError:       logEvery(log, time.Minute, "shared key-pool state unavailable; using this replica's own counts"),
		OnKeysChanged: reload,
	})}
}

// limiter is a per-client request limiter: Redis-backed when replicas
// share one, else in memory.
func (b *backends) limiter(log *slog.Logger, perMinute, perDay int) domain.RequestLimiter {
	if b.redis == nil {
		return domain.NewClientLimiter(perMinute, perDay)
	}
	l := b.redis.Limiter(perMinute, perDay)
	l.OnError = logEvery(log, time.Minute, "shared client limits unavailable; allowing requests")
	return l
}

// keysReconcileInterval is how often a replica re-reads the shared key
// list: without Redis it is the only way admin changes on another replica
// arrive, and with Redis it repairs a missed event.
const keysReconcileInterval = 30 * time.Second

// reconcileKeys calls reload on keysReconcileInterval while the store is
// shared, until ctx ends.
func (b *backends) reconcileKeys(ctx context.Context, reload func()) {
	if b.shared() {
		tick(ctx, keysReconcileInterval, func(time.Time) { reload() })
	}
}

// clusterJob runs f every interval until ctx ends, on one replica at a
// time: the holder of the job's lease (a single process always is).
func (b *backends) clusterJob(ctx context.Context, log *slog.Logger, name string, every time.Duration, f func(now time.Time)) {
	tick(ctx, every, func(now time.Time) {
		if b.leader(ctx, log, name, every) {
			f(now)
		}
	})
}

// tick calls f every d until ctx ends.
func tick(ctx context.Context, d time.Duration, f func(now time.Time)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			f(now)
		}
	}
}

// leader reports whether this replica runs the cluster-wide job name now.
// A replica holds the lease for twice the job's interval and renews it at
// every run, so a crashed holder is replaced within that time. A failed
// lookup skips the run: running a job twice is worse than once late.
func (b *backends) leader(ctx context.Context, log *slog.Logger, name string, every time.Duration) bool {
	ok, err := b.leases.TryLease(ctx, name, b.self, 2*every)
	if err != nil {
		log.Warn("job lease unavailable; skipping this run", "job", name, "err", err)
		return false
	}
	return ok
}

// logEvery logs an error at most once per interval: a backend outage
// fails every request, and the log must stay readable.
func logEvery(log *slog.Logger, every time.Duration, msg string) func(error) {
	var mu sync.Mutex
	var last time.Time
	return func(err error) {
		if !mu.TryLock() {
			return // another request is logging the same outage
		}
		defer mu.Unlock()
		if time.Since(last) >= every {
			last = time.Now()
			log.Warn(msg, "err", err)
		}
	}
}

// modelLister is the catalog's source of the model list: Google, through
// Redis when replicas share one, so that a refresh on N replicas costs one
// call to Google per interval instead of N.
func (b *backends) modelLister(log *slog.Logger, client *gemini.Client, ttl time.Duration) gemini.ModelLister {
	if b.redis == nil {
		return client
	}
	return sharedModelList{upstream: client, redis: b.redis, ttl: ttl, log: log}
}

type sharedModelList struct {
	upstream gemini.ModelLister
	redis    *redisstate.State
	ttl      time.Duration
	log      *slog.Logger
}

const modelListCacheKey = "models"

func (s sharedModelList) ListModels(ctx context.Context, key string) ([]gemini.Model, error) {
	if b, ok, err := s.redis.GetCache(ctx, modelListCacheKey); err == nil && ok {
		var models []gemini.Model
		if err := json.Unmarshal(b, &models); err == nil && len(models) > 0 {
			return models, nil
		}
	} else if err != nil {
		s.log.Warn("shared model list unavailable; asking Google", "err", err)
	}
	models, err := s.upstream.ListModels(ctx, key)
	if err != nil {
		return nil, err
	}
	if b, err := json.Marshal(models); err == nil {
		if err := s.redis.SetCache(ctx, modelListCacheKey, b, s.ttl); err != nil {
			s.log.Warn("shared model list not saved", "err", err)
		}
	}
	return models, nil
}
