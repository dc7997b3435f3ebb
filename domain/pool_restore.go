package domain

import (
	"sort"
	"time"
)

// Restore loads state saved by an earlier run: key validity, cooldowns,
// learned limits, today's counts and minute windows, and the day history.
// Entries for keys no longer configured are ignored, and counts of a past
// Pacific day go to the history only. Call it before serving.
func (p *Pool) Restore(s PoolSnapshot) {
	now := p.now()
	today := PTDay(now)
	p.keyMu.Lock()
	byID := make(map[string]int, len(p.keys))
	for i, k := range p.keys {
		if !k.removed {
			byID[k.id] = i
		}
	}
	projByID := make(map[string]int, len(p.projects))
	for j, id := range p.projects {
		projByID[id] = j
	}
	for _, ks := range s.Keys {
		if i, ok := byID[ks.ID]; ok {
			k := p.keys[i]
			k.rejected, k.invalidWhy, k.invalidSince, k.checkedAt = ks.Invalid, ks.InvalidWhy, ks.InvalidSince, ks.CheckedAt
			k.syncOut()
			k.ver = p.touch()
		}
	}
	p.keyMu.Unlock()

	// LRU order survives as the order of last use.
	kms := append([]KeyModelState(nil), s.KeyModels...)
	sort.SliceStable(kms, func(a, b int) bool { return kms[a].LastUsed.Before(kms[b].LastUsed) })
	for _, st := range kms {
		i, ok := byID[st.KeyID]
		if !ok {
			continue
		}
		p.withModel(st.Model, now, func(mp *modelPool) {
			km := &mp.keys[i]
			mp.seq++
			km.lastUsed = unixNano(st.LastUsed)
			km.cool = cooldown{until: unixNano(st.CoolUntil), why: st.CoolWhy, daily: st.CoolDaily}
			mp.hot[i] = keyHot{lastSeq: mp.seq, coolUntil: km.cool.until}
			km.ver = p.touch()
			if t := km.lastUsed; t > p.keys[i].lastUsed.Load() {
				p.keys[i].lastUsed.Store(t)
			}
		})
	}
	for _, ps := range s.Projects {
		j, ok := projByID[ps.Project]
		if !ok {
			continue
		}
		p.withModel(ps.Model, now, func(mp *modelPool) {
			restoreProject(p, &mp.projs[j], ps, today)
		})
	}
	for _, h := range s.History {
		i, ok := byID[h.KeyID]
		switch {
		case h.Day == today && ok:
			p.withModel(h.Model, now, func(mp *modelPool) {
				mp.keys[i].today = h.DayTotals
				mp.keys[i].ver = p.touch()
			})
		case h.Day < today:
			p.histMu.Lock()
			p.addHistory(h.Day, h.Model, h.DayTotals)
			p.histMu.Unlock()
		}
	}
	n := now.UnixNano()
	p.eachModel(func(mp *modelPool) { mp.rebuild(p, n) })
}

func restoreProject(p *Pool, pm *projModel, ps ProjectState, today string) {
	if ps.Day == today {
		pm.req, pm.in = ps.Requests, ps.InputTokens
	}
	pm.win = window{}
	for _, e := range ps.Window {
		pm.win.insert(winEntry{until: unixNano(e.Until), tokens: e.Tokens})
	}
	at := unixNano(ps.LearnedAt)
	for k, v := range []int64{ps.Learned.RPM, ps.Learned.TPMInput, ps.Learned.RPD, ps.Learned.TPDInput} {
		pm.learned[k], pm.learnedAt[k] = v, at
	}
	pm.cool = cooldown{until: unixNano(ps.CoolUntil), why: ps.CoolWhy, daily: ps.CoolDaily}
	pm.ver = p.touch()
}

// withModel runs f on model's state, locked and rolled to today.
func (p *Pool) withModel(model string, now time.Time, f func(mp *modelPool)) {
	mp := p.model(model)
	mp.mu.Lock()
	defer mp.mu.Unlock()
	mp.roll(p, now.UnixNano())
	f(mp)
}
