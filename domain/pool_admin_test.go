package domain

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recordingSink keeps the changes it is handed; fail makes it refuse.
type recordingSink struct {
	mu      sync.Mutex
	changes []KeyChange
	fail    bool
}

func (s *recordingSink) SaveKeyChanges(c []KeyChange) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errors.New("disk full")
	}
	s.changes = append(s.changes, c...)
	return nil
}

// acquireAll takes keys for model m with one tried set until none is left
// and returns their secrets.
func acquireAll(t *testing.T, p *Pool, m string) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	var tried Tried
	for {
		l, err := p.Acquire(m, 10, &tried)
		if err != nil {
			if !errors.Is(err, ErrNoKeys) {
				t.Fatalf("Acquire: %v", err)
			}
			return got
		}
		got[l.Secret] = true
		p.Report(l, Outcome{})
	}
}

func statusMasks(p *Pool) []string {
	var out []string
	for _, s := range p.Status() {
		out = append(out, s.Masked+"/"+s.Project)
	}
	return out
}

func TestAddKeysDedupesAndParses(t *testing.T) {
	keys := specs(6, nil)
	sink := &recordingSink{}
	p := NewPool(keys[:2], (&fakeClock{t: noon}).now, WithKeySink(sink))
	acquireAll(t, p, "m") // a model in use must grow too
	n := p.AddKeys([]KeySpec{
		{Secret: keys[0].Secret},                                                // already in the pool
		{Secret: " team:" + keys[2].Secret + " \n"},                             // "project:key", padded
		{Secret: keys[3].Secret + ", " + keys[4].Secret + ";" + keys[2].Secret}, // a paste of several, one repeated
		{Secret: keys[5].Secret, Project: "solo"},
		{Secret: "  "},
	})
	if n != 4 {
		t.Errorf("AddKeys added %d; want 4", n)
	}
	want := []string{MaskSecret(keys[0].Secret) + "/", MaskSecret(keys[1].Secret) + "/", MaskSecret(keys[2].Secret) + "/team",
		MaskSecret(keys[3].Secret) + "/", MaskSecret(keys[4].Secret) + "/", MaskSecret(keys[5].Secret) + "/solo"}
	if diff := cmp.Diff(want, statusMasks(p)); diff != "" {
		t.Errorf("Status (-want +got):\n%s", diff)
	}
	if got := acquireAll(t, p, "m"); len(got) != 6 {
		t.Errorf("%d keys handed out; want all 6", len(got))
	}
	if got := acquireAll(t, p, "new-model"); len(got) != 6 {
		t.Errorf("a model first used after the add: %d keys; want 6", len(got))
	}
	if len(sink.changes) != 4 || sink.changes[0] != (KeyChange{Op: KeyAdded, Spec: KeySpec{Secret: keys[2].Secret, Project: "team"}}) {
		t.Errorf("sink got %+v", sink.changes)
	}
	if n := p.AddKeys([]KeySpec{{Secret: keys[3].Secret}}); n != 0 {
		t.Errorf("adding a present key again added %d", n)
	}
	if got := p.UsageReport(noon).Configured; got != 6 {
		t.Errorf("report: %d configured; want 6", got)
	}
}

func TestDisabledKeyIsSkippedButShown(t *testing.T) {
	keys := specs(3, nil)
	clk := &fakeClock{t: noon}
	sink := &recordingSink{}
	p := NewPool(keys, clk.now, WithKeySink(sink))
	if !p.SetKeyDisabled(keys[1].Secret, true) {
		t.Fatal("SetKeyDisabled = false")
	}
	if got := acquireAll(t, p, "m"); got[keys[1].Secret] || len(got) != 2 {
		t.Errorf("handed out %d keys, disabled one included: %v", len(got), got[keys[1].Secret])
	}
	st := p.Status()
	if len(st) != 3 || !st[1].Invalid || !st[1].Disabled || st[1].InvalidWhy != DisabledWhy || !st[1].InvalidSince.Equal(noon) {
		t.Errorf("status of the disabled key = %+v", st[1])
	}
	if got := p.Invalid(); len(got) != 1 || got[0] != keys[1].Secret {
		t.Errorf("Invalid() = %d keys; want the disabled one", len(got))
	}
	if got := p.Refused(); len(got) != 0 {
		t.Errorf("Refused() = %d keys; want 0", len(got))
	}
	if p.Active() != 2 || len(p.Secrets()) != 2 {
		t.Errorf("Active = %d, %d secrets; want 2", p.Active(), len(p.Secrets()))
	}
	// Re-checks leave it alone, and a working check does not enable it.
	c := &checker{results: map[string]error{}}
	if s := p.Recheck(context.Background(), c.check, 2); s.Configured != 0 {
		t.Errorf("Recheck checked %d keys; want 0", s.Configured)
	}
	p.ApplyCheck(CheckAll(context.Background(), []string{keys[1].Secret}, c.check, 1))
	if p.Active() != 2 {
		t.Error("a valid check enabled a disabled key")
	}
	if !p.SetKeyDisabled(keys[1].Secret, false) || !acquireAll(t, p, "m")[keys[1].Secret] {
		t.Error("the enabled key is not handed out")
	}
	want := []KeyChange{{Op: KeyDisabled, Spec: keys[1]}, {Op: KeyEnabled, Spec: keys[1]}}
	if diff := cmp.Diff(want, sink.changes); diff != "" {
		t.Errorf("sink (-want +got):\n%s", diff)
	}
	// Enabling a key Google refused puts it back too (the portal's toggle).
	p.MarkInvalid(keys[2].Secret, "API_KEY_INVALID")
	if !p.SetKeyDisabled(keys[2].Secret, false) || p.Active() != 3 {
		t.Errorf("enabling a refused key: %d active; want 3", p.Active())
	}
	if len(sink.changes) != 2 {
		t.Error("enabling a key that was not disabled reached the sink")
	}
	if p.SetKeyDisabled("AIzaNOSUCHKEY", true) {
		t.Error("SetKeyDisabled of an unknown key = true")
	}
}

