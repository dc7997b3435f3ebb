// Command hagemi serves a pool of Google Gemini API keys behind an
// OpenAI-compatible API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // Pacific-time quota days must work in containers without zoneinfo

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/media"
	"github.com/hagemi/hagemi/handlers"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hagemi:", err)
		os.Exit(1)
	}
}

// run starts the server and blocks until ctx ends, then shuts down
// gracefully: new connections are refused and requests in flight, streams
// included, get up to SHUTDOWN_GRACE_SECONDS to finish.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	flags := flag.NewFlagSet(args[0], flag.ContinueOnError)
	flags.SetOutput(stderr)
	envFile := flags.String("env-file", ".env", "settings file read before the environment (empty: none)")
	healthcheck := flags.Bool("healthcheck", false, "probe /healthz of the server on PORT and exit (for container health checks)")
	if err := flags.Parse(args[1:]); err != nil {
		return err
	}
	if *healthcheck {
		return probeHealth(getenv("PORT"))
	}
	var file map[string]string
	if *envFile != "" {
		var err error
		if file, err = readDotEnv(*envFile); err != nil {
			return fmt.Errorf("reading %s: %w", *envFile, err)
		}
	}
	cfg, warnings, err := loadConfig(withDotEnv(getenv, file))
	if err != nil {
		return err
	}
	lg := openLogs(cfg, stderr)
	defer lg.Close()
	log := lg.main
	for _, w := range warnings {
		log.Warn(w)
	}

	b, err := openBackends(ctx, log, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	store := b.store
	usage, err := handlers.NewKeyUsage(ctx, store, time.Now)
	if err != nil {
		return fmt.Errorf("loading key usage: %w", err)
	}
	usage.Shared = b.shared()

	limits, err := loadLimits(cfg.ModelLimitsFile)
	if err != nil {
		return err
	}
	geminiKeys, keySink, err := loadGeminiKeys(ctx, log, store, cfg.GeminiKeys)
	if err != nil {
		return fmt.Errorf("loading gemini keys: %w", err)
	}
	configured := cfg.GeminiKeys
	cfg.GeminiKeys = geminiKeys // the start-up check and the logs see the pool's keys
	var pool *domain.Pool
	reloadKeys := func() { // another replica may have changed the key list
		err := pool.SyncKeys(func() ([]domain.KeySpec, error) {
			overrides, err := store.ListKeyOverrides(ctx)
			keys, _ := mergeKeys(configured, overrides)
			return keys, err
		})
		if err != nil {
			log.Error("reloading gemini keys changed by another replica", "err", err)
		}
	}
	opts := append([]domain.PoolOption{domain.WithLimits(limits), domain.WithKeySink(keySink)}, b.cluster(log, reloadKeys)...)
	pool = domain.NewPool(cfg.GeminiKeys, time.Now, opts...)
	keyState, err := store.LoadKeyState(ctx)
	if err != nil {
		return fmt.Errorf("loading key state: %w", err)
	}
	pool.Restore(keyState)
	client := &gemini.Client{HTTP: gemini.NewHTTPClient(cfg.RequestTimeout), BaseURL: cfg.GeminiBaseURL}
	catalog := gemini.NewCatalog(b.modelLister(log, client, cfg.ModelRefreshInterval), pool.Secrets)
	catalog.AddExtra(cfg.ExtraModels...)

	replicaLabel := "" // a single process needs no name
	if b.shared() {
		replicaLabel = cfg.Replica
	}
	deps := handlers.Deps{
		Log:           log,
		Upstream:      client,
		Catalog:       catalog,
		Pool:          pool,
		Credentials:   handlers.NewCredentials(cfg.AdminKey, cfg.Passwords, handlers.StoreKeys{Store: store, Now: time.Now}),
		Keys:          store,
		Conversations: store,
		Settings:      store,
		Usage:         usage,
		Memory: handlers.MemoryConfig{
			SaveStreamed:     cfg.StreamSaveReply,
			DefaultMaxTokens: cfg.DefaultMaxContext,
			SafetyMargin:     cfg.ContextSafetyMargin,
			AppendUnnamed:    cfg.AppendUnnamed,
		},
		IPLimiter:       b.limiter(log, cfg.RequestsPerMinute, cfg.RequestsPerDayPerIP),
		KeyLimiter:      b.limiter(log, 0, 0),
		Signatures:      domain.NewSignatureCache(24*time.Hour, 200_000, time.Now),
		TrustedProxies:  cfg.TrustedProxies,
		MaxBodyBytes:    cfg.MaxRequestBodyBytes,
		MaxRetries:      cfg.MaxRetries,
		RequestTimeout:  cfg.RequestTimeout,
		Heartbeat:       cfg.StreamHeartbeat,
		SafetyThreshold: "BLOCK_NONE",
		Started:         time.Now(),
		Access:          lg.access,
		Metrics:         handlers.NewMetrics(pool, replicaLabel),
		MetricsToken:    cfg.MetricsToken,
		Health:          b.health(),
		Replica:         replicaLabel,
	}
	if cfg.DisableSafety {
		deps.SafetyThreshold = "OFF"
	}
	portal, err := handlers.NewPortalDeps(ctx, store.DB(), handlers.PortalConfig{
		SecretKey:       cfg.SecretKey,
		IdleTimeout:     cfg.AccessTokenExpire,
		ProtectStatus:   cfg.ProtectStatusPage,
		Version:         version,
		MemoryMode:      store.Mode() == "memory",
		AdminConfigured: cfg.AdminKey != "",
	})
	if err != nil {
		return fmt.Errorf("portal: %w", err)
	}
	portal.KeyUsageHistory = store.KeyUsageDailySince
	portal.CheckKey = checkKeyWith(client)
	deps.Portal = portal
	if cfg.AllowRemoteImages {
		deps.Fetcher = media.NewFetcher(media.FetcherOptions{})
	}

	bg, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
	var jobs sync.WaitGroup
	jobs.Go(func() {
		usage.Run(bg, 5*time.Second, func(err error) { log.Error("proxy key usage not saved", "err", err) })
	})
	jobs.Go(func() { cleanConversations(bg, log, b, cfg) })
	jobs.Go(func() { pool.RunCluster(bg) })
	jobs.Go(func() { b.reconcileKeys(bg, reloadKeys) })
	jobs.Go(func() { // the last flush of the pool's state happens when bg ends
		if err := domain.RunPersister(bg, pool, store, 5*time.Second, func(err error) {
			log.Error("key pool state not saved", "err", err)
		}); err != nil {
			log.Error("key pool state not saved at shutdown", "err", err)
		}
	})
	jobs.Go(func() { checkKeys(bg, log, b, pool, cfg, checkKeyWith(client)) })
	jobs.Go(func() { reportUsage(bg, log, b, pool, cfg) })
	jobs.Go(func() { lg.rotateErrors(cfg.LogRotation, bg.Done()) })
	go func() {
		if err := catalog.Refresh(bg); err != nil && len(cfg.GeminiKeys) > 0 {
			log.Warn("model list not loaded yet; model names are not checked until it is", "err", gemini.RedactKeys(err.Error()))
		}
		catalog.Run(bg, cfg.ModelRefreshInterval, func(err error) {
			log.Warn("model list refresh failed; serving the last good list", "err", gemini.RedactKeys(err.Error()))
		})
	}()

	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handlers.New(deps),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		// No WriteTimeout: streams legitimately last minutes.
		Protocols: serverProtocols(),
	}
	log.Info("hagemi listening", "addr", ln.Addr().String(), "keys", len(cfg.GeminiKeys), "upstream", cfg.GeminiBaseURL,
		"storage", store.Mode(), "shared_redis", b.redis != nil, "replica", cfg.Replica, "logs", lg.dir)

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down; waiting for requests in flight", "grace", cfg.ShutdownGrace)
	graceCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(graceCtx); err != nil {
		log.Warn("grace period over; closing remaining connections", "err", err)
		srv.Close()
	}
	stopBackground()
	jobs.Wait() // the last usage flush happens here
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// serverProtocols accepts HTTP/1 and, beside it on the same port, HTTP/2
// without TLS from clients and proxies that know to speak it (prior
// knowledge): their streams share one connection instead of costing one
// each. TLS, when there is any, ends at the platform's proxy.
func serverProtocols() *http.Protocols {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	return p
}

