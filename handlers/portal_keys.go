package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/views"
)

// Session keys of a proxy key secret waiting to be shown once.
const (
	secretKey   = "new_secret"
	secretKeyID = "new_secret_id"
	secretDesc  = "new_secret_desc"
)

// handleKeys lists proxy keys, with a new key's secret if one was just
// made (taken from the session, so it shows once).
func handleKeys(pg *pages, keys ProxyKeyStore, live *KeyUsage, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if keys == nil {
			pg.fail(w, r, http.StatusNotFound)
			return
		}
		v := views.KeysView{Meta: pg.meta(r), Form: views.KeyForm{Enabled: true, Memory: true}}
		if s := pg.sessions.PopString(r.Context(), secretKey); s != "" {
			id, _ := pg.sessions.Pop(r.Context(), secretKeyID).(int64)
			v.Secret = &views.NewSecret{Secret: s, KeyID: id, Description: pg.sessions.PopString(r.Context(), secretDesc)}
		}
		if err := pg.keysView(r.Context(), keys, live, now(), &v); err != nil {
			pg.serverError(w, r, err)
			return
		}
		pg.render(w, r, http.StatusOK, views.KeysPage(v))
	})
}

// keysView fills the table: every key with today's usage.
func (pg *pages) keysView(ctx context.Context, keys ProxyKeyStore, live *KeyUsage, now time.Time, v *views.KeysView) error {
	list, err := keys.ListProxyKeys(ctx)
	if err != nil {
		return err
	}
	ids := make([]int64, len(list))
	for i, k := range list {
		ids[i] = k.ID
	}
	today, err := usageToday(ctx, keys, live, now, ids...)
	if err != nil {
		return err
	}
	for _, k := range list {
		v.Keys = append(v.Keys, keyRow(k, today, now))
	}
	return nil
}

// usageToday is each proxy key's usage in the current Pacific day: the
// live counts when the API keeps them (the store lags by a flush), else
// the store's.
func usageToday(ctx context.Context, keys ProxyKeyStore, live *KeyUsage, now time.Time, ids ...int64) (map[int64]domain.ProxyKeyUsage, error) {
	out := map[int64]domain.ProxyKeyUsage{}
	if live != nil {
		for _, id := range ids {
			out[id] = live.Today(id)
		}
		return out, nil
	}
	rows, err := keys.ProxyKeyUsageSince(ctx, ptToday(now))
	if err != nil {
		return nil, err
	}
	for _, u := range rows {
		out[u.KeyID] = u
	}
	return out, nil
}

// handleKeyCreate issues a key. Its secret is shown once: in the fragment
// for htmx, else on the page the 303 leads to.
func handleKeyCreate(pg *pages, keys ProxyKeyStore, live *KeyUsage, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if keys == nil {
			pg.fail(w, r, http.StatusNotFound)
			return
		}
		if !parseForm(w, r) {
			pg.fail(w, r, http.StatusBadRequest)
			return
		}
		spec, form := keySpecFromForm(0, r.PostForm)
		v := views.KeysView{Meta: pg.meta(r), Form: form}
		status := http.StatusUnprocessableEntity
		if len(form.Errors) == 0 {
			k, secret, err := keys.CreateProxyKey(r.Context(), spec)
			if err != nil {
				pg.serverError(w, r, err)
				return
			}
			if !fragment(r) {
				pg.sessions.Put(r.Context(), secretKey, secret)
				pg.sessions.Put(r.Context(), secretKeyID, k.ID)
				pg.sessions.Put(r.Context(), secretDesc, k.Description)
				pg.flash(r, "flash.key.created", "", false)
				pg.redirect(w, r, "/manage/keys")
				return
			}
			status = http.StatusOK
			v.Secret = &views.NewSecret{KeyID: k.ID, Secret: secret, Description: k.Description}
			v.Form = views.KeyForm{Enabled: true, Memory: true}
		}
		if err := pg.keysView(r.Context(), keys, live, now(), &v); err != nil {
			pg.serverError(w, r, err)
			return
		}
		if fragment(r) {
			pg.render(w, r, status, views.KeysBody(v))
			return
		}
		pg.render(w, r, status, views.KeysPage(v))
	})
}
