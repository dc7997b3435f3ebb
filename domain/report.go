package domain

import (
	"sort"
	"time"
)

// UsageReport is the pool's usage at one moment, per model: for the log
// (Text) and the portal.
type UsageReport struct {
	At          time.Time
	Day         string  // the Pacific day
	DayFraction float64 // of the Pacific day elapsed (days have 23 to 25 hours)
	Configured  int
	Active      int
	Models      []ModelReport // used today or in the last 7 days, by name
}

// ModelReport is one model's usage.
type ModelReport struct {
	Model string
	// Limits per project in force: the table's, else the largest learned.
	Limits      ModelLimits
	Groups      []KeyGroup // by state, in the order of KeyStates; empty groups left out
	Today       DayTotals
	Estimate    DayTotals // for the whole day, once EstimateAfter of it passed
	HasEstimate bool
	Avg7        DayTotals // daily average over the last 7 days with data
	Avg7Days    int
	Projects    int   // active projects: capacity counts in projects
	CapacityRPD int64 // Projects × RPD (0: unlimited)
	CapacityTPD int64 // Projects × TPD_in
	Suggestion  Suggestion
}

// KeyGroup is the keys in one state for a model.
type KeyGroup struct {
	State string
	Keys  []KeyUsage
}

// KeyStates lists the states of KeyGroup in report order: available keys,
// keys at their minute limit, cooling after an error, done for the day,
// and out of rotation.
var KeyStates = []string{"available", "busy", "cooling", "exhausted", "invalid"}

// KeyUsage is one key's view of a model. The meters are its project's.
type KeyUsage struct {
	Masked, Project        string
	RPD, RPM, TPDIn, TPMIn Meter
	Score                  float64
	Today                  DayTotals // this key's own calls
	Until                  time.Time // end of cooling, exhaustion or minute limit
	Since                  time.Time // when an invalid key was taken out
	Why                    string
}

// Meter is a use against a limit; Limit 0 means unlimited.
type Meter struct{ Used, Limit int64 }

// EstimateAfter is the share of the day after which the report projects
// the day's totals; earlier guesses swing too much.
const EstimateAfter = 0.01

// UsageReport builds the report at now.
func (p *Pool) UsageReport(now time.Time) UsageReport {
	n := now.UnixNano()
	r := UsageReport{At: now, Day: PTDay(now), Configured: int(p.live.Load()), Active: p.Active()}
	start, end := ptDayStart(now), NextPTMidnight(now)
	r.DayFraction = float64(now.Sub(start)) / float64(end.Sub(start))
	p.eachModel(func(mp *modelPool) { mp.roll(p, n) }) // closed days reach the history first
	avg := p.averages(r.Day)
	var names []string
	p.models.Range(func(k, _ any) bool { names = append(names, k.(string)); return true })
	for m := range avg {
		names = append(names, m)
	}
	sort.Strings(names)
	for i, name := range names {
		if i > 0 && names[i-1] == name {
			continue
		}
		mr := p.modelReport(p.model(name), n)
		mr.Avg7, mr.Avg7Days = avg[name].total, avg[name].days
		if mr.Today.zero() && mr.Avg7Days == 0 {
			continue
		}
		if r.DayFraction >= EstimateAfter {
			mr.HasEstimate = true
			mr.Estimate = DayTotals{
				Requests:     int64(float64(mr.Today.Requests) / r.DayFraction),
				InputTokens:  int64(float64(mr.Today.InputTokens) / r.DayFraction),
				OutputTokens: int64(float64(mr.Today.OutputTokens) / r.DayFraction),
				Errors:       int64(float64(mr.Today.Errors) / r.DayFraction),
			}
		}
		rpdInd := float64(max(mr.Estimate.Requests, mr.Avg7.Requests))
		mr.Suggestion = suggest(mr.Projects, mr.Limits, rpdInd, float64(mr.Estimate.InputTokens))
		r.Models = append(r.Models, mr)
	}
	return r
}

type average struct {
	total DayTotals
	days  int
}

// averages is each model's daily average over the 7 days before today
// that have data, like the original.
func (p *Pool) averages(today string) map[string]average {
	t, _ := time.ParseInLocation(time.DateOnly, today, pacific)
	from := t.AddDate(0, 0, -7).Format(time.DateOnly)
	sum := map[string]average{}
	p.histMu.Lock()
	for day, models := range p.hist {
		if day < from || day >= today {
			continue
		}
		for m, d := range models {
			a := sum[m]
			a.total.add(*d)
			a.days++
			sum[m] = a
		}
	}
	p.histMu.Unlock()
	for m, a := range sum {
		n := int64(a.days)
		a.total = DayTotals{a.total.Requests / n, a.total.InputTokens / n, a.total.OutputTokens / n, a.total.Errors / n}
		sum[m] = a
	}
	return sum
}
