package domain

import (
	"slices"
	"sync/atomic"
	"time"
)

// exclusive runs f with every lock of the pool held: modelsMu (no model
// appears meanwhile), keyMu and each model's mu, in that order, so the key
// slices and every model's per-key arrays change together. Only admin
// changes call it, with adminMu held (so no two lock the models in
// different orders). Requests wait while it runs, never across I/O: a
// few microseconds to add a key, about 10 ms to add a thousand at once
// with five models in use.
func (p *Pool) exclusive(f func(models []*modelPool)) {
	p.modelsMu.Lock()
	defer p.modelsMu.Unlock()
	p.keyMu.Lock()
	defer p.keyMu.Unlock()
	var models []*modelPool
	p.models.Range(func(_, v any) bool {
		models = append(models, v.(*modelPool))
		return true
	})
	for _, mp := range models {
		mp.mu.Lock()
	}
	defer func() {
		for _, mp := range models {
			mp.mu.Unlock()
		}
	}()
	f(models)
}

// growIndex is what insert looks keys and projects up in. Only admin
// changes alter either, so it is built with adminMu alone, before the
// locks requests wait for.
type growIndex struct {
	live    map[string]bool // secrets in the pool
	removed map[string]int  // secret → slot of a removed key
	projs   map[string]int  // project id → index
}

func (p *Pool) growIndex() growIndex {
	x := growIndex{live: make(map[string]bool, len(p.keys)), removed: map[string]int{}, projs: make(map[string]int, len(p.projects))}
	for i, k := range p.keys {
		if k.removed {
			x.removed[k.spec.Secret] = i
		} else {
			x.live[k.spec.Secret] = true
		}
	}
	for j, id := range p.projects {
		x.projs[id] = j
	}
	return x
}

// insert adds keys to the pool (exclusive held): a removed key gets its
// slot back, moving to its new project if it has one, and a new key gets
// a slot at the end. Then every model grows its arrays and re-checks the
// projects that changed, which places their keys.
func (p *Pool) insert(add []KeySpec, x growIndex, models []*modelPool, at time.Time) {
	slotOf, projIndex := x.removed, x.projs
	p.reserveFlags(len(p.keys) + len(add)) // at most: some may get their slot back
	touched := map[int]bool{}
	for _, s := range add {
		id := KeyID(s.Secret)
		proj := projectID(s.Project, id)
		j, ok := projIndex[proj]
		if !ok {
			j = len(p.projects)
			projIndex[proj] = j
			p.projects = append(p.projects, proj)
			p.projKeys = append(p.projKeys, nil)
		}
		touched[j] = true
		i, ok := slotOf[s.Secret]
		if !ok {
			i = len(p.keys)
			p.invalid = p.invalid[:i+1] // within the capacity reserved: no flag moves
			k := &poolKey{spec: KeySpec{Secret: s.Secret, Project: s.Project}, id: id, masked: MaskSecret(s.Secret),
				index: i, proj: j, invalid: &p.invalid[i]}
			p.keys = append(p.keys, k)
			p.projOf = append(p.projOf, int32(j))
			p.projKeys[j] = append(p.projKeys[j], int32(i))
		}
		k := p.keys[i]
		if ok && k.proj != j {
			for _, mp := range models { // its heap priority is about to change
				mp.avail.remove(int32(i))
			}
			old := k.proj
			p.projKeys[old] = slices.DeleteFunc(p.projKeys[old], func(x int32) bool { return x == int32(i) })
			p.projKeys[j] = append(p.projKeys[j], int32(i))
			p.projOf[i], k.proj = int32(j), j
			touched[old] = true
		}
		k.spec.Project = s.Project
		k.removed, k.rejected, k.invalidWhy, k.invalidSince = false, false, "", time.Time{}
		k.disabled, k.disabledAt = s.Disabled, time.Time{}
		if s.Disabled {
			k.disabledAt = at
		}
		k.syncOut()
		k.ver = p.touch()
		p.live.Add(1)
	}
	now := at.UnixNano()
	for _, mp := range models {
		for len(mp.keys) < len(p.keys) {
			mp.keys = append(mp.keys, keyModel{})
			mp.hot = append(mp.hot, keyHot{})
		}
		for len(mp.projs) < len(p.projects) {
			mp.projs = append(mp.projs, projModel{})
			mp.phot = append(mp.phot, projHot{})
		}
		mp.avail.grow(len(p.keys))
		mp.ktimer.grow(len(p.keys))
		mp.ptimer.grow(len(p.projects))
		mp.roll(p, now) // a model never used yet builds everything here
		for j := range touched {
			mp.refresh(p, j, now)
		}
	}
}

// reserveFlags makes room for n out-of-rotation flags (keyMu held). The
// flags are atomics that requests read in place, so they move only here,
// where every reader's lock is held, and the capacity doubles so that
// happens rarely.
func (p *Pool) reserveFlags(n int) {
	if n <= cap(p.invalid) {
		return
	}
	flags := make([]atomic.Bool, len(p.invalid), max(n, 2*cap(p.invalid)))
	for i := range p.invalid {
		flags[i].Store(p.invalid[i].Load())
	}
	p.invalid = flags
	for i, k := range p.keys {
		k.invalid = &p.invalid[i]
	}
}
