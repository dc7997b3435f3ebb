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
	"syscall"
	"time"
	_ "time/tzdata" // Pacific-time quota days must work in containers without zoneinfo

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/media"
	"github.com/hagemi/hagemi/handlers"
)

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
	if err := flags.Parse(args[1:]); err != nil {
		return err
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
	level := slog.LevelInfo
	if cfg.Debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	for _, w := range warnings {
		log.Warn(w)
	}

	pool := domain.NewPool(cfg.GeminiKeys, time.Now)
	client := &gemini.Client{HTTP: gemini.NewHTTPClient(cfg.RequestTimeout), BaseURL: cfg.GeminiBaseURL}
	catalog := gemini.NewCatalog(client, pool.Secrets)

	deps := handlers.Deps{
		Log:             log,
		Upstream:        client,
		Catalog:         catalog,
		Pool:            pool,
		Credentials:     handlers.NewCredentials(cfg.AdminKey, cfg.Passwords, nil),
		IPLimiter:       domain.NewClientLimiter(cfg.RequestsPerMinute, cfg.RequestsPerDayPerIP),
		KeyLimiter:      domain.NewClientLimiter(0, 0),
		Signatures:      domain.NewSignatureCache(24*time.Hour, 200_000, time.Now),
		TrustedProxies:  cfg.TrustedProxies,
		MaxBodyBytes:    cfg.MaxRequestBodyBytes,
		MaxRetries:      cfg.MaxRetries,
		RequestTimeout:  cfg.RequestTimeout,
		Heartbeat:       cfg.StreamHeartbeat,
		SafetyThreshold: "BLOCK_NONE",
		Started:         time.Now(),
	}
	if cfg.DisableSafety {
		deps.SafetyThreshold = "OFF"
	}
	if cfg.AllowRemoteImages {
		deps.Fetcher = media.NewFetcher(media.FetcherOptions{})
	}

	bg, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
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
	}
	log.Info("hagemi listening", "addr", ln.Addr().String(), "keys", len(cfg.GeminiKeys), "upstream", cfg.GeminiBaseURL)

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
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
