package handlers

import (
	"net/http"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/views"
)

// handleGemini lists the Gemini keys with their state and quota meters.
func handleGemini(pg *pages, pool *domain.Pool, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg.renderGemini(w, r, http.StatusOK, pool, now(), views.AddKeysForm{}, "")
	})
}

// renderGemini draws the Gemini page with the add form as typed and an
// inline notice (a catalogue key) about the last action.
func (pg *pages) renderGemini(w http.ResponseWriter, r *http.Request, status int, pool *domain.Pool, now time.Time, add views.AddKeysForm, notice string) {
	v := views.GeminiView{Meta: pg.meta(r), Add: add, Notice: notice}
	v.Keys, v.Counts, v.Report = geminiKeys(pool, now)
	pg.render(w, r, status, views.GeminiPage(v))
}

// geminiKeys joins the pool's key states with today's report: each key's
// cooldowns and its project's meters per model.
func geminiKeys(pool *domain.Pool, now time.Time) ([]views.GeminiKey, views.KeyCounts, string) {
	status := pool.Status()
	ids := keyIDs(pool, status)
	rep := pool.UsageReport(now)
	keys := make([]views.GeminiKey, len(status))
	byMasked := map[string][]int{}
	for i, s := range status {
		k := views.GeminiKey{Index: i, Masked: s.Masked, Project: s.Project, Invalid: s.Invalid && !s.Disabled,
			Disabled: s.Disabled, Since: s.InvalidSince, Why: s.InvalidWhy, LastUsed: s.LastUsed}
		if i < len(ids) {
			k.ID = ids[i]
		}
		keys[i] = k
		byMasked[s.Masked] = append(byMasked[s.Masked], i)
	}
	// The report names keys by their masked form; two keys sharing one
	// (first and last four characters) would share meters, which is rare
	// and harmless.
	for _, m := range rep.Models {
		for _, g := range m.Groups {
			for _, ku := range g.Keys {
				for _, i := range byMasked[ku.Masked] {
					keys[i].Models = append(keys[i].Models, views.ModelUsage{Model: m.Model, Meters: []views.Meter{
						{Label: "RPM", Used: ku.RPM.Used, Limit: ku.RPM.Limit},
						{Label: "TPM", Used: ku.TPMIn.Used, Limit: ku.TPMIn.Limit},
						{Label: "RPD", Used: ku.RPD.Used, Limit: ku.RPD.Limit},
						{Label: "TPD", Used: ku.TPDIn.Used, Limit: ku.TPDIn.Limit},
					}})
					if (g.State == "cooling" || g.State == "exhausted" || g.State == "busy") && ku.Until.After(now) {
						keys[i].Cooling = append(keys[i].Cooling, views.Cooling{Model: m.Model, Until: ku.Until, Why: ku.Why})
					}
				}
			}
		}
	}
	text := ""
	if len(rep.Models) > 0 {
		text = rep.Text()
	}
	return keys, keyCounts(status), text
}

// keyIDs are the pool's keys' stable ids (domain.KeyID), in the order of
// status: what the forms name a key by, since pages never hold a secret.
// Secrets and Invalid list the keys in pool order, split by state; a key
// whose state changed in between fails the mask check and gets no id (no
// buttons) until the next load.
func keyIDs(pool *domain.Pool, status []domain.KeyStatus) []string {
	valid, invalid := pool.Secrets(), pool.Invalid()
	ids := make([]string, len(status))
	for i, s := range status {
		list := &valid
		if s.Invalid {
			list = &invalid
		}
		if len(*list) == 0 {
			continue
		}
		secret := (*list)[0]
		*list = (*list)[1:]
		if domain.MaskSecret(secret) == s.Masked {
			ids[i] = domain.KeyID(secret)
		}
	}
	return ids
}
