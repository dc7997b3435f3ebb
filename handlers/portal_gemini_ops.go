package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/views"
)

// The pool's runtime key management. The portal asks for these methods at
// run time because the pool grows them separately; until it has them the
// forms say so inline (501) instead of pretending.
type (
	poolKeyAdder interface {
		AddKeys(specs []domain.KeySpec) int
	}
	poolKeyRemover  interface{ RemoveKey(secret string) bool }
	poolKeyDisabler interface {
		SetKeyDisabled(secret string, disabled bool) bool
	}
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
		specs := parseKeySpecs(form.Text)
		if len(specs) == 0 {
			form.Errors = views.FormErrors{"keys": "err.keys"}
			pg.renderGemini(w, r, http.StatusUnprocessableEntity, pool, now(), form, "")
			return
		}
		adder, ok := any(pool).(poolKeyAdder)
		if !ok {
			pg.renderGemini(w, r, http.StatusNotImplemented, pool, now(), form, "gemini.unavailable")
			return
		}
		pg.flash(r, "gemini.added", strconv.Itoa(adder.AddKeys(specs)), false)
		pg.redirect(w, r, "/manage/gemini")
	})
}

func parseKeySpecs(text string) []domain.KeySpec {
	var specs []domain.KeySpec
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		project, secret, ok := strings.Cut(f, ":")
		if !ok {
			project, secret = "", f
		}
		if secret == "" || seen[secret] {
			continue
		}
		seen[secret] = true
		specs = append(specs, domain.KeySpec{Secret: secret, Project: project})
	}
	return specs
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
			if d, ok := any(pool).(poolKeyDisabler); ok {
				done = d.SetKeyDisabled(secret, !invalid)
			} else {
				pg.renderGemini(w, r, http.StatusNotImplemented, pool, now(), views.AddKeysForm{}, "gemini.unavailable")
				return
			}
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
			if rm, ok := any(pool).(poolKeyRemover); ok {
				done = rm.RemoveKey(secret)
			} else {
				pg.renderGemini(w, r, http.StatusNotImplemented, pool, now(), views.AddKeysForm{}, "gemini.unavailable")
				return
			}
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
		rm, ok := any(pool).(poolKeyRemover)
		if !ok {
			pg.renderGemini(w, r, http.StatusNotImplemented, pool, now(), views.AddKeysForm{}, "gemini.unavailable")
			return
		}
		for _, s := range pool.Refused() { // disabled keys are the admin's choice, not invalid
			rm.RemoveKey(s)
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
