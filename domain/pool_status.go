package domain

import (
	"time"
)

// KeyStatus is a read-only view of one key for logs and the portal.
type KeyStatus struct {
	Masked       string
	Project      string
	Invalid      bool
	InvalidWhy   string
	InvalidSince time.Time
	CheckedAt    time.Time            // last re-check of an invalid key
	Cooling      map[string]time.Time // model → until (the key's own or its project's)
	LastUsed     time.Time
}

// Status lists every key's state.
func (p *Pool) Status() []KeyStatus {
	now := p.now().UnixNano()
	out := make([]KeyStatus, len(p.keys))
	p.keyMu.Lock()
	for i, k := range p.keys {
		out[i] = KeyStatus{Masked: k.masked, Project: k.spec.Project, Invalid: k.invalid.Load(),
			InvalidWhy: k.invalidWhy, InvalidSince: k.invalidSince, CheckedAt: k.checkedAt}
		if t := k.lastUsed.Load(); t != 0 {
			out[i].LastUsed = time.Unix(0, t)
		}
	}
	p.keyMu.Unlock()
	p.eachModel(func(mp *modelPool) {
		for i, k := range p.keys {
			until := max(mp.keys[i].cool.until, mp.projs[k.proj].cool.until)
			if until <= now {
				continue
			}
			if out[i].Cooling == nil {
				out[i].Cooling = map[string]time.Time{}
			}
			out[i].Cooling[mp.name] = time.Unix(0, until)
		}
	})
	return out
}

// Active is the number of keys not marked invalid.
func (p *Pool) Active() int {
	n := 0
	for _, k := range p.keys {
		if !k.invalid.Load() {
			n++
		}
	}
	return n
}

// Secrets lists the secrets of keys not marked invalid, for background
// calls such as refreshing the model list.
func (p *Pool) Secrets() []string {
	var out []string
	for _, k := range p.keys {
		if !k.invalid.Load() {
			out = append(out, k.spec.Secret)
		}
	}
	return out
}

// markInvalid takes k out of rotation, keeping the first reason and time.
func (p *Pool) markInvalid(k *poolKey, why string, at time.Time) {
	p.keyMu.Lock()
	defer p.keyMu.Unlock()
	if k.invalid.Load() {
		return
	}
	k.invalidWhy, k.invalidSince = why, at
	k.invalid.Store(true)
	k.ver = p.touch()
}

// MarkInvalid takes the key with secret out of rotation, as a failed
// start-up check does. It reports whether the key is in the pool.
func (p *Pool) MarkInvalid(secret, why string) bool {
	k := p.key(secret)
	if k != nil {
		p.markInvalid(k, why, p.now())
	}
	return k != nil
}

// RestoreKey puts an invalid key back into rotation (a re-check found it
// working, or the admin re-enabled it). It reports whether the key is in
// the pool.
func (p *Pool) RestoreKey(secret string) bool {
	k := p.key(secret)
	if k == nil {
		return false
	}
	p.keyMu.Lock()
	k.invalidWhy, k.invalidSince, k.checkedAt = "", time.Time{}, p.now()
	k.invalid.Store(false)
	k.ver = p.touch()
	p.keyMu.Unlock()
	now := p.now().UnixNano()
	p.eachModel(func(mp *modelPool) { mp.place(p, int32(k.index), now) })
	return true
}

func (p *Pool) key(secret string) *poolKey {
	for _, k := range p.keys {
		if k.spec.Secret == secret {
			return k
		}
	}
	return nil
}

// closeDay keeps a finished day of one key×model: in the history for the
// report, and until saved for write-behind.
func (p *Pool) closeDay(row KeyUsageDay) {
	p.histMu.Lock()
	defer p.histMu.Unlock()
	p.closed = append(p.closed, closedRow{row: row, ver: p.touch()})
	p.addHistory(row.Day, row.Model, row.DayTotals)
}

// addHistory adds to the per-model history (histMu held) and forgets days
// older than HistoryDays.
func (p *Pool) addHistory(day, model string, d DayTotals) {
	m := p.hist[day]
	if m == nil {
		m = map[string]*DayTotals{}
		p.hist[day] = m
		cut := PTDay(p.now().AddDate(0, 0, -HistoryDays))
		for old := range p.hist {
			if old < cut {
				delete(p.hist, old)
			}
		}
	}
	t := m[model]
	if t == nil {
		t = &DayTotals{}
		m[model] = t
	}
	t.add(d)
}

// HistoryDays is how many Pacific days of usage the pool remembers for the
// report (the store keeps at least as many).
const HistoryDays = 35
