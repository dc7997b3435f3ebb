package domain

import "time"

// OutcomeKind classifies an upstream attempt for the pool.
type OutcomeKind int

// Outcome kinds. Neutral means the request itself was at fault (a bad
// request, an unknown model): the key is fine.
const (
	OutcomeOK OutcomeKind = iota
	OutcomeNeutral
	OutcomeKeyInvalid
	OutcomeRateLimited
	OutcomeServerError
)

// Outcome is what happened to one attempt.
type Outcome struct {
	Kind       OutcomeKind
	RetryDelay time.Duration // RateLimited: how long Google asked us to wait (0 = unknown)
	Daily      bool          // RateLimited: a per-day quota, parked until Pacific midnight
	Detailed   bool          // RateLimited: Google said which quota (else a short back-off)
	Reason     string        // a short, key-free description for the operator
	// InputTokens and OutputTokens are Google's exact counts (usageMetadata)
	// for an answered attempt.
	InputTokens, OutputTokens int
	// Quotas are the quotas a 429 named, with their limits (quotaValue).
	Quotas []QuotaHit
	// NotSent marks a failure before the request left (a dial error):
	// Google counted nothing, so the reservation is given back.
	NotSent bool
}

// QuotaHit is one QuotaFailure violation of a 429.
type QuotaHit struct {
	Kind QuotaKind
	// Value is the limit Google enforces (quotaValue); HasValue says it was
	// sent. A Value of 0 means the project has no quota for the model.
	Value    int64
	HasValue bool
}

// Cooldown lengths when Google does not say.
const (
	DefaultQuotaCooldown  = 60 * time.Second
	UndetailedCooldown    = 15 * time.Second
	ServerFailureCooldown = 5 * time.Second
)

// Report records the outcome of the attempt made with l: it corrects the
// reservation with Google's token count, gives it back when Google did not
// count the call, learns limits from 429s and starts cooldowns.
func (p *Pool) Report(l Lease, o Outcome) {
	mp := l.mp
	if mp == nil {
		return
	}
	p.settle(l, o)
	now := p.now().UnixNano()
	if o.Kind == OutcomeKeyInvalid {
		k := p.slot(l.index)
		if p.markInvalid(k, o.Reason, time.Unix(0, now)) {
			p.publish(PoolEvent{Kind: EventInvalid, KeyID: k.id, Why: o.Reason})
		}
	}
	mp.mu.Lock()
	defer mp.mu.Unlock()
	mp.roll(p, now)
	// The reservation is in the project the key had when acquired.
	km, pm := &mp.keys[l.index], &mp.projs[l.proj]
	defer func() { // before the unlock: mirror the cooldown, re-check the project
		mp.hot[l.index].coolUntil = km.cool.until
		mp.refresh(p, l.proj, now)
		if j := p.keys[l.index].proj; j != l.proj { // moved meanwhile: place it where it is now
			mp.refresh(p, j, now)
		}
	}()
	sameDay := l.dayEnd == mp.dayEnd // else the day counters were reset already
	i := pm.win.find(l.seq)
	release := func() {
		if i >= 0 {
			pm.win.remove(i)
			i = -1
		}
		if sameDay {
			pm.req--
			pm.in -= l.est
		}
	}
	v := p.touch()
	km.ver, pm.ver = v, v
	switch o.Kind {
	case OutcomeOK, OutcomeNeutral:
		if o.Kind == OutcomeOK {
			km.cool = cooldown{}
		}
		tokens := l.est
		if o.InputTokens > 0 {
			tokens = int64(o.InputTokens)
		}
		if i >= 0 { // Google counted it on arrival, which was before now
			x := pm.win.remove(i)
			x.until, x.tokens = min(now, l.at+int64(WindowSkew))+int64(Window), tokens
			pm.win.insert(x)
		}
		if sameDay {
			pm.in += tokens - l.est
		}
		if sameDay && o.Kind == OutcomeOK { // the key's history counts answered calls' tokens
			km.today.InputTokens += tokens
			km.today.OutputTokens += int64(o.OutputTokens)
		}
		return
	case OutcomeKeyInvalid:
		release() // a refused key's call counts on no quota
	case OutcomeRateLimited:
		release() // Google does not count the calls it refuses
		e := PoolEvent{Kind: EventCooldown, Model: mp.name, Why: o.Reason}
		if c := p.learn(mp, pm, km, o, now); c == &pm.cool {
			e.Project, e.Until, e.Daily = p.projects[l.proj], time.Unix(0, c.until), c.daily
			for k, v := range pm.learned {
				if v > 0 && pm.learnedAt[k] == now { // taught by this 429
					e.Learned[k] = v
				}
			}
		} else {
			e.KeyID, e.Until, e.Daily = p.keys[l.index].id, time.Unix(0, c.until), c.daily
		}
		p.publish(e)
	case OutcomeServerError:
		if o.NotSent {
			release()
			if sameDay {
				km.today.Requests--
			}
		}
		km.cool = cooldown{until: now + int64(ServerFailureCooldown), why: o.Reason}
	}
	if sameDay {
		km.today.Errors++
	}
}

// learn applies a 429: limits from its quotaValues, and a cooldown. Quota
// 429s name project quotas, so the whole project cools for this model;
// a 429 without details cools only this key. It returns the cooldown now
// in force: the project's or the key's.
func (p *Pool) learn(mp *modelPool, pm *projModel, km *keyModel, o Outcome, now int64) *cooldown {
	zero := false
	for _, q := range o.Quotas {
		if !q.HasValue || q.Kind < QuotaRPM || q.Kind > QuotaTPD {
			continue
		}
		if q.Value == 0 {
			zero = true
			continue
		}
		pm.learned[q.Kind-1], pm.learnedAt[q.Kind-1] = q.Value, now
	}
	c := cooldown{why: o.Reason, daily: o.Daily}
	switch {
	case zero:
		c = cooldown{until: mp.dayEnd, why: "no quota for this model: " + o.Reason, daily: true}
	case o.Daily:
		c.until = mp.dayEnd
	case o.RetryDelay > 0:
		c.until = now + int64(o.RetryDelay)
	case o.Detailed:
		c.until = now + int64(DefaultQuotaCooldown)
	default:
		c.until = now + int64(UndetailedCooldown)
	}
	if o.Detailed || o.Daily || zero {
		if c.until > pm.cool.until {
			pm.cool = c
		}
		return &pm.cool
	}
	km.cool = c
	return &km.cool
}