// cleanConversations applies the conversation TTL (the portal's setting) and,
// in memory mode, the cap on stored conversations, every cleanup interval.
func cleanConversations(ctx context.Context, log *slog.Logger, b *backends, cfg config) {
	store := b.store
	keep := 0
	if store.Mode() == "memory" {
		keep = cfg.MaxMemoryRecords
	}
	b.clusterJob(ctx, log, "conversation-cleanup", cfg.CleanupInterval, func(now time.Time) {
		days, err := store.ContextTTLDays(ctx)
		if err != nil {
			log.Error("reading the conversation TTL", "err", err)
			return
		}
		cutoff := time.Time{} // TTL 0: conversations never expire
		if days > 0 {
			cutoff = now.Add(-time.Duration(days) * 24 * time.Hour)
		}
		if n, err := store.PurgeConversations(ctx, cutoff, keep); err != nil {
			log.Error("conversation cleanup failed", "err", err)
		} else if n > 0 {
			log.Info("conversations removed", "count", n, "ttl_days", days)
		}
	})
}

// probeHealth asks the local server for /healthz; distroless images have no
// curl, so the binary checks itself.
func probeHealth(port string) error {
	if port == "" {
		port = "7860"
	}
	c := &http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get("http://127.0.0.1:" + port + "/healthz")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %d", resp.StatusCode)
	}
	return nil
}
