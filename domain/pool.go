package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"
)

// KeySpec is one configured Gemini key. Keys with the same Project share
// Google's quotas; an empty Project means the key is its own project.
// A Disabled key is in the pool but out of rotation until the admin
// enables it (the store remembers that; configuration never sets it).
type KeySpec struct {
	Secret   string
	Project  string
	Disabled bool
}

// Pool hands out Gemini keys. For each model it tracks every project's
// sliding-minute and Pacific-day usage against the limits in force (the
// table's, or those Google's 429s taught), skips keys that would go over
// before Google has to say so, and among the rest prefers the healthiest,
// then the least recently used. Acquire reserves the capacity it hands out,
// so concurrent requests never oversubscribe a project, and costs
// O(log keys): heaps kept exact on every change replace a scan. Locks are
// per model and never held across I/O: callers Acquire, call upstream,
// then Report. State changes are numbered for write-behind (RunPersister).
//
// The admin can add, disable and remove keys while it serves
// (pool_admin.go). Key slots are never reused for another key or
// reordered: a removed key keeps its slot, out of rotation, so an index
// held by a Lease or a heap stays valid. The slices below (and every
// model's per-key arrays) change only with modelsMu, keyMu and every
// model's mu held, so code holding either keyMu or one model's mu reads
// them safely.
type Pool struct {
	now      func() time.Time
	limits   *LimitTable
	keys     []*poolKey
	projects []string // project ids: the label, or "key:<KeyID>" for a key alone
	// invalid and projOf are by key index, dense so that a scan over a
	// thousand keys stays in the CPU cache. invalid means out of rotation:
	// refused by Google, disabled or removed.
	invalid  []atomic.Bool
	projOf   []int32
	projKeys [][]int32    // by project: its keys
	live     atomic.Int64 // keys not removed

	adminMu sync.Mutex // serializes admin changes, across the sink's I/O; requests never take it
	sink    KeySink

	cluster *clusterLink // nil: a single replica

	modelsMu sync.Mutex
	models   sync.Map // model id → *modelPool; read without a lock on every Acquire
	nmodels  int

	scanOnly bool // tests: choose by the full scan, the reference rule

	keyMu sync.Mutex    // the poolKey fields marked below
	ver   atomic.Uint64 // the last change number

	histMu sync.Mutex
	closed []closedRow                      // closed days not yet saved
	hist   map[string]map[string]*DayTotals // Pacific day → model → totals, closed days only
}

type poolKey struct {
	spec     KeySpec
	id       string
	masked   string
	index    int
	proj     int
	invalid  *atomic.Bool // &Pool.invalid[index]
	lastUsed atomic.Int64

	// guarded by Pool.keyMu
	rejected     bool // Google refused the key (invalidWhy, invalidSince)
	disabled     bool // the admin took it out of rotation
	removed      bool // the admin deleted it; its slot stays
	invalidWhy   string
	invalidSince time.Time
	disabledAt   time.Time
	checkedAt    time.Time
	ver          uint64
}

// syncOut sets the key's out-of-rotation flag from its states (keyMu held).
func (k *poolKey) syncOut() { k.invalid.Store(k.rejected || k.disabled || k.removed) }

// maxModels bounds the models tracked one by one. Names come from clients;
// until the model list is loaded nothing stops them from inventing names,
// and each tracked model costs memory per key. Beyond the bound, new names
// share one untracked entry.
const maxModels = 256

const overflowModel = "*"

// PoolOption configures NewPool.
type PoolOption func(*Pool)

// WithLimits sets the model limits table. Without it every model is
// unlimited until Google's 429s teach its limits.
func WithLimits(t *LimitTable) PoolOption { return func(p *Pool) { p.limits = t } }

// KeyID identifies a key in stored state without revealing it: the first
// 16 hex digits of its SHA-256.
func KeyID(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:8])
}

// NewPool makes a pool over keys. now is the clock (time.Now in production).
func NewPool(keys []KeySpec, now func() time.Time, opts ...PoolOption) *Pool {
	p := &Pool{now: now, hist: map[string]map[string]*DayTotals{}}
	for _, o := range opts {
		o(p)
	}
	projIndex := map[string]int{}
	p.invalid = make([]atomic.Bool, len(keys))
	for n, k := range keys {
		pk := &poolKey{spec: k, id: KeyID(k.Secret), masked: MaskSecret(k.Secret), disabled: k.Disabled}
		pk.spec.Disabled = false
		proj := projectID(k.Project, pk.id)
		i, ok := projIndex[proj]
		if !ok {
			i = len(p.projects)
			projIndex[proj] = i
			p.projects = append(p.projects, proj)
			p.projKeys = append(p.projKeys, nil)
		}
		p.projKeys[i] = append(p.projKeys[i], int32(n))
		pk.index, pk.proj, pk.invalid = n, i, &p.invalid[n]
		pk.syncOut()
		p.keys = append(p.keys, pk)
		p.projOf = append(p.projOf, int32(i))
	}
	p.live.Store(int64(len(keys)))
	return p
}

// projectID is the id of a key's project: its label, or the key alone.
func projectID(label, keyID string) string {
	if label == "" {
		return "key:" + keyID
	}
	return label
}

// model returns the state of model, creating it on first use.
func (p *Pool) model(name string) *modelPool {
	if mp, ok := p.models.Load(name); ok {
		return mp.(*modelPool)
	}
	p.modelsMu.Lock()
	defer p.modelsMu.Unlock()
	if p.nmodels >= maxModels {
		name = overflowModel
	}
	if mp, ok := p.models.Load(name); ok {
		return mp.(*modelPool)
	}
	mp := &modelPool{name: name, keys: make([]keyModel, len(p.keys)), hot: make([]keyHot, len(p.keys)),
		projs: make([]projModel, len(p.projects)), phot: make([]projHot, len(p.projects))}
	mp.initHeaps(p)
	if name != overflowModel {
		mp.limits, _ = p.limits.Lookup(name)
	}
	p.models.Store(name, mp)
	p.nmodels++
	return mp
}

// eachModel calls f with every tracked model, locked.
func (p *Pool) eachModel(f func(mp *modelPool)) {
	p.models.Range(func(_, v any) bool {
		mp := v.(*modelPool)
		mp.mu.Lock()
		defer mp.mu.Unlock()
		f(mp)
		return true
	})
}

// touch returns a fresh change number for write-behind.
func (p *Pool) touch() uint64 { return p.ver.Add(1) }

// Lease is a key handed to one attempt for one model.
type Lease struct {
	Secret string
	Masked string
	Model  string

	index  int
	proj   int // the key's project when acquired; the admin may move a removed key
	mp     *modelPool
	seq    uint64        // the window entry reserved for this call
	at     int64         // when it was acquired (Unix ns)
	est    int64         // input tokens reserved
	dayEnd int64         // the day the reservation was counted in
	ledger *QuotaRequest // the call as the cluster's ledger must reserve it, if it must
	ticket *QuotaTicket  // the ledger's reservation, once made
}

// Tried records the keys one request already used; each request has its own.
type Tried struct{ indexes []int }

func (t *Tried) has(i int) bool {
	for _, j := range t.indexes {
		if j == i {
			return true
		}
	}
	return false
}

// forget takes key i out of the set again: the cluster's ledger refused
// it before any call was made.
func (t *Tried) forget(i int) {
	for n, j := range t.indexes {
		if j == i {
			t.indexes = append(t.indexes[:n], t.indexes[n+1:]...)
			return
		}
	}
}

// Len is the number of keys tried.
func (t *Tried) Len() int { return len(t.indexes) }
