package domain

import "math"

// projFit says whether a project can take one more call now and, if not,
// when it can (free, Unix ns; daily when that is midnight).
type projFit struct {
	ok    bool
	free  int64
	daily bool
	score float64
}

// block records one reason to wait until free; the latest one decides.
func (f *projFit) block(free int64, daily bool) {
	if f.ok || free > f.free {
		f.free, f.daily = free, daily
	}
	f.ok = false
}

// projectFit checks whether project j can take one more call of est
// tokens now.
func (mp *modelPool) projectFit(p *Pool, j int, est, now int64) projFit {
	ph := &mp.phot[j]
	if now >= ph.cacheUntil {
		mp.refresh(p, j, now)
	}
	if est <= ph.tokRoom {
		return ph.cached
	}
	f, pm := ph.cached, &mp.projs[j]
	q := mp.quotaOf(pm, now)
	if q.tpd > 0 && pm.in > 0 && pm.in+est > q.tpd {
		f.block(mp.dayEnd, true)
	}
	if q.tpm > 0 {
		if w := pm.win.tokenWait(est, q.tpm, now); w > 0 {
			f.block(now+w, false)
		}
	}
	return f
}

// refresh recomputes project j's cached check (cooldown, RPD and RPM, the
// health score, the token room, and how long all that holds) and re-places
// its keys. Every change to a project ends here.
func (mp *modelPool) refresh(p *Pool, j int, now int64) {
	for _, i := range p.projKeys[j] { // the score changes: out of the heap first
		mp.avail.remove(i)
	}
	pm := &mp.projs[j]
	pm.win.prune(now)
	q := mp.quotaOf(pm, now)
	f := projFit{ok: true}
	until := mp.dayEnd
	if pm.cool.until > now {
		f.block(pm.cool.until, pm.cool.daily)
		until = min(until, pm.cool.until)
	}
	if q.rpd > 0 && pm.req >= q.rpd {
		f.block(mp.dayEnd, true)
	}
	if q.rpm > 0 {
		if w := pm.win.countWait(q.rpm, now); w > 0 {
			f.block(now+w, false)
		}
	}
	if f.ok {
		f.score = healthScore(q, pm)
	}
	// A call bigger than a whole allowance is left to Google: an empty
	// window or a fresh day takes it.
	room := int64(math.MaxInt64)
	if q.tpm > 0 && pm.win.tokens > 0 {
		room = q.tpm - pm.win.tokens
	}
	if q.tpd > 0 && pm.in > 0 {
		room = min(room, q.tpd-pm.in)
	}
	if pm.win.count() > 0 {
		until = min(until, pm.win.e[pm.win.head].until)
	}
	for k, at := range pm.learnedAt {
		if pm.learned[k] > 0 && at+int64(LearnedLimitTTL) > now {
			until = min(until, at+int64(LearnedLimitTTL))
		}
	}
	mp.phot[j] = projHot{cacheUntil: until, tokRoom: room, cached: f}
	mp.ptimer.set(int32(j))
	for _, i := range p.projKeys[j] {
		mp.place(p, i, now)
	}
}

// healthScore is the weighted remaining share of each limit that exists
// (RPD 0.4, TPD 0.3, RPM 0.2, TPM 0.1), or 1 when none does.
func healthScore(q quota, pm *projModel) float64 {
	var sum, weights float64
	add := func(w float64, used, limit int64) {
		if limit <= 0 {
			return
		}
		sum += w * max(0, 1-float64(used)/float64(limit))
		weights += w
	}
	add(0.4, pm.req, q.rpd)
	add(0.3, pm.in, q.tpd)
	add(0.2, int64(pm.win.count()), q.rpm)
	add(0.1, pm.win.tokens, q.tpm)
	if weights == 0 {
		return 1
	}
	return sum / weights
}
