package domain

import (
	"strings"
	"time"
)

// KeyOp is the kind of an admin change to the pool's keys.
type KeyOp int

// The admin's changes to the pool's keys.
const (
	KeyAdded KeyOp = iota + 1
	KeyRemoved
	KeyDisabled
	KeyEnabled
)

// String names the change for logs: added, removed, disabled or enabled.
func (o KeyOp) String() string {
	switch o {
	case KeyAdded:
		return "added"
	case KeyRemoved:
		return "removed"
	case KeyDisabled:
		return "disabled"
	case KeyEnabled:
		return "enabled"
	}
	return "unknown"
}

// KeyChange is one admin change to the pool's keys. Spec holds the secret:
// a sink must store it for an added key to work after a restart, and must
// never log or show it.
type KeyChange struct {
	Op   KeyOp
	Spec KeySpec
}

// KeySink stores the admin's changes to the pool's keys. The pool calls it
// synchronously on each change, before applying it and without holding any
// lock a request needs; when it fails the change is not made (the sink
// reports its own failures: the portal's calls have no error to return).
type KeySink interface {
	SaveKeyChanges(changes []KeyChange) error
}

// KeyOverride is how a store keeps one admin change over the configured
// keys: a key added at run time (Added, with its Secret: the store needs
// it to use the key after a restart), or a configured key Disabled or
// Deleted (a tombstone), named by ID alone.
type KeyOverride struct {
	ID                       string // KeyID of the secret
	Secret                   string // added keys only
	Project                  string
	Added, Disabled, Deleted bool
}

// Empty reports whether o overrides nothing: a configured key in its
// plain state, which needs no record.
func (o KeyOverride) Empty() bool { return !o.Added && !o.Disabled && !o.Deleted }

// WithKeySink makes the admin's key changes durable. Without it they last
// until the process ends.
func WithKeySink(s KeySink) PoolOption { return func(p *Pool) { p.sink = s } }

// ParseKeySpecs reads keys written as GEMINI_API_KEYS has them: entries
// separated by commas, semicolons, whitespace or lines, each "key" or
// "project:key". Empty entries and repeated keys are dropped.
func ParseKeySpecs(text string) []KeySpec {
	var out []KeySpec
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(", \t\r\n;", r) }) {
		project, secret, ok := strings.Cut(f, ":")
		if !ok {
			project, secret = "", f
		}
		if secret == "" || seen[secret] {
			continue
		}
		seen[secret] = true
		out = append(out, KeySpec{Secret: secret, Project: project})
	}
	return out
}

// AddKeys puts keys into rotation at once and returns how many were new.
// A spec without a Project is read with ParseKeySpecs, so it may hold
// "project:key" or several keys. Keys already in the pool are skipped (a
// live key keeps its project; to move it, remove it and add it again). A
// key removed earlier gets its slot back, with today's counts: Google
// still counts them.
func (p *Pool) AddKeys(specs []KeySpec) int {
	want := expandSpecs(specs)
	p.adminMu.Lock()
	n := p.addLocked(want, true)
	p.adminMu.Unlock()
	if n > 0 {
		p.KeysChanged()
	}
	return n
}

// expandSpecs reads "project:key" lists in specs without a Project and
// drops empty and repeated keys.
func expandSpecs(specs []KeySpec) []KeySpec {
	var want []KeySpec
	seen := map[string]bool{}
	for _, s := range specs {
		entries := []KeySpec{{Secret: strings.TrimSpace(s.Secret), Project: strings.TrimSpace(s.Project)}}
		if entries[0].Project == "" {
			entries = ParseKeySpecs(s.Secret)
		}
		for _, e := range entries {
			if e.Secret != "" && !seen[e.Secret] {
				seen[e.Secret] = true
				e.Disabled = s.Disabled
				want = append(want, e)
			}
		}
	}
	return want
}

// addLocked adds the keys of want not in the pool, with adminMu held;
// persist=false skips the sink (the change is stored already).
func (p *Pool) addLocked(want []KeySpec, persist bool) int {
	x := p.growIndex()
	var add []KeySpec
	for _, s := range want {
		if !x.live[s.Secret] {
			add = append(add, s)
		}
	}
	if len(add) == 0 || persist && !p.save(KeyAdded, add...) {
		return 0
	}
	p.exclusive(func(models []*modelPool) { p.insert(add, x, models, p.now()) })
	return len(add)
}

