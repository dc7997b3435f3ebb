package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
)

// checkKeyWith turns the client's cheap probe into the pool's check: a key
// Google refuses is rejected, anything else (network, 5xx) is "unreachable"
// and never invalidates a key.
func checkKeyWith(client *gemini.Client) domain.CheckFunc {
	return func(ctx context.Context, key string) error {
		err := client.CheckKey(ctx, key)
		if ue := (*gemini.UpstreamError)(nil); errors.As(err, &ue) && ue.Kind == gemini.KindKeyInvalid {
			reason := ue.Reason
			if reason == "" {
				reason = ue.Message // already masked
			}
			return fmt.Errorf("%w: %s", domain.ErrKeyRejected, reason)
		}
		if err != nil {
			return errors.New(gemini.RedactKeys(err.Error()))
		}
		return nil
	}
}

// checkKeys tests every configured key at start (concurrently, bounded,
// with a timeout), logs a summary, then re-checks invalid keys on the
// configured interval and restores those Google accepts again.
func checkKeys(ctx context.Context, log *slog.Logger, b *backends, pool *domain.Pool, cfg config, check domain.CheckFunc) {
	secrets := make([]string, len(cfg.GeminiKeys))
	for i, k := range cfg.GeminiKeys {
		secrets[i] = k.Secret
	}
	checkCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	sum := domain.CheckAll(checkCtx, secrets, check, 8)
	cancel()
	if ctx.Err() != nil {
		return
	}
	pool.ApplyCheck(sum)
	level := slog.LevelInfo
	if sum.Valid == 0 && sum.Configured > 0 {
		level = slog.LevelError
	}
	log.Log(ctx, level, "gemini keys checked", "summary", sum.String())
	// One replica re-checks; the keys it restores reach the others as
	// events.
	b.clusterJob(ctx, log, "key-recheck", cfg.KeyRecheckInterval, func(time.Time) {
		if s := pool.Recheck(ctx, check, 4); s.Configured > 0 && ctx.Err() == nil {
			log.Info("invalid gemini keys re-checked", "summary", s.String())
		}
	})
}

// reportUsage logs the usage report every USAGE_REPORT_INTERVAL_MINUTES at
// REPORT_LOG_LEVEL.
func reportUsage(ctx context.Context, log *slog.Logger, b *backends, pool *domain.Pool, cfg config) {
	b.clusterJob(ctx, log, "usage-report", cfg.UsageReportInterval, func(now time.Time) {
		log.Log(ctx, cfg.ReportLevel, pool.UsageReport(now).Text())
	})
}

// loadLimits reads the model limits file over the embedded defaults. The
// default path may be missing; a path the operator set must exist.
func loadLimits(path string) (*domain.LimitTable, error) {
	explicit := path != ""
	if !explicit {
		path = "app/data/model_limits.json"
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return domain.DefaultLimits(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("MODEL_LIMITS_FILE: %w", err)
	}
	defer f.Close()
	t, err := domain.LoadLimits(f)
	if err != nil {
		return nil, fmt.Errorf("MODEL_LIMITS_FILE %s: %w", path, err)
	}
	return t, nil
}
