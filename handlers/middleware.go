package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/hagemi/hagemi/domain"
)

// recoverPanics turns a handler panic into a 500 and a log line instead of
// a dropped connection.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				writeAPIError(w, apiError{Status: 500, Type: "server_error", Message: "Internal error."})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// cors lets browser clients (LobeChat, Chatbox web) call /v1. Credentials are
// bearer tokens, never cookies, so any origin may call.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "Retry-After, Retry-After-Ms, X-Should-Retry, X-Request-Id")
		next.ServeHTTP(w, r)
	})
}

func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	} else {
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Stainless-Lang, X-Stainless-Package-Version, X-Stainless-OS, X-Stainless-Arch, X-Stainless-Runtime, X-Stainless-Runtime-Version, X-Stainless-Retry-Count, OpenAI-Organization, OpenAI-Project, Api-Key, X-Conversation-Id, X-Context")
	}
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// errorWriter writes an error in one API's envelope: writeAPIError for
// OpenAI's, writeGeminiError for Gemini's native routes.
type errorWriter func(http.ResponseWriter, apiError)

// requireCredential admits requests with a valid credential (bearer,
// x-goog-api-key or ?key=). With no credential configured the gateway is
// closed, never open.
func requireCredential(d *Deps, next http.Handler) http.Handler {
	return requireCredentialAs(d, writeAPIError, next)
}

// requireCredentialAs is requireCredential answering failures with write.
func requireCredentialAs(d *Deps, write errorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !d.Credentials.Configured() {
			write(w, apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "not_configured",
				Message: "This gateway has no credentials configured; the operator must set PASSWORD or ADMIN_API_KEY."})
			return
		}
		token, _ := clientToken(r)
		p, err := d.Credentials.Authenticate(r.Context(), token)
		if err != nil {
			msg := "Invalid API key. Send Authorization: Bearer <key>."
			if errors.Is(err, domain.ErrUnauthorized) {
				msg = err.Error()
			} else if !errors.Is(err, errBadCredential) {
				d.Log.Error("credential check failed", "err", err)
				write(w, apiError{Status: 500, Type: "server_error", Message: "Internal error."})
				return
			}
			write(w, apiError{Status: http.StatusUnauthorized, Type: "invalid_request_error", Code: "invalid_api_key", Message: msg})
			return
		}
		recordOf(r.Context()).label = p.Label
		next.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

// limitByIP applies the per-client-address limits, then the caller's own
// per-credential limits.
func limitByIP(d *Deps, next http.Handler) http.Handler {
	return limitByIPAs(d, writeAPIError, next)
}

// limitByIPAs is limitByIP answering refusals with write.
func limitByIPAs(d *Deps, write errorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := d.Now()
		if d.IPLimiter != nil {
			if err := d.IPLimiter.Allow(clientIP(r, d.TrustedProxies), now); err != nil {
				write(w, statusFor(err))
				return
			}
		}
		p := principalFrom(r.Context())
		if d.KeyLimiter != nil && (p.RPM > 0 || p.RPD > 0) {
			if err := d.KeyLimiter.AllowLimits(p.Owner, now, p.RPM, p.RPD); err != nil {
				write(w, statusFor(err))
				return
			}
		}
		if p.TPD > 0 && d.Usage != nil && d.Usage.TokensToday(p.KeyID) >= p.TPD {
			d.Metrics.rejected("key_tokens")
			wait := domain.NextPTMidnight(now).Sub(now)
			write(w, statusFor(&domain.RetryAfterError{Err: domain.ErrRateLimited, RetryAfter: wait, Daily: true}))
			return
		}
		next.ServeHTTP(w, r)
	})
}