// RemoveKey deletes the key with secret from the pool. Leases already
// handed out for it still report normally. It reports whether the key was
// in the pool and is gone now.
func (p *Pool) RemoveKey(secret string) bool {
	p.adminMu.Lock()
	ok := p.removeLocked(secret, true)
	p.adminMu.Unlock()
	if ok {
		p.KeysChanged()
	}
	return ok
}

func (p *Pool) removeLocked(secret string, persist bool) bool {
	k := p.key(secret)
	if k == nil || persist && !p.save(KeyRemoved, k.spec) {
		return false
	}
	p.keyMu.Lock()
	k.removed = true
	k.syncOut()
	k.ver = p.touch()
	p.keyMu.Unlock()
	p.live.Add(-1)
	p.placeEverywhere(k.index)
	return true
}

// SetKeyDisabled takes the key with secret out of rotation, or puts it
// back. The key stays listed (Status shows it Invalid and Disabled), and
// re-checks leave it alone. Enabling also clears Google's refusal: the
// admin's word wins, and the next refused call marks it again. It reports
// whether the key is in the pool and now in the state asked for.
func (p *Pool) SetKeyDisabled(secret string, disabled bool) bool {
	p.adminMu.Lock()
	ok, changed := p.setDisabledLocked(secret, disabled, true)
	p.adminMu.Unlock()
	if changed {
		p.KeysChanged()
	}
	return ok
}

// setDisabledLocked is SetKeyDisabled with adminMu held; changed reports a
// new disabled state.
func (p *Pool) setDisabledLocked(secret string, disabled, persist bool) (ok, changed bool) {
	k := p.key(secret)
	if k == nil {
		return false, false
	}
	p.keyMu.Lock()
	was, rejected := k.disabled, k.rejected
	p.keyMu.Unlock()
	if was == disabled && (disabled || !rejected) {
		return true, false
	}
	if was != disabled {
		op := KeyEnabled
		if disabled {
			op = KeyDisabled
		}
		if persist && !p.save(op, k.spec) {
			return false, false
		}
	}
	now := p.now()
	p.keyMu.Lock()
	k.disabled, k.disabledAt = disabled, time.Time{}
	if disabled {
		k.disabledAt = now
	} else {
		if rejected && persist { // the other replicas hold the refusal too
			p.publish(PoolEvent{Kind: EventRestored, KeyID: k.id})
		}
		k.rejected, k.invalidWhy, k.invalidSince, k.checkedAt = false, "", time.Time{}, now
	}
	k.syncOut()
	k.ver = p.touch()
	p.keyMu.Unlock()
	p.placeEverywhere(k.index)
	return true, was != disabled
}

// save hands changes to the sink, if any, and reports whether they may be
// applied. adminMu is held: admin changes reach the sink in order.
func (p *Pool) save(op KeyOp, specs ...KeySpec) bool {
	if p.sink == nil {
		return true
	}
	changes := make([]KeyChange, len(specs))
	for i, s := range specs {
		changes[i] = KeyChange{Op: op, Spec: s}
	}
	return p.sink.SaveKeyChanges(changes) == nil
}

// SyncKeys makes the pool's keys those load returns, the list as another
// replica saved it: keys missing from it are removed, new ones added, and
// each key disabled or enabled as it says. load runs under the lock of
// admin changes, so a change made here meanwhile is either in the list or
// waits for the sync. Nothing goes to the sink or the other replicas: the
// change is stored and known already.
func (p *Pool) SyncKeys(load func() ([]KeySpec, error)) error {
	p.adminMu.Lock()
	defer p.adminMu.Unlock()
	want, err := load()
	if err != nil {
		return err
	}
	keep := make(map[string]bool, len(want))
	for _, s := range want {
		keep[s.Secret] = true
	}
	p.keyMu.Lock()
	var gone []string
	for _, k := range p.keys {
		if !k.removed && !keep[k.spec.Secret] {
			gone = append(gone, k.spec.Secret)
		}
	}
	p.keyMu.Unlock()
	for _, s := range gone {
		p.removeLocked(s, false)
	}
	p.addLocked(expandSpecs(want), false)
	for _, s := range want {
		if k := p.key(s.Secret); k != nil {
			p.keyMu.Lock()
			disabled := k.disabled
			p.keyMu.Unlock()
			if disabled != s.Disabled {
				p.setDisabledLocked(s.Secret, s.Disabled, false)
			}
		}
	}
	return nil
}
