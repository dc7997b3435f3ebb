package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// accessRecord collects what one request did, for the access log and the
// metrics. Handlers fill it in as they learn things; it is only ever touched
// by the request's own goroutine.
type accessRecord struct {
	model     string
	key       string // masked upstream key of the last attempt
	attempts  int
	tokensIn  int
	tokensOut int
	label     string // the caller's masked credential label
}

type recordKey struct{}

// recordOf returns the request's record; a throwaway one outside observe.
func recordOf(ctx context.Context) *accessRecord {
	if r, ok := ctx.Value(recordKey{}).(*accessRecord); ok {
		return r
	}
	return &accessRecord{}
}

// statusWriter remembers the status and when the first byte went out. Unwrap
// lets http.ResponseController reach the real writer to flush streams.
type statusWriter struct {
	http.ResponseWriter
	status    int
	firstByte time.Time
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status, w.firstByte = code, time.Now()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status, w.firstByte = http.StatusOK, time.Now()
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe writes one access-log line and the request metrics per request.
func observe(d *Deps, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &accessRecord{}
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), recordKey{}, rec))
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		took := time.Since(start)
		var ttfb time.Duration
		if !sw.firstByte.IsZero() {
			ttfb = sw.firstByte.Sub(start)
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		d.Metrics.request(route, sw.status, rec, took, ttfb)
		if d.Access == nil {
			return
		}
		d.Access.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("ip", clientIP(r, d.TrustedProxies)),
			slog.String("credential", rec.label),
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.String("model", rec.model),
			slog.Int("status", sw.status),
			slog.String("upstream_key", rec.key),
			slog.Int("attempts", rec.attempts),
			slog.Int("tokens_in", rec.tokensIn),
			slog.Int("tokens_out", rec.tokensOut),
			slog.String("ttfb", ttfb.Round(time.Microsecond).String()),
			slog.String("duration", took.Round(time.Microsecond).String()),
		)
	})
}
