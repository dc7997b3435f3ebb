package domain

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Cluster connects a pool to the other replicas serving the same keys.
// Ledger and Bus may each be nil: without a Ledger every replica counts
// only its own calls; without a Bus cooldowns and refusals stay local.
type Cluster struct {
	Ledger QuotaLedger
	Bus    EventBus
	// Replica names this process in the events it publishes.
	Replica string
	// OnError hears failures of the shared backend. The pool carries on
	// with its own counts: a Redis outage must not stop the API.
	OnError func(error)
	// OnKeysChanged runs when another replica changed the key list; it
	// reloads the list from the shared database and calls SyncKeys.
	OnKeysChanged func()
}

type clusterLink struct {
	Cluster
	events  chan PoolEvent
	dropped atomic.Int64
}

// sharedCallTimeout bounds one call to the shared backend, so that a
// stalled Redis costs a request a moment, not its whole deadline.
const sharedCallTimeout = 500 * time.Millisecond

// WithCluster makes the pool share quotas and key states with other
// replicas. Call RunCluster to deliver events both ways.
func WithCluster(c Cluster) PoolOption {
	return func(p *Pool) {
		if c.OnError == nil {
			c.OnError = func(error) {}
		}
		p.cluster = &clusterLink{Cluster: c, events: make(chan PoolEvent, 1024)}
	}
}

// AcquireContext is Acquire that also reserves the call in the cluster's
// ledger. A project whose shared count is full is cooled here until the
// ledger's RetryAfter (other replicas used its quota) and the next key is
// tried, so the request goes on with another project when one has room.
// If the ledger fails, the call goes ahead on this replica's own counts.
func (p *Pool) AcquireContext(ctx context.Context, model string, inputTokens int, tried *Tried) (Lease, error) {
	for refusals := 0; ; refusals++ {
		l, err := p.Acquire(model, inputTokens, tried)
		if err != nil || l.ledger == nil {
			return l, err
		}
		rctx, cancel := context.WithTimeout(ctx, sharedCallTimeout)
		t, err := p.cluster.Ledger.Reserve(rctx, *l.ledger)
		cancel()
		if err == nil {
			l.ticket = &t
			return l, nil
		}
		var ra *RetryAfterError
		if !errors.As(err, &ra) {
			if ctx.Err() == nil { // not the client going away
				p.cluster.OnError(err)
			}
			return l, nil
		}
		p.holdBack(l, ra)
		// The key was not tried: it only waits now, and a request that
		// finds every key waiting must be told how long.
		tried.forget(l.index)
		if refusals == maxRefusals {
			return Lease{}, ra
		}
	}
}

// maxRefusals bounds the ledger round trips of one Acquire when the
// ledger keeps refusing what the local counts allow.
const maxRefusals = 8

// ledgerRequest describes a call just reserved on project j for the
// ledger: the project's limits in force (table or learned). It is nil
// without a ledger or for an untracked model. mp.mu is held.
func (p *Pool) ledgerRequest(mp *modelPool, j int, est, now int64) *QuotaRequest {
	if p.cluster == nil || p.cluster.Ledger == nil {
		return nil
	}
	q := mp.quotaOf(&mp.projs[j], now)
	lim := ModelLimits{RPM: q.rpm, TPMInput: q.tpm, RPD: q.rpd, TPDInput: q.tpd}
	if !lim.Tracked() {
		return nil
	}
	return &QuotaRequest{Project: p.projects[j], Model: mp.name, Day: mp.day,
		DayEnd: time.Unix(0, mp.dayEnd), Tokens: est, Limits: lim, Now: time.Unix(0, now)}
}

// holdBack undoes l's local reservation, which the cluster refused, and
// cools the project for the model until the ledger has room again. It is
// not the key's fault: no error is counted.
func (p *Pool) holdBack(l Lease, ra *RetryAfterError) {
	mp := l.mp
	now := p.now().UnixNano()
	mp.mu.Lock()
	defer mp.mu.Unlock()
	mp.roll(p, now)
	km, pm := &mp.keys[l.index], &mp.projs[l.proj]
	if i := pm.win.find(l.seq); i >= 0 {
		pm.win.remove(i)
	}
	if l.dayEnd == mp.dayEnd {
		pm.req--
		pm.in -= l.est
		km.today.Requests--
	}
	// A floor, so that a ledger answering "now" cannot make Acquire spin.
	until := now + int64(max(ra.RetryAfter, 50*time.Millisecond))
	if ra.Daily {
		until = mp.dayEnd
	}
	if until > pm.cool.until {
		pm.cool = cooldown{until: until, why: "quota used by other replicas", daily: ra.Daily}
	}
	v := p.touch()
	km.ver, pm.ver = v, v
	mp.refresh(p, l.proj, now)
}

