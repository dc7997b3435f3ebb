package domain

import "time"

// PoolSnapshot is the pool's durable state as plain values: what must
// survive a restart. Keys are identified by KeyID, never by secret.
type PoolSnapshot struct {
	Keys      []KeyState
	KeyModels []KeyModelState
	Projects  []ProjectState
	// History holds per key×model day totals: today's so far and closed
	// days. Each row is a day's total, not an increment, so writing one
	// twice is harmless.
	History []KeyUsageDay
}

// Empty reports whether the snapshot holds nothing.
func (s PoolSnapshot) Empty() bool {
	return len(s.Keys)+len(s.KeyModels)+len(s.Projects)+len(s.History) == 0
}

// KeyState is one key's validity: Invalid means Google refused it.
type KeyState struct {
	ID, Masked, Project string
	Invalid             bool
	InvalidWhy          string
	InvalidSince        time.Time
	CheckedAt           time.Time
}

// KeyModelState is one key's cooldown and last use for one model.
type KeyModelState struct {
	KeyID, Model string
	LastUsed     time.Time
	CoolUntil    time.Time
	CoolWhy      string
	CoolDaily    bool
}

// ProjectState is one project's quota state for one model: today's counts,
// the minute window, learned limits (0 = none) and a project cooldown.
type ProjectState struct {
	Project, Model string
	Day            string // the Pacific day Requests and InputTokens belong to
	Requests       int64
	InputTokens    int64
	Window         []WindowEntry
	Learned        ModelLimits // RPM, TPMInput, RPD, TPDInput only
	LearnedAt      time.Time   // of the newest learned value
	CoolUntil      time.Time
	CoolWhy        string
	CoolDaily      bool
}

// WindowEntry is one call still counting in a minute window.
type WindowEntry struct {
	Until  time.Time // when it stops counting
	Tokens int64
}

// KeyUsageDay is one key's use of one model on one Pacific day.
type KeyUsageDay struct {
	KeyID, Model, Day string
	DayTotals
}

type closedRow struct {
	row KeyUsageDay
	ver uint64
}

// Snapshot returns the whole state, for a full save or for tests.
func (p *Pool) Snapshot() PoolSnapshot {
	s, _ := p.snapshotSince(0, true)
	return s
}

// snapshotSince returns what changed after change number since (or, when
// full, every key and everything ever changed), and the change number it
// is complete up to.
func (p *Pool) snapshotSince(since uint64, full bool) (PoolSnapshot, uint64) {
	upTo := p.ver.Load()
	var s PoolSnapshot
	if upTo == since && !full {
		return s, upTo
	}
	now := p.now().UnixNano()
	p.keyMu.Lock()
	for _, k := range p.keys {
		// Disabled and removed keys are the key store's business (KeySink).
		if (k.ver > since || full) && !k.removed {
			s.Keys = append(s.Keys, KeyState{ID: k.id, Masked: k.masked, Project: k.spec.Project,
				Invalid: k.rejected, InvalidWhy: k.invalidWhy, InvalidSince: k.invalidSince, CheckedAt: k.checkedAt})
		}
	}
	p.keyMu.Unlock()
	p.eachModel(func(mp *modelPool) {
		mp.roll(p, now)
		for i := range mp.keys {
			km := &mp.keys[i]
			if km.ver <= since || km.ver == 0 {
				continue
			}
			s.KeyModels = append(s.KeyModels, KeyModelState{KeyID: p.keys[i].id, Model: mp.name,
				LastUsed: unixTime(km.lastUsed), CoolUntil: unixTime(km.cool.until), CoolWhy: km.cool.why, CoolDaily: km.cool.daily})
			if !km.today.zero() {
				s.History = append(s.History, KeyUsageDay{KeyID: p.keys[i].id, Model: mp.name, Day: mp.day, DayTotals: km.today})
			}
		}
		for j := range mp.projs {
			if pm := &mp.projs[j]; pm.ver > since && pm.ver != 0 {
				pm.win.prune(now)
				s.Projects = append(s.Projects, projectState(p.projects[j], mp, pm))
			}
		}
	})
	p.histMu.Lock()
	for _, c := range p.closed {
		if c.ver > since {
			s.History = append(s.History, c.row)
		}
	}
	p.histMu.Unlock()
	return s, upTo
}

func projectState(project string, mp *modelPool, pm *projModel) ProjectState {
	ps := ProjectState{Project: project, Model: mp.name, Day: mp.day, Requests: pm.req, InputTokens: pm.in,
		Window: pm.win.entries(), CoolUntil: unixTime(pm.cool.until), CoolWhy: pm.cool.why, CoolDaily: pm.cool.daily,
		Learned: ModelLimits{RPM: pm.learned[QuotaRPM-1], TPMInput: pm.learned[QuotaTPM-1],
			RPD: pm.learned[QuotaRPD-1], TPDInput: pm.learned[QuotaTPD-1]}}
	ps.LearnedAt = unixTime(max(pm.learnedAt[0], pm.learnedAt[1], pm.learnedAt[2], pm.learnedAt[3]))
	return ps
}

// markSaved forgets the closed days saved up to change number upTo.
func (p *Pool) markSaved(upTo uint64) {
	p.histMu.Lock()
	defer p.histMu.Unlock()
	kept := p.closed[:0]
	for _, c := range p.closed {
		if c.ver > upTo {
			kept = append(kept, c)
		}
	}
	p.closed = kept
}

func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
