package domain

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// memorySink keeps what RunPersister saved; fail makes the next save fail.
type memorySink struct {
	saves []PoolSnapshot
	fail  bool
}

func (s *memorySink) SaveKeyState(_ context.Context, snap PoolSnapshot) error {
	if s.fail {
		s.fail = false
		return errors.New("disk full")
	}
	s.saves = append(s.saves, snap)
	return nil
}

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	limits := `{"m": {"rpm": 3, "rpd": 10}}`
	keys := specs(3, func(i int) string { return []string{"p", "p", ""}[i] })
	a, clk := limitedPool(t, noon, limits, keys...)
	for range 4 {
		call(a, 100, Outcome{InputTokens: 120, OutputTokens: 7})
	}
	var tried Tried
	l, _ := a.Acquire("m", 1, &tried)
	a.Report(l, Outcome{Kind: OutcomeRateLimited, Detailed: true, RetryDelay: 30 * time.Second,
		Quotas: []QuotaHit{{Kind: QuotaRPM, Value: 2, HasValue: true}}})
	l, _ = a.Acquire("m", 1, &tried)
	a.Report(l, Outcome{Kind: OutcomeKeyInvalid, Reason: "API_KEY_INVALID"})
	clk.advance(5 * time.Second)

	b, _ := limitedPool(t, clk.t, limits, keys...)
	b.Restore(a.Snapshot())
	opts := cmp.Options{cmp.AllowUnexported(KeyCheck{})}
	if diff := cmp.Diff(a.Status(), b.Status(), opts); diff != "" {
		t.Errorf("status after restore (-before +after):\n%s", diff)
	}
	ra, rb := a.UsageReport(clk.t), b.UsageReport(clk.t)
	if diff := cmp.Diff(ra, rb); diff != "" {
		t.Errorf("report after restore (-before +after):\n%s", diff)
	}
	// The restored pool refuses exactly what the old one refuses.
	_, errA := a.Acquire("m", 1, &Tried{})
	_, errB := b.Acquire("m", 1, &Tried{})
	if errA == nil || errB == nil || errA.Error() != errB.Error() {
		t.Errorf("acquire: before %v, after %v", errA, errB)
	}
	wa, _ := retryAfter(t, errA)
	wb, _ := retryAfter(t, errB)
	if wa != wb {
		t.Errorf("retry after: before %v, after %v", wa, wb)
	}
}

func TestPersisterWritesChangesBehind(t *testing.T) {
	p, clk := limitedPool(t, noon, `{"m": {"rpd": 100}}`, specs(2, nil)...)
	sink := &memorySink{}
	call(p, 10, Outcome{InputTokens: 12})
	call(p, 10, Outcome{InputTokens: 12})

	// One flush of everything, then one of only what changed.
	snap, upTo := p.snapshotSince(0, false)
	if len(snap.History) != 2 || len(snap.Projects) != 2 {
		t.Fatalf("first flush = %+v", snap)
	}
	p.markSaved(upTo)
	call(p, 10, Outcome{})
	snap, _ = p.snapshotSince(upTo, false)
	if len(snap.History) != 1 || len(snap.KeyModels) != 1 || len(snap.Keys) != 0 {
		t.Errorf("second flush = %+v; want only the key that was used", snap)
	}

	// Closed days survive a failed write and go out with the next one.
	clk.t = NextPTMidnight(clk.t).Add(time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // RunPersister does its final flush and returns
	sink.fail = true
	if err := RunPersister(ctx, p, sink, time.Hour, nil); err == nil {
		t.Fatal("failed save reported no error")
	}
	if err := RunPersister(ctx, p, sink, time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, h := range sink.saves[0].History {
		days = append(days, h.Day+"/"+h.KeyID[:4])
	}
	if len(days) != 2 {
		t.Errorf("saved history %v; want yesterday's two key rows", days)
	}
}