// settle closes l's ledger ticket in the background: the answer to the
// client does not wait for it.
func (p *Pool) settle(l Lease, o Outcome) {
	if l.ticket == nil {
		return
	}
	counted := o.Kind == OutcomeOK || o.Kind == OutcomeNeutral || o.Kind == OutcomeServerError && !o.NotSent
	tokens := l.est
	if o.InputTokens > 0 {
		tokens = int64(o.InputTokens)
	}
	t, c := *l.ticket, p.cluster
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), sharedCallTimeout)
		defer cancel()
		if err := c.Ledger.Settle(ctx, t, counted, tokens); err != nil {
			c.OnError(err)
		}
	}()
}

// publish queues e for the other replicas without blocking: callers hold
// model locks. A full queue drops the event (counted); the next 429 on
// another replica teaches it the same.
func (p *Pool) publish(e PoolEvent) {
	if p.cluster == nil || p.cluster.Bus == nil {
		return
	}
	e.From = p.cluster.Replica
	select {
	case p.cluster.events <- e:
	default:
		p.cluster.dropped.Add(1)
	}
}

// RunCluster publishes this pool's events and applies the other replicas'
// until ctx ends. Without a Bus it returns at once.
func (p *Pool) RunCluster(ctx context.Context) {
	if p.cluster == nil || p.cluster.Bus == nil {
		return
	}
	c := p.cluster
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			err := c.Bus.Subscribe(ctx, func(e PoolEvent) {
				if e.From != c.Replica {
					p.apply(e)
				}
			})
			if err != nil && ctx.Err() == nil {
				c.OnError(err)
				sleepCtx(ctx, time.Second)
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			<-done
			return
		case e := <-c.events:
			pctx, cancel := context.WithTimeout(ctx, sharedCallTimeout)
			if err := c.Bus.Publish(pctx, e); err != nil && ctx.Err() == nil {
				c.OnError(err)
			}
			cancel()
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// apply makes another replica's event true here, without publishing it
// again.
func (p *Pool) apply(e PoolEvent) {
	switch e.Kind {
	case EventKeys:
		if p.cluster.OnKeysChanged != nil {
			p.cluster.OnKeysChanged()
		}
	case EventInvalid:
		if k := p.keyByID(e.KeyID); k != nil {
			p.markInvalid(k, e.Why, p.now())
		}
	case EventRestored:
		if k := p.keyByID(e.KeyID); k != nil {
			p.restore(k)
		}
	case EventCooldown:
		p.applyCooldown(e)
	}
}

// applyCooldown starts another replica's cooldown here unless a longer
// one is already running.
func (p *Pool) applyCooldown(e PoolEvent) {
	now := p.now().UnixNano()
	until := e.Until.UnixNano()
	if until <= now || e.Model == "" {
		return
	}
	c := cooldown{until: until, why: e.Why, daily: e.Daily}
	var k *poolKey
	if e.KeyID != "" {
		if k = p.keyByID(e.KeyID); k == nil {
			return
		}
	}
	mp := p.model(e.Model)
	mp.mu.Lock()
	defer mp.mu.Unlock()
	mp.roll(p, now)
	if k != nil {
		km := &mp.keys[k.index]
		if until > km.cool.until {
			km.cool = c
			mp.hot[k.index].coolUntil = until
			km.ver = p.touch()
			mp.place(p, int32(k.index), now)
		}
		return
	}
	for j, name := range p.projects {
		if name != e.Project {
			continue
		}
		pm := &mp.projs[j]
		for k, v := range e.Learned {
			if v > 0 {
				pm.learned[k], pm.learnedAt[k] = v, now
			}
		}
		if until > pm.cool.until {
			pm.cool = c
		}
		pm.ver = p.touch()
		mp.refresh(p, j, now)
	}
}

// keyByID finds a key not removed by its KeyID.
func (p *Pool) keyByID(id string) *poolKey {
	p.keyMu.Lock()
	defer p.keyMu.Unlock()
	for _, k := range p.keys {
		if k.id == id && !k.removed {
			return k
		}
	}
	return nil
}

// KeysChanged tells the other replicas that the admin changed the key
// list; they reload it from the shared database.
func (p *Pool) KeysChanged() { p.publish(PoolEvent{Kind: EventKeys}) }

// DroppedEvents counts events not published because the queue was full.
func (p *Pool) DroppedEvents() int64 {
	if p.cluster == nil {
		return 0
	}
	return p.cluster.dropped.Load()
}
