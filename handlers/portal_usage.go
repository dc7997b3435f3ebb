package handlers

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/views"
)

// usageDays is how far back the usage charts go.
const usageDays = 30

// history reads the pool's daily totals per key×model (PortalDeps.KeyUsageHistory).
type history func(ctx context.Context, fromDay string) ([]domain.KeyUsageDay, error)

// handleUsage draws the usage charts (admin).
func handleUsage(pg *pages, d *Deps, hist history) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := d.Now()
		days := lastDays(now, usageDays)
		rep := d.Pool.UsageReport(now)
		v := views.UsageView{Meta: pg.meta(r)}
		if len(rep.Models) > 0 {
			v.Report = rep.Text()
		}
		reqs, toks := make([]int64, len(days)), make([]int64, len(days))
		reqTitle, tokTitle := "usage.requests", "usage.tokens"
		var rows []domain.KeyUsageDay
		if hist != nil {
			var err error
			if rows, err = hist(r.Context(), days[0]); err != nil {
				pg.serverError(w, r, err)
				return
			}
			// Today's rows are the other replicas' (none for a single
			// process); this one's come live from the pool.
			addDaily(days, reqs, toks, rows)
			last := len(days) - 1
			for _, m := range rep.Models {
				reqs[last] += m.Today.Requests
				toks[last] += m.Today.InputTokens + m.Today.OutputTokens
			}
			reqTitle, tokTitle = "usage.requests.all", "usage.tokens.all"
		}
		perKey, err := proxyKeyUsage(r.Context(), d.Keys, d.Usage, days, reqs, toks, hist == nil)
		if err != nil {
			pg.serverError(w, r, err)
			return
		}
		labels := make([]string, len(days))
		for i, day := range days {
			labels[i] = day[5:] // MM-DD
		}
		v.Requests = views.NewChart(reqTitle, labels, reqs)
		v.Tokens = views.NewChart(tokTitle, labels, toks)
		v.PerKey = perKey
		v.PerModel, v.PerGemini = reportCharts(rep, rows, maskedByID(d.Pool))
		pg.render(w, r, http.StatusOK, views.UsagePage(v))
	})
}

// lastDays lists n Pacific days ending today, oldest first. Calendar
// arithmetic on the date itself sidesteps 23- and 25-hour days.
func lastDays(now time.Time, n int) []string {
	today, _ := time.Parse(time.DateOnly, ptToday(now))
	days := make([]string, n)
	for i := range n {
		days[i] = today.AddDate(0, 0, i-n+1).Format(time.DateOnly)
	}
	return days
}

func addDaily(days []string, reqs, toks []int64, rows []domain.KeyUsageDay) {
	index := make(map[string]int, len(days))
	for i, d := range days {
		index[d] = i
	}
	for _, u := range rows {
		if i, ok := index[u.Day]; ok {
			reqs[i] += u.Requests
			toks[i] += u.InputTokens + u.OutputTokens
		}
	}
}

// proxyKeyUsage charts requests per proxy key over the days, and adds the
// daily totals into reqs and toks when the pool's history is not there.
func proxyKeyUsage(ctx context.Context, keys ProxyKeyStore, live *KeyUsage, days []string, reqs, toks []int64, daily bool) (views.Chart, error) {
	if keys == nil {
		return views.NewHBarChart("usage.perkey", nil, nil), nil
	}
	rows, err := keys.ProxyKeyUsageSince(ctx, days[0])
	if err != nil {
		return views.Chart{}, err
	}
	list, err := keys.ListProxyKeys(ctx)
	if err != nil {
		return views.Chart{}, err
	}
	if live != nil {
		// Today's rows in the store lag the live counts by a flush.
		today := days[len(days)-1]
		rows = slices.DeleteFunc(rows, func(u domain.ProxyKeyUsage) bool { return u.Day == today })
		for _, k := range list {
			if u := live.Today(k.ID); u.Requests > 0 {
				u.KeyID, u.Day = k.ID, today
				rows = append(rows, u)
			}
		}
	}
	if daily {
		for _, u := range rows {
			addDaily(days, reqs, toks, []domain.KeyUsageDay{{Day: u.Day, DayTotals: domain.DayTotals{
				Requests: u.Requests, InputTokens: u.TokensIn, OutputTokens: u.TokensOut}}})
		}
	}
	total := map[int64]int64{}
	for _, u := range rows {
		total[u.KeyID] += u.Requests
	}
	var labels []string
	var values []int64
	for _, k := range list {
		if total[k.ID] == 0 {
			continue
		}
		label := "#" + strconv.FormatInt(k.ID, 10) + " " + k.Description
		if r := []rune(label); len(r) > 32 {
			label = string(r[:31]) + "…"
		}
		labels, values = append(labels, label), append(values, total[k.ID])
	}
	return views.NewHBarChart("usage.perkey", labels, values), nil
}

// reportCharts charts requests per model and per Gemini key over the
// charted days: the stored daily history (all replicas but this one
// today), with this replica's today taken live from the report.
func reportCharts(rep domain.UsageReport, history []domain.KeyUsageDay, masked map[string]string) (perModel, perKey views.Chart) {
	modelReqs, keyReqs := map[string]int64{}, map[string]int64{}
	for _, u := range history {
		modelReqs[u.Model] += u.Requests
		if m, ok := masked[u.KeyID]; ok { // removed keys drop out of the chart
			keyReqs[m] += u.Requests
		}
	}
	for _, m := range rep.Models {
		modelReqs[m.Model] += m.Today.Requests
		for _, g := range m.Groups {
			for _, k := range g.Keys {
				keyReqs[k.Masked] += k.Today.Requests
			}
		}
	}
	models, mv := busiestFirst(modelReqs)
	keys, kv := busiestFirst(keyReqs)
	return views.NewHBarChart("usage.permodel", models, mv), views.NewHBarChart("usage.pergemini", keys, kv)
}

// busiestFirst orders a chart's bars, so a long list still starts with what
// matters; bars with no requests are left out.
func busiestFirst(m map[string]int64) ([]string, []int64) {
	labels := make([]string, 0, len(m))
	for k, v := range m {
		if v > 0 {
			labels = append(labels, k)
		}
	}
	sort.Slice(labels, func(i, j int) bool {
		a, b := m[labels[i]], m[labels[j]]
		return a > b || a == b && labels[i] < labels[j]
	})
	values := make([]int64, len(labels))
	for i, k := range labels {
		values[i] = m[k]
	}
	return labels, values
}

// maskedByID maps the pool's key ids (domain.KeyID) to their masked form.
func maskedByID(pool *domain.Pool) map[string]string {
	status := pool.Status()
	ids := keyIDs(pool, status)
	out := make(map[string]string, len(ids))
	for i, id := range ids {
		if i < len(status) {
			out[id] = status[i].Masked
		}
	}
	return out
}