func TestRemoveKeyAndRemoveInvalid(t *testing.T) {
	keys := specs(5, func(i int) string { return []string{"a", "a", "", "", ""}[i] })
	clk := &fakeClock{t: noon}
	p := NewPool(keys, clk.now)
	acquireAll(t, p, "m")
	if !p.RemoveKey(keys[0].Secret) || p.RemoveKey(keys[0].Secret) {
		t.Fatal("RemoveKey: want true once, then false")
	}
	got := acquireAll(t, p, "m")
	if got[keys[0].Secret] || len(got) != 4 {
		t.Errorf("after removal %d keys handed out, removed one %v", len(got), got[keys[0].Secret])
	}
	// The portal's "delete all invalid": remove what Invalid lists.
	p.MarkInvalid(keys[2].Secret, "API_KEY_INVALID")
	p.SetKeyDisabled(keys[3].Secret, true)
	for _, s := range p.Invalid() {
		p.RemoveKey(s)
	}
	want := []string{MaskSecret(keys[1].Secret) + "/a", MaskSecret(keys[4].Secret) + "/"}
	if diff := cmp.Diff(want, statusMasks(p)); diff != "" {
		t.Errorf("Status (-want +got):\n%s", diff)
	}
	if len(p.Invalid()) != 0 || p.MarkInvalid(keys[2].Secret, "x") || p.RestoreKey(keys[2].Secret) {
		t.Error("a removed key is still addressable")
	}
	snap := p.Snapshot()
	if len(snap.Keys) != 2 {
		t.Errorf("snapshot holds %d keys; want the 2 left", len(snap.Keys))
	}
	// Adding a removed key back reuses its slot, here in another project.
	if n := p.AddKeys([]KeySpec{{Secret: keys[0].Secret, Project: "b"}, {Secret: keys[2].Secret}}); n != 2 {
		t.Fatalf("re-adding added %d; want 2", n)
	}
	if len(p.keys) != 5 || p.keys[0].proj == p.keys[1].proj {
		t.Errorf("%d slots, key 0 in project %d; want 5 slots and a new project", len(p.keys), p.keys[0].proj)
	}
	if st := p.Status(); len(st) != 4 || st[0].Invalid || st[0].Project != "b" || st[2].Invalid {
		t.Errorf("re-added keys: %+v", st)
	}
	if got := acquireAll(t, p, "m"); len(got) != 4 {
		t.Errorf("%d keys handed out; want 4", len(got))
	}
	if err := checkHeaps(p, clk.t.UnixNano()); err != nil {
		t.Error(err)
	}
	for n := range 5 {
		p.RemoveKey(keys[n].Secret)
	}
	var tried Tried
	if _, err := p.Acquire("m", 1, &tried); !errors.Is(err, ErrNoKeys) {
		t.Errorf("empty pool: %v; want ErrNoKeys", err)
	}
}

func TestFailedSinkChangesNothing(t *testing.T) {
	keys := specs(2, nil)
	sink := &recordingSink{fail: true}
	p := NewPool(keys[:1], (&fakeClock{t: noon}).now, WithKeySink(sink))
	if p.AddKeys(keys[1:]) != 0 || p.RemoveKey(keys[0].Secret) || p.SetKeyDisabled(keys[0].Secret, true) {
		t.Error("a change was reported done although the sink failed")
	}
	if st := p.Status(); len(st) != 1 || st[0].Invalid {
		t.Errorf("status after failed changes: %+v", st)
	}
}

func TestStartDisabled(t *testing.T) {
	keys := specs(2, nil)
	keys[1].Disabled = true
	p := NewPool(keys, (&fakeClock{t: noon}).now)
	// Saved validity is Google's word only: restoring it enables nothing.
	p.Restore(PoolSnapshot{Keys: []KeyState{{ID: KeyID(keys[1].Secret)}}})
	if got := acquireAll(t, p, "m"); len(got) != 1 || !p.Status()[1].Disabled {
		t.Errorf("a key disabled at start: %d keys handed out, status %+v", len(got), p.Status()[1])
	}
}

