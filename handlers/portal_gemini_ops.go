package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/views"
)

// handleGeminiAdd adds pasted keys, "AIza…" or "project:AIza…", separated
// by commas, spaces or lines.
func handleGeminiAdd(pg *pages, pool *domain.Pool, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !parseForm(w, r) {
			pg.fail(w, r, http.StatusBadRequest)
			return
		}
		form := views.AddKeysForm{Text: r.PostFormValue("keys")}
		specs := domain.ParseKeySpecs(form.Text)
		if len(specs) == 0 {
			form.Errors = views.FormErrors{"keys": "err.keys"}
			pg.renderGemini(w, r, http.StatusUnprocessableEntity, pool, now(), form, "")
			return
		}
		pg.flash(r, "gemini.added", strconv.Itoa(pool.AddKeys(specs)), false)
		pg.redirect(w, r, "/manage/gemini")
	})
}

// handleGeminiKeyAction disables or enables, re-checks or removes one key,
// named by its domain.KeyID.
func handleGeminiKeyAction(pg *pages, pool *domain.Pool, now func() time.Time, check domain.CheckFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, invalid, ok := secretByID(pool, r.PathValue("id"))
		if !ok {
			pg.renderGemini(w, r, http.StatusNotFound, pool, now(), views.AddKeysForm{}, "gemini.gone")
			return
		}
		done := false
		switch r.PathValue("action") {
		case "toggle":
			done = pool.SetKeyDisabled(secret, !invalid)
		case "check":
			if check == nil {
				pg.renderGemini(w, r, http.StatusNotImplemented, pool, now(), views.AddKeysForm{}, "gemini.unavailable")
				return
			}
			s := domain.CheckAll(r.Context(), []string{secret}, check, 1)
			pool.ApplyCheck(s)
			pg.flash(r, "gemini.check."+s.Keys[0].Status.String(), gemini.RedactKeys(s.Keys[0].Reason), s.Keys[0].Status != domain.CheckValid)
			pg.redirect(w, r, "/manage/gemini")
			return
		case "delete":
			done = pool.RemoveKey(secret)
		default:
			pg.fail(w, r, http.StatusNotFound)
			return
		}
		if !done {
			pg.renderGemini(w, r, http.StatusNotFound, pool, now(), views.AddKeysForm{}, "gemini.gone")
			return
		}
		pg.flash(r, "gemini.done", "", false)
		pg.redirect(w, r, "/manage/gemini")
	})
}

// handleGeminiDeleteInvalid removes every key out of rotation.
func handleGeminiDeleteInvalid(pg *pages, pool *domain.Pool, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, s := range pool.Refused() { // disabled keys are the admin's choice, not invalid
			pool.RemoveKey(s)
		}
		pg.flash(r, "gemini.done", "", false)
		pg.redirect(w, r, "/manage/gemini")
	})
}

// secretByID finds the key whose domain.KeyID is id, and whether it is out
// of rotation.
func secretByID(pool *domain.Pool, id string) (secret string, invalid, ok bool) {
	if id == "" {
		return "", false, false
	}
	for _, s := range pool.Secrets() {
		if domain.KeyID(s) == id {
			return s, false, true
		}
	}
	for _, s := range pool.Invalid() {
		if domain.KeyID(s) == id {
			return s, true, true
		}
	}
	return "", false, false
}
