package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// access is who may use a portal route.
type access int

const (
	anyone access = iota
	user          // any signed-in principal, admin included
	admin
)

// portal is the state shared by the portal's routes.
type portal struct {
	d        *Deps
	p        *PortalDeps
	pages    *pages
	csrf     *http.CrossOriginProtection
	throttle *loginThrottle
}

func newPortal(d *Deps) *portal {
	pg := &pages{log: d.Log, sessions: d.Portal.Sessions, version: d.Portal.Version, trusted: d.TrustedProxies, now: d.Now}
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg.fail(w, r, http.StatusForbidden)
	}))
	d.Portal.Sessions.ErrorFunc = pg.serverError
	limiter := d.Portal.LoginLimiter
	if limiter == nil {
		limiter = newLoginLimiter()
	}
	return &portal{d: d, p: d.Portal, pages: pg, csrf: csrf, throttle: newLoginThrottle(limiter)}
}

// route registers a page: security headers, Secure cookies over HTTPS, the
// cross-origin check (it passes GET and HEAD), the session, the signed-in
// principal and the access check, outermost first.
func (pt *portal) route(mux *http.ServeMux, pattern string, need access, h http.Handler) {
	h = requireAccess(pt.pages, need, h)
	h = pt.loadUser(h)
	h = pt.sessions(h)
	h = pt.csrf.Handler(h)
	h = secureCookies(pt.d.TrustedProxies, h)
	mux.Handle(pattern, securityHeaders(h))
}

// static wraps the asset route: headers only, no session.
func (pt *portal) static(h http.Handler) http.Handler { return securityHeaders(h) }

// sessions loads and saves the session, except for the status page's
// polling, which only reads it: a page left open must not keep its session
// alive forever, nor write to the database every few seconds.
func (pt *portal) sessions(next http.Handler) http.Handler {
	save := pt.p.Sessions.LoadAndSave(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.Header.Get("HX-Target") != "live" {
			save.ServeHTTP(w, r)
			return
		}
		var token string
		if c, err := r.Cookie(sessionCookie); err == nil {
			token = c.Value
		}
		ctx, err := pt.p.Sessions.Load(r.Context(), token)
		if err != nil {
			pt.pages.serverError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// portalState is what loadUser found, for the handlers and the layout.
type portalState struct {
	user *Principal // nil: nobody signed in
}

type portalStateKey struct{}

// signedIn returns the signed-in principal of a portal request.
func signedIn(r *http.Request) (Principal, bool) {
	st, _ := r.Context().Value(portalStateKey{}).(*portalState)
	if st == nil || st.user == nil {
		return Principal{}, false
	}
	return *st.user, true
}

// loadUser reads the principal from the session. A proxy key's session
// ends as soon as the key is disabled, expired, regenerated or deleted.
func (pt *portal) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		s := pt.p.Sessions
		st := &portalState{}
		if owner := s.GetString(ctx, "owner"); owner != "" {
			p := Principal{Owner: owner, Label: maskOwner(owner), KeyID: s.GetInt64(ctx, "keyid"), Role: RoleUser}
			if s.GetBool(ctx, "admin") {
				p.Role = RoleAdmin
			}
			if p.KeyID == 0 || pt.keyUsable(ctx, p.KeyID, s.GetString(ctx, "prefix")) {
				st.user = &p
			} else if err := s.Destroy(ctx); err != nil {
				pt.pages.serverError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, portalStateKey{}, st)))
	})
}

func (pt *portal) keyUsable(ctx context.Context, id int64, prefix string) bool {
	if pt.d.Keys == nil {
		return false
	}
	k, err := pt.d.Keys.GetProxyKey(ctx, id)
	return err == nil && k.Enabled && !k.Expired(pt.d.Now()) && k.Prefix == prefix
}

// requireAccess sends strangers to the sign-in page and refuses users the
// admin's pages.
func requireAccess(pg *pages, need access, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := signedIn(r)
		switch {
		case need == anyone || ok && (need == user || p.Role == RoleAdmin):
			next.ServeHTTP(w, r)
		case ok:
			pg.fail(w, r, http.StatusForbidden)
		default:
			to := "/login"
			if r.Method == http.MethodGet && r.Header.Get("HX-Request") != "true" {
				to += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			if r.Header.Get("HX-Request") == "true" {
				// A fragment request cannot follow a redirect into a whole
				// page; htmx navigates when told so.
				w.Header().Set("HX-Redirect", to)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
		}
	})
}

// contentSecurityPolicy allows only our own files: no inline script or
// style (htmx is configured not to add any), images also from data: URLs
// (thumbnails of stored images), and no framing.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// localPath accepts only a path on this site as a redirect target, so
// ?next= cannot send anyone elsewhere ("//evil", "/\evil", "https:").
func localPath(s, def string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.Contains(s, `\`) {
		return def
	}
	// Browsers drop tabs and newlines from URLs, so "/\t/evil" would become
	// "//evil"; refuse every control character.
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return def
		}
	}
	return s
}
