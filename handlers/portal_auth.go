package handlers

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/views"
)

// afterLogin is where a sign-in without ?next= lands.
const afterLogin = "/manage/context"

func handleLoginPage(pg *pages, creds *Credentials) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := localPath(r.URL.Query().Get("next"), "")
		if _, ok := signedIn(r); ok {
			pg.redirect(w, r, localPath(next, afterLogin))
			return
		}
		v := views.LoginView{Meta: pg.meta(r), Next: next, Closed: !creds.Configured()}
		if r.URL.Query().Has("out") {
			v.Meta.Flash = &views.Flash{Key: "flash.loggedout"}
		}
		pg.render(w, r, http.StatusOK, views.LoginPage(v))
	})
}

// handleLogin signs in with a PASSWORD value or a proxy key (user) or
// ADMIN_API_KEY (admin). A refusal never says which part was wrong, and
// an address that keeps failing is refused for a while.
func handleLogin(pg *pages, d *Deps, t *loginThrottle) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, now := clientIP(r, d.TrustedProxies), d.Now()
		if wait := t.wait(ip, now); wait > 0 {
			tooMany(pg, w, r, wait)
			return
		}
		if !parseForm(w, r) {
			pg.fail(w, r, http.StatusBadRequest)
			return
		}
		next := localPath(r.PostFormValue("next"), "")
		p, err := d.Credentials.Authenticate(r.Context(), strings.TrimSpace(r.PostFormValue("secret")))
		if err != nil {
			// A disabled or expired proxy key is refused like a wrong one.
			if !errors.Is(err, errBadCredential) && !errors.Is(err, domain.ErrUnauthorized) {
				pg.serverError(w, r, err)
				return
			}
			d.Log.Info("portal sign-in refused", "ip", ip)
			if wait := t.fail(ip, now); wait > 0 {
				tooMany(pg, w, r, wait)
				return
			}
			v := views.LoginView{Meta: pg.meta(r), Next: next, Failed: true, Closed: !d.Credentials.Configured()}
			pg.render(w, r, http.StatusUnprocessableEntity, views.LoginPage(v))
			return
		}
		prefix := ""
		if p.KeyID > 0 && d.Keys != nil {
			k, err := d.Keys.GetProxyKey(r.Context(), p.KeyID)
			if err != nil {
				pg.serverError(w, r, err)
				return
			}
			prefix = k.Prefix
		}
		// A new token at every privilege change defeats session fixation.
		s := pg.sessions
		if err := s.RenewToken(r.Context()); err != nil {
			pg.serverError(w, r, err)
			return
		}
		s.Put(r.Context(), "owner", p.Owner)
		s.Put(r.Context(), "admin", p.Role == RoleAdmin)
		s.Put(r.Context(), "keyid", p.KeyID)
		s.Put(r.Context(), "prefix", prefix)
		d.Log.Info("portal sign-in", "ip", ip, "owner", p.Owner)
		pg.redirect(w, r, localPath(next, afterLogin))
	})
}

// handleLogout ends the session: its row is deleted and the cookie expired,
// so the old token is worthless even if it was copied.
func handleLogout(pg *pages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := pg.sessions.Destroy(r.Context()); err != nil {
			pg.serverError(w, r, err)
			return
		}
		pg.redirect(w, r, "/login?out=1")
	})
}

// tooMany is the 429 page with Retry-After.
func tooMany(pg *pages, w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	pg.render(w, r, http.StatusTooManyRequests, views.ErrorPage(views.ErrorView{Meta: pg.meta(r), Status: 429, RetryAfter: wait}))
}
