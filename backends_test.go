package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
	"github.com/hagemi/hagemi/handlers"
	"github.com/hagemi/hagemi/sqlstore"
	"github.com/hagemi/hagemi/sqlstore/redisstate"
	"github.com/hagemi/hagemi/sqlstore/sqltest"
)

// Replicas sharing a Redis ask Google for the model list once per
// interval between them, not once each.
func TestSharedModelListAsksGoogleOnce(t *testing.T) {
	key := "AIzaSyMODELLIST000000000000000000000001"
	fake := geminitest.New(t, geminitest.WithKey(key, geminitest.Key{}))
	url, prefix := sqltest.RedisURL(t), sqltest.RedisPrefix(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var catalogs []*gemini.Catalog
	for range 3 {
		st, err := redisstate.Open(context.Background(), url, prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		b := &backends{redis: st}
		client := &gemini.Client{HTTP: fake.Client(), BaseURL: fake.URL}
		c := gemini.NewCatalog(b.modelLister(log, client, time.Minute), func() []string { return []string{key} })
		if err := c.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
		catalogs = append(catalogs, c)
	}
	lists := 0
	for _, r := range fake.Requests() {
		if r.Action == "listModels" {
			lists++
		}
	}
	if lists != 1 {
		t.Errorf("three replicas listed models %d times at Google; want 1", lists)
	}
	for i, c := range catalogs {
		if _, ok := c.Lookup("gemini-2.5-flash"); !ok {
			t.Errorf("replica %d's catalog lacks gemini-2.5-flash", i)
		}
	}
}

func TestMetricsLabelTheReplica(t *testing.T) {
	pool := domain.NewPool(nil, time.Now)
	srv := httptest.NewServer(handlers.New(handlers.Deps{Pool: pool, Metrics: handlers.NewMetrics(pool, "replica-a")}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics") // loopback: no token needed
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`hagemi_conversations_saved_total{replica="replica-a"} 0`, `go_goroutines{replica="replica-a"}`,
		`hagemi_cluster_events_dropped_total{replica="replica-a"} 0`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// Two replicas tick the same job; only the lease holder runs it, so the
// job runs about once a tick, not twice.
func TestClusterJobRunsOnOneReplica(t *testing.T) {
	leases := map[string]func(t *testing.T) domain.Leases{
		"database": func(t *testing.T) domain.Leases {
			s, err := sqlstore.Open(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"redis": func(t *testing.T) domain.Leases {
			st, err := redisstate.Open(context.Background(), sqltest.RedisURL(t), sqltest.RedisPrefix(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
	}
	for name, open := range leases {
		t.Run(name, func(t *testing.T) {
			l := open(t)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			const every, ticks = 40 * time.Millisecond, 15
			ctx, cancel := context.WithTimeout(context.Background(), every*ticks+every/2)
			defer cancel()
			var mu sync.Mutex
			runs := map[string]int{}
			var wg sync.WaitGroup
			for _, self := range []string{"a", "b"} {
				b := &backends{leases: l, self: self}
				wg.Go(func() {
					b.clusterJob(ctx, log, "job", every, func(time.Time) {
						mu.Lock()
						runs[self]++
						mu.Unlock()
					})
				})
			}
			wg.Wait()
			// A slow tick can let the lease pass to the other replica, but
			// never both run every tick.
			if total := runs["a"] + runs["b"]; total == 0 || total > ticks+2 {
				t.Errorf("runs %v in %d ticks; want one replica's worth", runs, ticks)
			}
		})
	}
}