// TestAdminMatchesScan interleaves admin changes with the random history
// of TestHeapChoosesLikeScan: the heap pool and the scanning pool must
// still choose alike, and the heaps stay exact.
func TestAdminMatchesScan(t *testing.T) {
	limits := `{"m": {"rpm": 3, "tpm_input": 2000, "rpd": 40}}`
	all := specs(20, func(i int) string { return []string{"", "a", "b"}[i%3] })
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			heap, hc := limitedPool(t, noon, limits, all[:6]...)
			scan, sc := limitedPool(t, noon, limits, all[:6]...)
			scan.scanOnly = true
			rng := rand.New(rand.NewPCG(seed, 2))
			var leases [][2]Lease
			for step := range 2000 {
				if err := checkHeaps(heap, hc.t.UnixNano()); err != nil {
					t.Fatalf("before step %d: %v", step, err)
				}
				s := all[rng.IntN(len(all))]
				switch r := rng.IntN(100); {
				case r < 45:
					model := []string{"m", "u"}[rng.IntN(2)]
					est := rng.IntN(800)
					var th, ts Tried
					lh, eh := heap.Acquire(model, est, &th)
					ls, es := scan.Acquire(model, est, &ts)
					if lh.index != ls.index || fmt.Sprint(eh) != fmt.Sprint(es) {
						t.Fatalf("step %d: heap chose %d (%v), scan %d (%v)", step, lh.index, eh, ls.index, es)
					}
					if eh == nil {
						leases = append(leases, [2]Lease{lh, ls})
					}
				case r < 75 && len(leases) > 0:
					k := rng.IntN(len(leases))
					o := randomOutcome(rng)
					heap.Report(leases[k][0], o)
					scan.Report(leases[k][1], o)
					leases = append(leases[:k], leases[k+1:]...)
				case r < 85:
					d := time.Duration(rng.IntN(20_000)) * time.Millisecond
					hc.advance(d)
					sc.advance(d)
				case r < 90:
					s.Project = []string{"", "a", "c"}[rng.IntN(3)]
					if heap.AddKeys([]KeySpec{s}) != scan.AddKeys([]KeySpec{s}) {
						t.Fatal("AddKeys differ")
					}
				case r < 95:
					heap.RemoveKey(s.Secret)
					scan.RemoveKey(s.Secret)
				default:
					d := rng.IntN(2) == 0
					heap.SetKeyDisabled(s.Secret, d)
					scan.SetKeyDisabled(s.Secret, d)
				}
			}
			heap.eachModel(func(mp *modelPool) {
				if mp.fallbacks != 0 {
					t.Errorf("model %s: the heap missed a usable key %d times", mp.name, mp.fallbacks)
				}
			})
		})
	}
}

// TestAdminUnderLoad adds, disables and removes keys while requests
// acquire and report on several models; run it with -race. No request
// that starts after RemoveKey returned gets that key, and the heaps end
// exact.
func TestAdminUnderLoad(t *testing.T) {
	all := specs(64, func(i int) string { return []string{"", "p1", "p2", "p3"}[i%4] })
	var ns atomic.Int64
	ns.Store(noon.UnixNano())
	now := func() time.Time { return time.Unix(0, ns.Add(int64(time.Microsecond))) }
	p := NewPool(all[:8], now, WithKeySink(&recordingSink{}))
	var removals atomic.Int64 // removals done
	var removedAt sync.Map    // secret → removals when it was gone
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var calls atomic.Int64
	for w := range 8 {
		wg.Go(func() {
			model := fmt.Sprint("m", w%3)
			for {
				select {
				case <-stop:
					return
				default:
				}
				done := removals.Load()
				var tried Tried
				l, err := p.Acquire(model, 100, &tried)
				if err != nil {
					continue
				}
				if at, ok := removedAt.Load(l.Secret); ok && at.(int64) <= done {
					t.Errorf("key %s handed out after its removal", l.Masked)
				}
				calls.Add(1)
				p.Report(l, Outcome{InputTokens: 90})
				_ = p.Status()
			}
		})
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 8; i < len(all); i++ {
		for deadline := time.Now().Add(time.Second); calls.Load() < int64(i*10) && time.Now().Before(deadline); {
			time.Sleep(50 * time.Microsecond) // let the requests run between changes
		}
		p.AddKeys(all[i : i+1])
		p.SetKeyDisabled(all[rng.IntN(i)].Secret, rng.IntN(2) == 0)
		if i%5 == 0 {
			victim := all[i-5].Secret
			p.RemoveKey(victim)
			removedAt.Store(victim, removals.Add(1))
		}
		_ = p.Snapshot()
	}
	close(stop)
	wg.Wait()
	if calls.Load() == 0 {
		t.Fatal("no request got a key")
	}
	if err := checkHeaps(p, ns.Load()); err != nil {
		t.Error(err)
	}
	p.eachModel(func(mp *modelPool) {
		if mp.fallbacks != 0 {
			t.Errorf("model %s: the heap missed a usable key %d times", mp.name, mp.fallbacks)
		}
		if len(mp.keys) != len(p.keys) || len(mp.avail.pos) != len(p.keys) {
			t.Errorf("model %s: arrays out of step", mp.name)
		}
	})
}
