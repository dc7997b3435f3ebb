package domain

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestHeapChoosesLikeScan drives two pools through the same random
// history: one chooses with its heaps, the other by scanning every key
// (the rule as written). Every choice and every refusal must agree, and
// the heap pool must never need its scan fallback.
func TestHeapChoosesLikeScan(t *testing.T) {
	limits := `{"m": {"rpm": 3, "tpm_input": 2000, "rpd": 40, "tpd_input": 20000}, "n": {"rpm": 2}}`
	keys := specs(12, func(i int) string {
		switch {
		case i%5 == 0:
			return "a"
		case i%7 == 0:
			return "b"
		}
		return ""
	})
	for seed := range uint64(16) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			heap, hc := limitedPool(t, noon, limits, keys...)
			scan, sc := limitedPool(t, noon, limits, keys...)
			scan.scanOnly = true
			rng := rand.New(rand.NewPCG(seed, 1))
			type open struct{ h, s Lease }
			var leases []open
			var tried [3]struct{ h, s Tried }
			for step := range 3000 {
				if err := checkHeaps(heap, hc.t.UnixNano()); err != nil {
					t.Fatalf("before step %d: %v", step, err)
				}
				switch r := rng.IntN(100); {
				case r < 45:
					model := []string{"m", "n", "u"}[rng.IntN(3)]
					est := rng.IntN(1500)
					slot := rng.IntN(len(tried))
					if rng.IntN(4) == 0 {
						tried[slot].h, tried[slot].s = Tried{}, Tried{}
					}
					lh, eh := heap.Acquire(model, est, &tried[slot].h)
					ls, es := scan.Acquire(model, est, &tried[slot].s)
					if lh.index != ls.index || fmt.Sprint(eh) != fmt.Sprint(es) || retryOf(eh) != retryOf(es) {
						t.Fatalf("step %d %s est %d: heap chose %d (%v %v), scan %d (%v %v)",
							step, model, est, lh.index, eh, retryOf(eh), ls.index, es, retryOf(es))
					}
					if eh == nil {
						leases = append(leases, open{lh, ls})
					}
				case r < 85 && len(leases) > 0:
					k := rng.IntN(len(leases))
					o := randomOutcome(rng)
					heap.Report(leases[k].h, o)
					scan.Report(leases[k].s, o)
					leases = append(leases[:k], leases[k+1:]...)
				case r < 97:
					d := time.Duration(rng.IntN(20_000)) * time.Millisecond
					hc.advance(d)
					sc.advance(d)
				case r < 98:
					hc.advance(9 * time.Hour) // across midnight now and then
					sc.advance(9 * time.Hour)
				default:
					s := keys[rng.IntN(len(keys))].Secret
					heap.RestoreKey(s)
					scan.RestoreKey(s)
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

func retryOf(err error) time.Duration {
	if ra, ok := err.(*RetryAfterError); ok {
		return ra.RetryAfter
	}
	return -1
}

func randomOutcome(rng *rand.Rand) Outcome {
	switch rng.IntN(12) {
	case 0:
		return Outcome{Kind: OutcomeRateLimited, Detailed: true, RetryDelay: time.Duration(rng.IntN(60)) * time.Second,
			Quotas: []QuotaHit{{Kind: QuotaKind(1 + rng.IntN(4)), Value: int64(rng.IntN(5)), HasValue: true}}}
	case 1:
		return Outcome{Kind: OutcomeRateLimited, Daily: rng.IntN(2) == 0}
	case 2:
		return Outcome{Kind: OutcomeServerError, NotSent: rng.IntN(2) == 0}
	case 3:
		if rng.IntN(4) == 0 {
			return Outcome{Kind: OutcomeKeyInvalid, Reason: "API_KEY_INVALID"}
		}
		return Outcome{Kind: OutcomeNeutral}
	}
	return Outcome{InputTokens: rng.IntN(1200), OutputTokens: rng.IntN(300)}
}

// checkHeaps verifies the heap invariants of every model at now: each key
// is in the available heap exactly when usable, the heap is ordered, and
// positions are right.
func checkHeaps(p *Pool, now int64) error {
	var err error
	p.eachModel(func(mp *modelPool) {
		for i := range mp.hot {
			ph := mp.phot[p.projOf[i]]
			if ph.cacheUntil <= now || mp.hot[i].coolUntil <= now && mp.ktimer.has(int32(i)) || p.invalid[i].Load() {
				continue // due or lazily dropped: Acquire settles these first
			}
			if want := mp.hot[i].coolUntil <= now && ph.cached.ok; mp.avail.has(int32(i)) != want {
				err = fmt.Errorf("model %s key %d: in heap %v, usable %v", mp.name, i, !want, want)
			}
		}
		for _, h := range []*ixheap{&mp.avail, &mp.ptimer, &mp.ktimer} {
			for k, x := range h.items {
				if k > 0 && h.less(x, h.items[(k-1)/2]) {
					err = fmt.Errorf("model %s: heap order broken at %d", mp.name, k)
				}
				if int(h.pos[x]) != k {
					err = fmt.Errorf("model %s: position of %d broken", mp.name, x)
				}
			}
		}
	})
	return err
}
