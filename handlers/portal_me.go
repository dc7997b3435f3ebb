package handlers

import (
	"context"
	"net/http"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/views"
)

// memorySettingPrefix + owner is the setting holding "off" when a
// PASSWORD user turned memory off. Proxy keys carry their own switch
// (ProxyKey.MemoryEnabled).
const memorySettingPrefix = "memory_enabled:"

// ownerMemoryEnabled tells whether a PASSWORD user (or the admin) wants
// conversation memory; /v1 asks it before loading or saving history.
func ownerMemoryEnabled(ctx context.Context, settings SettingsStore, owner string) (bool, error) {
	if settings == nil {
		return true, nil
	}
	v, err := settings.Setting(ctx, memorySettingPrefix+owner, "on")
	return v != "off", err
}

// handleMe is a user's own page: usage, conversations, memory switch.
func handleMe(pg *pages, d *Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := signedIn(r)
		ctx := r.Context()
		v := views.MeView{Meta: pg.meta(r), Owner: maskOwner(p.Owner), KeyID: p.KeyID, MemoryAvailable: d.Conversations != nil}
		var err error
		if v.Memory, err = memoryOf(ctx, d, p); err != nil {
			pg.serverError(w, r, err)
			return
		}
		if p.KeyID > 0 && d.Keys != nil {
			days := lastDays(d.Now(), usageDays)
			rows, err := d.Keys.ProxyKeyUsageSince(ctx, days[0])
			if err != nil {
				pg.serverError(w, r, err)
				return
			}
			reqs, labels := make([]int64, len(days)), make([]string, len(days))
			for i, day := range days {
				labels[i] = day[5:]
				for _, u := range rows {
					if u.KeyID == p.KeyID && u.Day == day {
						reqs[i] = u.Requests
						if i == len(days)-1 {
							v.Today = views.Totals{Requests: u.Requests, TokensIn: u.TokensIn, TokensOut: u.TokensOut}
						}
					}
				}
			}
			if d.Usage != nil {
				// The store lags the live counts by a flush.
				u := d.Usage.Today(p.KeyID)
				v.Today = views.Totals{Requests: u.Requests, TokensIn: u.TokensIn, TokensOut: u.TokensOut}
				reqs[len(reqs)-1] = u.Requests
			}
			v.Requests = views.NewChart("me.requests", labels, reqs)
		}
		if d.Conversations != nil {
			infos, total, err := d.Conversations.ListConversations(ctx, domain.ConversationFilter{Owner: p.Owner, Limit: 10})
			if err != nil {
				pg.serverError(w, r, err)
				return
			}
			v.Total = total
			for _, c := range infos {
				v.Conversations = append(v.Conversations, conversationRow(c))
			}
		}
		pg.render(w, r, http.StatusOK, views.MePage(v))
	})
}

func memoryOf(ctx context.Context, d *Deps, p Principal) (bool, error) {
	if p.KeyID > 0 && d.Keys != nil {
		k, err := d.Keys.GetProxyKey(ctx, p.KeyID)
		return k.MemoryEnabled, err
	}
	return ownerMemoryEnabled(ctx, d.Settings, p.Owner)
}

// handleMeMemory turns the caller's conversation memory on or off.
func handleMeMemory(pg *pages, keys ProxyKeyStore, settings SettingsStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !parseForm(w, r) {
			pg.fail(w, r, http.StatusBadRequest)
			return
		}
		on := r.PostFormValue("memory") == "on"
		p, _ := signedIn(r)
		ctx := r.Context()
		var err error
		switch {
		case p.KeyID > 0 && keys != nil:
			var k domain.ProxyKey
			if k, err = keys.GetProxyKey(ctx, p.KeyID); err == nil {
				// Update stores every field, so send them all back unchanged.
				_, err = keys.UpdateProxyKey(ctx, k.ID, domain.ProxyKeySpec{Description: k.Description,
					ExpiresAt: k.ExpiresAt, Enabled: k.Enabled, RPMLimit: k.RPMLimit, RPDLimit: k.RPDLimit,
					TPDLimit: k.TPDLimit, AllowedModels: k.AllowedModels, MemoryEnabled: on})
			}
		case settings != nil:
			err = settings.SetSetting(ctx, memorySettingPrefix+p.Owner, onOff(on))
		default:
			pg.fail(w, r, http.StatusNotFound)
			return
		}
		if err != nil {
			pg.failErr(w, r, err)
			return
		}
		pg.flash(r, "flash.memory.saved", "", false)
		pg.redirect(w, r, "/me")
	})
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
