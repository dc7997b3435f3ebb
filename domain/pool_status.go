package domain

import (
	"time"
)

// KeyStatus is a read-only view of one key for logs and the portal.
// Invalid means out of rotation: Google refused the key, or the admin
// disabled it (Disabled, and then InvalidWhy says so unless Google refused
// it too).
type KeyStatus struct {
	Masked       string
	Project      string
	Invalid      bool
	Disabled     bool
	InvalidWhy   string
	InvalidSince time.Time
	CheckedAt    time.Time            // last re-check of an invalid key
	Cooling      map[string]time.Time // model → until (the key's own or its project's)
	LastUsed     time.Time
}

// DisabledWhy is the reason a key disabled by the admin shows.
const DisabledWhy = "disabled by the admin"

// Status lists every key's state, in pool order; removed keys are left out.
func (p *Pool) Status() []KeyStatus {
	now := p.now().UnixNano()
	var out []KeyStatus
	var slots []*poolKey
	p.keyMu.Lock()
	for _, k := range p.keys {
		if k.removed {
			continue
		}
		since, why := k.outWhy()
		s := KeyStatus{Masked: k.masked, Project: k.spec.Project, Invalid: k.invalid.Load(), Disabled: k.disabled,
			InvalidWhy: why, InvalidSince: since, CheckedAt: k.checkedAt}
		if t := k.lastUsed.Load(); t != 0 {
			s.LastUsed = time.Unix(0, t)
		}
		out = append(out, s)
		slots = append(slots, k)
	}
	p.keyMu.Unlock()
	p.eachModel(func(mp *modelPool) {
		for n, k := range slots { // the model's arrays cover every slot
			until := max(mp.keys[k.index].cool.until, mp.projs[k.proj].cool.until)
			if until <= now {
				continue
			}
			if out[n].Cooling == nil {
				out[n].Cooling = map[string]time.Time{}
			}
			out[n].Cooling[mp.name] = time.Unix(0, until)
		}
	})
	return out
}

// outWhy is when and why the key left rotation (keyMu held): Google's
// refusal first, then the admin's.
func (k *poolKey) outWhy() (time.Time, string) {
	if !k.rejected && k.disabled {
		return k.disabledAt, DisabledWhy
	}
	return k.invalidSince, k.invalidWhy
}

// Active is the number of keys in rotation.
func (p *Pool) Active() int {
	p.keyMu.Lock()
	defer p.keyMu.Unlock()
	n := 0
	for _, k := range p.keys {
		if !k.invalid.Load() {
			n++
		}
	}
	return n
}

// Secrets lists the secrets of keys in rotation, for background calls
// such as refreshing the model list.
func (p *Pool) Secrets() []string {
	p.keyMu.Lock()
	defer p.keyMu.Unlock()
	var out []string
	for _, k := range p.keys {
		if !k.invalid.Load() {
			out = append(out, k.spec.Secret)
		}
	}
	return out
}

// markInvalid takes k out of rotation, keeping the first reason and time.
// It reports whether k was in rotation until now.
func (p *Pool) markInvalid(k *poolKey, why string, at time.Time) bool {
	p.keyMu.Lock()
	defer p.keyMu.Unlock()
	if k.rejected {
		return false
	}
	k.rejected, k.invalidWhy, k.invalidSince = true, why, at
	k.syncOut()
	k.ver = p.touch()
	return true
}

// MarkInvalid takes the key with secret out of rotation, as a failed
// start-up check does. It reports whether the key is in the pool.
func (p *Pool) MarkInvalid(secret, why string) bool {
	k := p.key(secret)
	if k != nil && p.markInvalid(k, why, p.now()) {
		p.publish(PoolEvent{Kind: EventInvalid, KeyID: k.id, Why: why})
	}
	return k != nil
}

// RestoreKey puts a key Google refused back into rotation (a re-check
// found it working); a key the admin disabled stays out until enabled. It
// reports whether the key is in the pool.
func (p *Pool) RestoreKey(secret string) bool {
	k := p.key(secret)
	if k == nil {
		return false
	}
	p.restore(k)
	p.publish(PoolEvent{Kind: EventRestored, KeyID: k.id})
	return true
}

func (p *Pool) restore(k *poolKey) {
	p.keyMu.Lock()
	k.rejected, k.invalidWhy, k.invalidSince, k.checkedAt = false, "", time.Time{}, p.now()
	k.syncOut()
	k.ver = p.touch()
	p.keyMu.Unlock()
	p.placeEverywhere(k.index)
}

// placeEverywhere re-places key i in every model after its rotation
// state changed.
func (p *Pool) placeEverywhere(i int) {
	now := p.now().UnixNano()
	p.eachModel(func(mp *modelPool) { mp.place(p, int32(i), now) })
}

// key finds the key with secret among those not removed.
func (p *Pool) key(secret string) *poolKey {
	p.keyMu.Lock()
	defer p.keyMu.Unlock()
	for _, k := range p.keys {
		if k.spec.Secret == secret && !k.removed {
			return k
		}
	}
	return nil
}

// slot is the key in slot i.
func (p *Pool) slot(i int) *poolKey {
	p.keyMu.Lock()
	defer p.keyMu.Unlock()
	return p.keys[i]
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
