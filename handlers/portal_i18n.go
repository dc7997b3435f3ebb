package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hagemi/hagemi/views"
)

// langCookie remembers the language chosen with the switch. It is a plain
// cookie, not session data, so it works before signing in and outlives a
// session.
const langCookie = "hagemi_lang"

// pageLang is the remembered choice, else the browser's preference, else
// English.
func pageLang(r *http.Request) views.Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := views.ParseLang(c.Value); ok {
			return l
		}
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage picks the supported language with the highest q value;
// among equals the earlier one wins, as the header lists them by
// preference.
func acceptLanguage(header string) views.Lang {
	best, bestQ := views.English, 0.0
	for _, item := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(item), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		if l, ok := views.ParseLang(tag); ok && q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// handleLang switches the language and goes back to the page it came from.
func handleLang(pg *pages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !parseForm(w, r) {
			pg.fail(w, r, http.StatusBadRequest)
			return
		}
		l, ok := views.ParseLang(r.PostFormValue("lang"))
		if !ok {
			pg.fail(w, r, http.StatusBadRequest)
			return
		}
		setCookie(w, r, pg.trusted, langCookie, string(l), 365*24*3600)
		pg.redirect(w, r, localPath(r.PostFormValue("next"), "/"))
	})
}
