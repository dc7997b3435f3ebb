package domain

import (
	"sync"
	"time"
)

// QuotaKind names one of Google's per-project, per-model quotas.
type QuotaKind int

// The quota kinds, as a 429's quotaId tells them apart.
const (
	QuotaRPM QuotaKind = iota + 1 // requests per minute
	QuotaTPM                      // input tokens per minute
	QuotaRPD                      // requests per Pacific day
	QuotaTPD                      // input tokens per Pacific day
)

// LearnedLimitTTL is how long a limit learned from a 429 overrides the
// table. It expires so that a raised quota is noticed: the price is at most
// one 429 per project, model and kind a day.
const LearnedLimitTTL = 24 * time.Hour

// modelPool is everything the pool knows about one model: per key×model
// cooldowns and day counts, per project×model windows and limits. Its
// mutex is held only for in-memory bookkeeping, never across I/O, and
// different models never contend.
type modelPool struct {
	name   string
	limits ModelLimits // from the table; learned limits live per project

	mu        sync.Mutex
	day       string // Pacific day the day counters belong to
	dayEnd    int64  // Unix ns of the next midnight
	seq       uint64 // LRU clock and lease ids
	fallbacks int    // times the heap found nothing but the scan did (never, unless a bug)
	keys      []keyModel
	projs     []projModel
	// What choosing reads of every key and project, kept apart and small.
	hot  []keyHot
	phot []projHot
	// The choice structures (pool_heap.go), kept exact on every change so
	// that Acquire costs O(log keys), not a scan of every key.
	avail  ixheap // usable keys, best first
	ptimer ixheap // projects by cacheUntil
	ktimer ixheap // cooling keys by coolUntil
}

// keyHot is what a scan reads of a key×model.
type keyHot struct {
	lastSeq   uint64 // larger = used more recently
	coolUntil int64  // mirrors keyModel.cool.until
}

// projHot is a project×model's check of a call without tokens, cached
// until cacheUntil (the next window expiry, cooldown end or midnight) or
// the next change; calls of at most tokRoom tokens fit the token limits
// too. Without it every Acquire would recompute every project.
type projHot struct {
	cacheUntil int64
	tokRoom    int64
	cached     projFit
}

// keyModel is one key's state for one model.
type keyModel struct {
	lastUsed int64
	cool     cooldown
	today    DayTotals
	ver      uint64 // change number, for write-behind
}

// projModel is one project's quota state for one model; every key of the
// project shares it, as Google counts per project.
type projModel struct {
	win       window
	req, in   int64    // requests and input tokens Google counts today
	learned   [4]int64 // by QuotaKind-1; 0 = none
	learnedAt [4]int64
	cool      cooldown
	ver       uint64
}

type cooldown struct {
	until int64
	why   string
	daily bool
}

// DayTotals counts one Pacific day of calls. Requests are calls that
// reached Google; Errors are those that failed for a reason other than the
// request itself.
type DayTotals struct {
	Requests, InputTokens, OutputTokens, Errors int64
}

func (d DayTotals) zero() bool { return d == DayTotals{} }

func (d *DayTotals) add(o DayTotals) {
	d.Requests += o.Requests
	d.InputTokens += o.InputTokens
	d.OutputTokens += o.OutputTokens
	d.Errors += o.Errors
}

type quota struct{ rpm, tpm, rpd, tpd int64 }

// quotaOf is the limits in force for pm: learned values (while fresh) over
// the table's.
func (mp *modelPool) quotaOf(pm *projModel, now int64) quota {
	q := quota{mp.limits.RPM, mp.limits.TPMInput, mp.limits.RPD, mp.limits.TPDInput}
	for k, v := range pm.learned {
		if v <= 0 || now-pm.learnedAt[k] >= int64(LearnedLimitTTL) {
			continue
		}
		switch QuotaKind(k + 1) {
		case QuotaRPM:
			q.rpm = v
		case QuotaTPM:
			q.tpm = v
		case QuotaRPD:
			q.rpd = v
		case QuotaTPD:
			q.tpd = v
		}
	}
	return q
}

// roll starts a new Pacific day when now passed midnight: the closed day's
// key counts go to the history, and the day quotas start from zero.
func (mp *modelPool) roll(p *Pool, now int64) {
	if now < mp.dayEnd {
		return
	}
	if mp.day != "" {
		for i := range mp.keys {
			km := &mp.keys[i]
			if !km.today.zero() {
				p.closeDay(KeyUsageDay{KeyID: p.keys[i].id, Model: mp.name, Day: mp.day, DayTotals: km.today})
				km.today = DayTotals{}
			}
		}
		for j := range mp.projs {
			mp.projs[j].req, mp.projs[j].in = 0, 0
		}
	}
	t := time.Unix(0, now)
	mp.day, mp.dayEnd = PTDay(t), NextPTMidnight(t).UnixNano()
	mp.rebuild(p, now)
}

// ptDayStart is the Pacific midnight that starts t's day.
func ptDayStart(t time.Time) time.Time {
	l := t.In(pacific)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, pacific)
}
