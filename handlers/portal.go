package handlers

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jmoiron/sqlx"

	"github.com/hagemi/hagemi/domain"
)

// PortalDeps is what the portal needs beyond the API's Deps. Build it with
// NewPortalDeps.
type PortalDeps struct {
	// Sessions keeps sign-ins server-side, in the store's database.
	Sessions *scs.SessionManager
	// ProtectStatus hides the status page's details until sign-in
	// (PROTECT_STATUS_PAGE).
	ProtectStatus bool
	// Version is shown in the footer and on the status page.
	Version string
	// MemoryMode says the store is in memory: pages warn that conversations,
	// proxy keys and sessions do not survive a restart.
	MemoryMode bool
	// AdminConfigured is false without ADMIN_API_KEY; the status page warns.
	AdminConfigured bool
	// LoginLimiter counts failed sign-ins per client address.
	LoginLimiter *domain.ClientLimiter
	// KeyUsageHistory, when set, reads the Gemini pool's per key×model daily
	// totals from fromDay (a Pacific day, "2006-01-02") on, so the usage page
	// can chart all traffic for 30 days; nil charts proxy-key traffic only.
	KeyUsageHistory func(ctx context.Context, fromDay string) ([]domain.KeyUsageDay, error)
	// CheckKey, when set, lets the admin re-check one Gemini key now (the
	// check the pool's periodic re-check uses).
	CheckKey domain.CheckFunc
}

// PortalConfig is the portal's share of the configuration.
type PortalConfig struct {
	// SecretKey keys the session table's token hashes (SECRET_KEY). Empty
	// picks a random key, so sessions end at restart.
	SecretKey string
	// IdleTimeout ends a session after this long without a request
	// (ACCESS_TOKEN_EXPIRE_MINUTES); 0 means 30 minutes.
	IdleTimeout time.Duration
	// Lifetime ends every session this long after sign-in; 0 means 12 hours.
	Lifetime        time.Duration
	ProtectStatus   bool
	Version         string
	MemoryMode      bool
	AdminConfigured bool
}

// sessionCookie is the session cookie's name. It cannot take the __Host-
// prefix, which demands Secure on plain-HTTP installs too.
const sessionCookie = "hagemi_session"

// NewPortalDeps creates the session table in db (the store's writer
// handle) if needed and configures sessions and the sign-in throttle.
func NewPortalDeps(ctx context.Context, db *sqlx.DB, c PortalConfig) (*PortalDeps, error) {
	secret := []byte(c.SecretKey)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret) // never fails (crypto/rand panics instead)
	}
	store, err := newSessionStore(ctx, db, secret, time.Now)
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	s := scs.New()
	s.Store = store
	s.IdleTimeout = orDefault(c.IdleTimeout, 30*time.Minute)
	s.Lifetime = orDefault(c.Lifetime, 12*time.Hour)
	s.Cookie.Name = sessionCookie
	s.Cookie.HttpOnly = true
	s.Cookie.SameSite = http.SameSiteLaxMode
	// Secure is added per request by secureCookies, when the request came
	// over HTTPS: a fixed true would break plain-HTTP installs.
	s.Cookie.Secure = false
	return &PortalDeps{
		Sessions:        s,
		ProtectStatus:   c.ProtectStatus,
		Version:         c.Version,
		MemoryMode:      c.MemoryMode,
		AdminConfigured: c.AdminConfigured,
		LoginLimiter:    domain.NewClientLimiter(5, 0),
	}, nil
}

// orDefault is d, or def when d is not positive.
func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// addPortalRoutes registers the portal's pages. Each route names who may
// use it; route() adds the security headers, the session, the cross-origin
// check for POSTs and the role check.
func addPortalRoutes(mux *http.ServeMux, d *Deps) {
	pt := newPortal(d)
	pg := pt.pages

	mux.Handle("GET /static/{file}", pt.static(handleStatic(pg)))
	pt.route(mux, "GET /{$}", anyone, handleStatus(pg, d))
	pt.route(mux, "GET /login", anyone, handleLoginPage(pg, d.Credentials))
	pt.route(mux, "POST /login", anyone, handleLogin(pg, d, pt.throttle))
	pt.route(mux, "POST /logout", anyone, handleLogout(pg))
	pt.route(mux, "POST /lang", anyone, handleLang(pg))

	pt.route(mux, "GET /manage", user, http.RedirectHandler("/manage/context", http.StatusSeeOther))
	pt.route(mux, "GET /manage/context", user, handleContext(pg, d.Conversations, d.Settings))
	pt.route(mux, "GET /manage/context/{id}", user, handleConversation(pg, d.Conversations))
	pt.route(mux, "POST /manage/context/{id}/delete", user, handleConversationDelete(pg, d.Conversations))
	pt.route(mux, "POST /manage/context/delete-owner", user, handleConversationsDeleteOwner(pg, d.Conversations))
	pt.route(mux, "POST /manage/context/ttl", admin, handleTTL(pg, d.Conversations, d.Settings))

	pt.route(mux, "GET /manage/keys", admin, handleKeys(pg, d.Keys, d.Usage, d.Now))
	pt.route(mux, "POST /manage/keys", admin, handleKeyCreate(pg, d.Keys, d.Usage, d.Now))
	pt.route(mux, "GET /manage/keys/{id}", admin, handleKeyEditPage(pg, d.Keys, d.Usage, d.Now))
	pt.route(mux, "POST /manage/keys/{id}/edit", admin, handleKeyEdit(pg, d.Keys, d.Now))
	pt.route(mux, "POST /manage/keys/{id}/toggle", admin, handleKeyToggle(pg, d.Keys, d.Usage, d.Now))
	pt.route(mux, "POST /manage/keys/{id}/regenerate", admin, handleKeyRegenerate(pg, d.Keys))
	pt.route(mux, "POST /manage/keys/{id}/delete", admin, handleKeyDelete(pg, d.Keys))

	pt.route(mux, "GET /manage/gemini", admin, handleGemini(pg, d.Pool, d.Now))
	pt.route(mux, "POST /manage/gemini/add", admin, handleGeminiAdd(pg, d.Pool, d.Now))
	pt.route(mux, "POST /manage/gemini/delete-invalid", admin, handleGeminiDeleteInvalid(pg, d.Pool, d.Now))
	pt.route(mux, "POST /manage/gemini/{id}/{action}", admin, handleGeminiKeyAction(pg, d.Pool, d.Now, pt.p.CheckKey))

	pt.route(mux, "GET /manage/usage", admin, handleUsage(pg, d, pt.p.KeyUsageHistory))

	pt.route(mux, "GET /me", user, handleMe(pg, d))
	pt.route(mux, "POST /me/memory", user, handleMeMemory(pg, d.Keys, d.Settings))

	// Anything else is the portal's 404 page (the API answers its own).
	pt.route(mux, "/", anyone, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg.fail(w, r, http.StatusNotFound)
	}))
}
