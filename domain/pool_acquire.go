package domain

import "time"

// Acquire picks a key for model that tried does not hold, reserves one
// call of inputTokens (the caller's estimate) against its project's quotas
// and adds it to tried. It considers the untried valid keys that are not
// cooling down and whose project has headroom for the call (RPM, RPD,
// TPM_input and TPD_input as known for this model), and takes the one with
// the best health score, the least recently used on a tie.
//
// With no key left it returns ErrNoKeys, or a *RetryAfterError wrapping
// ErrRateLimited when untried keys exist but none can take the call now;
// RetryAfter is when the first of them frees up (Daily when that is the
// next Pacific midnight).
func (p *Pool) Acquire(model string, inputTokens int, tried *Tried) (Lease, error) {
	if p.live.Load() == 0 {
		return Lease{}, ErrNoKeys
	}
	now := p.now().UnixNano()
	est := int64(max(inputTokens, 0))
	mp := p.model(model)
	mp.mu.Lock()
	defer mp.mu.Unlock()
	mp.roll(p, now)
	mp.advance(p, now)
	best := -1
	if !p.scanOnly {
		best = mp.pick(p, est, now, tried)
	}
	if best < 0 {
		// Nothing usable: the full scan says how long to wait. It also
		// decides when the heap is bypassed, so tests can compare the two.
		var err error
		if best, err = mp.scan(p, est, now, tried); best < 0 {
			return Lease{}, err
		}
		if !p.scanOnly {
			mp.fallbacks++ // the heap missed a usable key: a bug, counted for tests
		}
	}
	return p.reserve(mp, best, est, now, tried, model), nil
}

// pick takes the best usable key from the heap, passing over keys this
// request tried and projects without token room for this call; those go
// back afterwards. It returns -1 when none is left.
func (mp *modelPool) pick(p *Pool, est, now int64, tried *Tried) int {
	var buf [8]int32
	aside := buf[:0]
	best := -1
	for mp.avail.len() > 0 {
		i := mp.avail.top()
		if p.invalid[i].Load() { // marked invalid since it was placed
			mp.avail.remove(i)
			continue
		}
		j := int(p.projOf[i])
		if tried.has(int(i)) || est > mp.phot[j].tokRoom && !mp.projectFit(p, j, est, now).ok {
			mp.avail.remove(i)
			aside = append(aside, i)
			continue
		}
		best = int(i)
		break
	}
	for _, i := range aside {
		mp.avail.set(i)
	}
	return best
}

// scan checks every key: the exact rule, in O(keys). Acquire uses it when
// the heap has nothing, to compute RetryAfter.
func (mp *modelPool) scan(p *Pool, est, now int64, tried *Tried) (int, error) {
	best, blocked := -1, 0
	var bestScore float64
	var bestSeq uint64
	var free int64
	daily := true
	for i := range mp.hot {
		if p.invalid[i].Load() || tried.has(i) {
			continue
		}
		h := &mp.hot[i]
		f := mp.projectFit(p, int(p.projOf[i]), est, now)
		if h.coolUntil > now {
			f.block(h.coolUntil, mp.keys[i].cool.daily)
		}
		if !f.ok {
			if blocked == 0 || f.free < free {
				free = f.free
			}
			daily = daily && f.daily
			blocked++
			continue
		}
		if best < 0 || f.score > bestScore || f.score == bestScore && h.lastSeq < bestSeq {
			best, bestScore, bestSeq = i, f.score, h.lastSeq
		}
	}
	switch {
	case best >= 0:
		return best, nil
	case blocked > 0:
		return -1, &RetryAfterError{Err: ErrRateLimited, RetryAfter: time.Duration(free - now), Daily: daily}
	}
	return -1, ErrNoKeys
}

// reserve counts one call on key i before it is made, so that concurrent
// Acquires see it at once.
func (p *Pool) reserve(mp *modelPool, i int, est, now int64, tried *Tried, model string) Lease {
	k := p.keys[i]
	km, pm := &mp.keys[i], &mp.projs[k.proj]
	mp.seq++
	mp.avail.remove(int32(i)) // its last use changes; refresh puts it back
	// It counts until 60 s after the latest moment Google may stamp it;
	// Report moves that earlier once the call is done.
	pm.win.insert(winEntry{until: now + int64(Window+WindowSkew), seq: mp.seq, tokens: est})
	pm.req++
	pm.in += est
	mp.hot[i].lastSeq, km.lastUsed = mp.seq, now
	km.today.Requests++
	v := p.touch()
	km.ver, pm.ver = v, v
	mp.refresh(p, k.proj, now)
	k.lastUsed.Store(now)
	tried.indexes = append(tried.indexes, i)
	return Lease{Secret: k.spec.Secret, Masked: k.masked, Model: model,
		index: i, proj: k.proj, mp: mp, seq: mp.seq, at: now, est: est, dayEnd: mp.dayEnd,
		ledger: p.ledgerRequest(mp, k.proj, est, now)}
}
