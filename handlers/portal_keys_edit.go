package handlers

import (
	"net/http"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/views"
)

// keyByID reads {id} and loads that key; it writes the 404 itself.
func keyByID(pg *pages, keys ProxyKeyStore, w http.ResponseWriter, r *http.Request) (domain.ProxyKey, bool) {
	id, ok := pathID(r)
	if !ok || keys == nil {
		pg.fail(w, r, http.StatusNotFound)
		return domain.ProxyKey{}, false
	}
	k, err := keys.GetProxyKey(r.Context(), id)
	if err != nil {
		pg.failErr(w, r, err)
		return domain.ProxyKey{}, false
	}
	return k, true
}

func handleKeyEditPage(pg *pages, keys ProxyKeyStore, live *KeyUsage, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, ok := keyByID(pg, keys, w, r)
		if !ok {
			return
		}
		today, err := usageToday(r.Context(), keys, live, now(), k.ID)
		if err != nil {
			pg.serverError(w, r, err)
			return
		}
		v := views.KeyEditView{Meta: pg.meta(r), Key: keyRow(k, today, now()), Form: keyFormOf(k)}
		pg.render(w, r, http.StatusOK, views.KeyEditPage(v))
	})
}

// handleKeyEdit saves every field of a key, including clearing its expiry.
func handleKeyEdit(pg *pages, keys ProxyKeyStore, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, ok := keyByID(pg, keys, w, r)
		if !ok {
			return
		}
		if !parseForm(w, r) {
			pg.fail(w, r, http.StatusBadRequest)
			return
		}
		spec, form := keySpecFromForm(k.ID, r.PostForm)
		if len(form.Errors) > 0 {
			v := views.KeyEditView{Meta: pg.meta(r), Key: keyRow(k, nil, now()), Form: form}
			pg.render(w, r, http.StatusUnprocessableEntity, views.KeyEditPage(v))
			return
		}
		if _, err := keys.UpdateProxyKey(r.Context(), k.ID, spec); err != nil {
			pg.failErr(w, r, err)
			return
		}
		pg.flash(r, "flash.key.saved", "", false)
		pg.redirect(w, r, "/manage/keys")
	})
}

// handleKeyToggle enables or disables a key; htmx gets the new row.
func handleKeyToggle(pg *pages, keys ProxyKeyStore, live *KeyUsage, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, ok := keyByID(pg, keys, w, r)
		if !ok {
			return
		}
		if err := keys.SetProxyKeyEnabled(r.Context(), k.ID, !k.Enabled); err != nil {
			pg.failErr(w, r, err)
			return
		}
		k.Enabled = !k.Enabled
		if fragment(r) {
			today, err := usageToday(r.Context(), keys, live, now(), k.ID)
			if err != nil {
				pg.serverError(w, r, err)
				return
			}
			pg.render(w, r, http.StatusOK, views.KeyTableRow(pg.meta(r), keyRow(k, today, now())))
			return
		}
		msg := "flash.key.disabled"
		if k.Enabled {
			msg = "flash.key.enabled"
		}
		pg.flash(r, msg, "", false)
		pg.redirect(w, r, "/manage/keys")
	})
}

// handleKeyRegenerate replaces a key's secret; the new one is shown once.
func handleKeyRegenerate(pg *pages, keys ProxyKeyStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, ok := keyByID(pg, keys, w, r)
		if !ok {
			return
		}
		secret, err := keys.RegenerateProxyKey(r.Context(), k.ID)
		if err != nil {
			pg.failErr(w, r, err)
			return
		}
		pg.sessions.Put(r.Context(), secretKey, secret)
		pg.sessions.Put(r.Context(), secretKeyID, k.ID)
		pg.sessions.Put(r.Context(), secretDesc, k.Description)
		pg.flash(r, "flash.key.secret", "", false)
		pg.redirect(w, r, "/manage/keys")
	})
}

// handleKeyDelete deletes a key; htmx gets an empty row.
func handleKeyDelete(pg *pages, keys ProxyKeyStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok || keys == nil {
			pg.fail(w, r, http.StatusNotFound)
			return
		}
		if err := keys.DeleteProxyKey(r.Context(), id); err != nil {
			pg.failErr(w, r, err)
			return
		}
		if fragment(r) {
			w.WriteHeader(http.StatusOK)
			return
		}
		pg.flash(r, "flash.key.deleted", "", false)
		pg.redirect(w, r, "/manage/keys")
	})
}
