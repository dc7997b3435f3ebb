package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/views"
)

// handleStatus is the home page; the live block alone when htmx polls it.
func handleStatus(pg *pages, d *Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, ok := signedIn(r)
		v := views.StatusView{Meta: pg.meta(r), Version: d.Portal.Version, Protected: d.Portal.ProtectStatus && !ok}
		if !v.Protected {
			fillStatus(r.Context(), &v, d)
		}
		if fragment(r) && r.Header.Get("HX-Target") == "live" && !v.Protected {
			pg.render(w, r, http.StatusOK, views.StatusLive(v))
			return
		}
		pg.render(w, r, http.StatusOK, views.StatusPage(v))
	})
}

func fillStatus(ctx context.Context, v *views.StatusView, d *Deps) {
	now := d.Now()
	v.Now = now
	if !d.Started.IsZero() {
		v.Uptime = now.Sub(d.Started)
	}
	rep := d.Pool.UsageReport(now)
	v.Keys = keyCounts(d.Pool.Status())
	var tips []string
	for _, m := range rep.Models {
		v.Today.Requests += m.Today.Requests
		v.Today.TokensIn += m.Today.InputTokens
		v.Today.TokensOut += m.Today.OutputTokens
		v.Today.Errors += m.Today.Errors
		if m.Suggestion.Action != domain.SuggestNone && m.Suggestion.Text != "" {
			tips = append(tips, m.Model+": "+m.Suggestion.Text)
		}
	}
	v.Today.ErrorsKnown = true
	v.Suggestion = strings.Join(tips, "; ")
	if !d.Portal.AdminConfigured {
		v.Warnings = append(v.Warnings, "warn.noadmin")
	}
	if d.Credentials != nil && !d.Credentials.Configured() {
		v.Warnings = append(v.Warnings, "warn.nologin")
	}
	if v.Keys.Configured == 0 {
		v.Warnings = append(v.Warnings, "warn.nokeys")
	}
	if d.Portal.MemoryMode {
		v.Warnings = append(v.Warnings, "warn.memory")
	}
}

// keyCounts sorts the keys by state. A key cooling down for some model is
// still active for the others, so Cooling is a part of Active.
func keyCounts(keys []domain.KeyStatus) views.KeyCounts {
	c := views.KeyCounts{Configured: len(keys)}
	for _, k := range keys {
		switch {
		case k.Invalid:
			c.Invalid++
		case len(k.Cooling) > 0:
			c.Active++
			c.Cooling++
		default:
			c.Active++
		}
	}
	return c
}

// maskOwner shows a conversation or usage owner without its full
// identifier: a proxy key by number, a password user by a short hash.
func maskOwner(owner string) string {
	switch {
	case owner == "admin":
		return "admin"
	case strings.HasPrefix(owner, "key:"):
		if id, err := strconv.ParseInt(owner[4:], 10, 64); err == nil {
			return "key #" + strconv.FormatInt(id, 10)
		}
	case strings.HasPrefix(owner, "user:") && len(owner) > 9:
		return owner[:9] + "…"
	}
	return domain.MaskSecret(owner)
}

// ptToday is the current Pacific day, the day usage is counted in.
func ptToday(now time.Time) string { return domain.PTDay(now) }
