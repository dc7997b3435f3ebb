package domain

import "time"

// modelReport is one model's limits, totals and key groups at now.
func (p *Pool) modelReport(mp *modelPool, now int64) ModelReport {
	p.keyMu.Lock()
	keys := p.keys                     // the model's arrays cover every slot
	why := make([]cooldown, len(keys)) // keys out of rotation: since when and why
	removed := make([]bool, len(keys))
	for i, k := range keys {
		since, w := k.outWhy()
		why[i], removed[i] = cooldown{until: unixNano(since), why: w}, k.removed
	}
	p.keyMu.Unlock()
	mp.mu.Lock()
	defer mp.mu.Unlock()
	mp.roll(p, now)
	mp.advance(p, now)
	mr := ModelReport{Model: mp.name, Limits: mp.limits}
	// Where the table says nothing, what Google taught is the best guess.
	for j := range mp.projs {
		q := mp.quotaOf(&mp.projs[j], now)
		learned := func(table, got int64, dst *int64) {
			if table == 0 && got > *dst {
				*dst = got
			}
		}
		learned(mp.limits.RPM, q.rpm, &mr.Limits.RPM)
		learned(mp.limits.TPMInput, q.tpm, &mr.Limits.TPMInput)
		learned(mp.limits.RPD, q.rpd, &mr.Limits.RPD)
		learned(mp.limits.TPDInput, q.tpd, &mr.Limits.TPDInput)
	}
	groups := map[string][]KeyUsage{}
	projects := map[int]bool{}
	for i, k := range keys {
		km := &mp.keys[i]
		mr.Today.add(km.today)
		if removed[i] {
			continue // its calls today still count in the totals
		}
		state, ku := keyUsage(p, mp, k, km, k.proj, now)
		if state == "invalid" {
			ku.Since, ku.Why = unixTime(why[i].until), why[i].why
		} else {
			projects[k.proj] = true
		}
		groups[state] = append(groups[state], ku)
	}
	for _, s := range KeyStates {
		if len(groups[s]) > 0 {
			mr.Groups = append(mr.Groups, KeyGroup{State: s, Keys: groups[s]})
		}
	}
	mr.Projects = len(projects)
	mr.CapacityRPD = int64(mr.Projects) * mr.Limits.RPD
	mr.CapacityTPD = int64(mr.Projects) * mr.Limits.TPDInput
	return mr
}

// keyUsage is one key's meters and state for a model.
func keyUsage(p *Pool, mp *modelPool, k *poolKey, km *keyModel, j int, now int64) (string, KeyUsage) {
	pm := &mp.projs[j]
	pm.win.prune(now)
	q := mp.quotaOf(pm, now)
	ku := KeyUsage{Masked: k.masked, Project: k.spec.Project, Today: km.today,
		RPD: Meter{pm.req, q.rpd}, RPM: Meter{int64(pm.win.count()), q.rpm},
		TPDIn: Meter{pm.in, q.tpd}, TPMIn: Meter{pm.win.tokens, q.tpm}}
	f := mp.projectFit(p, j, 0, now)
	ku.Score = healthScore(q, pm)
	cool := pm.cool
	if km.cool.until > cool.until {
		cool = km.cool
	}
	switch {
	case k.invalid.Load():
		return "invalid", ku
	case cool.until > now:
		ku.Until, ku.Why = time.Unix(0, cool.until), cool.why
		if cool.daily {
			return "exhausted", ku
		}
		return "cooling", ku
	case !f.ok && f.daily:
		ku.Until, ku.Why = time.Unix(0, mp.dayEnd), "daily limit reached"
		return "exhausted", ku
	case !f.ok:
		ku.Until, ku.Why = time.Unix(0, f.free), "minute limit reached"
		return "busy", ku
	}
	return "available", ku
}
