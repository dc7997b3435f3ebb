package handlers

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/alexedwards/scs/v2"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/views"
)

// pages renders portal responses: it fills PageMeta, writes pages and
// fragments, error pages, redirects and flash messages.
type pages struct {
	log      *slog.Logger
	sessions *scs.SessionManager
	version  string
	trusted  []netip.Prefix
	now      func() time.Time
}

// meta is the layout's data for r. The flash is taken from the session,
// so it shows exactly once.
func (pg *pages) meta(r *http.Request) views.PageMeta {
	m := views.PageMeta{Lang: pageLang(r), Path: r.URL.Path, Version: pg.version}
	st, _ := r.Context().Value(portalStateKey{}).(*portalState)
	if st == nil {
		return m // outside the session middleware: a refused cross-origin POST, a session error
	}
	if st.user != nil {
		m.User = &views.User{Admin: st.user.Role == RoleAdmin, Label: st.user.Label}
	}
	ctx := r.Context()
	if key := pg.sessions.PopString(ctx, "flash"); key != "" {
		m.Flash = &views.Flash{Key: key, Arg: pg.sessions.PopString(ctx, "flash_arg"), Error: pg.sessions.PopBool(ctx, "flash_err")}
	}
	return m
}

// fragment tells whether htmx asked for a piece of a page rather than a
// whole one (a boosted request wants the whole page).
func fragment(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true"
}

// render writes c with status. It renders into a buffer first, so a
// template failure becomes a clean 500 page instead of half a page.
func (pg *pages) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		pg.serverError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	// Pages can hold a secret shown once, and are per user.
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "HX-Request")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail writes the friendly error page for status.
func (pg *pages) fail(w http.ResponseWriter, r *http.Request, status int) {
	pg.render(w, r, status, views.ErrorPage(views.ErrorView{Meta: pg.meta(r), Status: status}))
}

// failErr maps err to an error page: not found → 404, a bad request →
// 400; anything else is logged and becomes 500, never shown.
func (pg *pages) failErr(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, domain.ErrNotFound):
		pg.fail(w, r, http.StatusNotFound)
	case errors.Is(err, domain.ErrInvalid):
		pg.fail(w, r, http.StatusBadRequest)
	default:
		pg.serverError(w, r, err)
	}
}

// serverError logs err with the request and shows the 500 page. The page is
// written without the layout's session parts, since the session may be
// what failed.
func (pg *pages) serverError(w http.ResponseWriter, r *http.Request, err error) {
	pg.log.Error("portal error", "method", r.Method, "path", r.URL.Path, "err", err)
	var buf bytes.Buffer
	m := views.PageMeta{Lang: pageLang(r), Path: r.URL.Path, Version: pg.version}
	if views.ErrorPage(views.ErrorView{Meta: m, Status: 500}).Render(r.Context(), &buf) != nil {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write(buf.Bytes())
}

// redirect answers a successful form with 303 See Other, so reloading the
// next page does not post again.
func (pg *pages) redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// flash leaves a message for the next page; key is a catalogue key.
func (pg *pages) flash(r *http.Request, key, arg string, isErr bool) {
	ctx := r.Context()
	pg.sessions.Put(ctx, "flash", key)
	pg.sessions.Put(ctx, "flash_arg", arg)
	pg.sessions.Put(ctx, "flash_err", isErr)
}

// pathID reads a numeric {id}; anything else is a 404, like an unknown id.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// parseForm reads a small form body; the portal's forms are tiny, and the
// Gemini keys paste is the largest.
func parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	return r.ParseForm() == nil
}
