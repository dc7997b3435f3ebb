package domain

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// memLedger is a shared ledger for pools in one process: it counts the
// calls of each project×model in the window and refuses beyond RPM.
type memLedger struct {
	mu      sync.Mutex
	calls   map[string][]time.Time
	settled map[string]bool // ticket id → counted
	n       int
}

func (m *memLedger) Reserve(_ context.Context, r QuotaRequest) (QuotaTicket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := r.Project + "/" + r.Model
	var live []time.Time
	for _, t := range m.calls[k] {
		if r.Now.Sub(t) < Window {
			live = append(live, t)
		}
	}
	if r.Limits.RPM > 0 && int64(len(live)) >= r.Limits.RPM {
		m.calls[k] = live
		return QuotaTicket{}, &RetryAfterError{Err: ErrRateLimited, RetryAfter: live[0].Add(Window).Sub(r.Now)}
	}
	m.calls[k] = append(live, r.Now)
	m.n++
	return QuotaTicket{Project: r.Project, Model: r.Model, Day: r.Day, ID: fmt.Sprint(m.n), Tokens: r.Tokens}, nil
}

func (m *memLedger) Settle(_ context.Context, t QuotaTicket, counted bool, _ int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.settled[t.ID] = counted
	return nil
}

// memBus delivers every event to every subscriber.
type memBus struct {
	mu   sync.Mutex
	subs []func(PoolEvent)
}

func (b *memBus) Publish(_ context.Context, e PoolEvent) error {
	b.mu.Lock()
	subs := append([]func(PoolEvent){}, b.subs...)
	b.mu.Unlock()
	for _, f := range subs {
		f(e)
	}
	return nil
}

func (b *memBus) Subscribe(ctx context.Context, f func(PoolEvent)) error {
	b.mu.Lock()
	b.subs = append(b.subs, f)
	b.mu.Unlock()
	<-ctx.Done()
	return nil
}

// twoReplicas makes two pools over the same keys (each its own project)
// sharing ledger and bus, with RunCluster running until the test ends.
func twoReplicas(t *testing.T, keys int) (a, b *Pool, clk *fakeClock, ledger *memLedger) {
	t.Helper()
	clk = &fakeClock{t: time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)}
	ledger = &memLedger{calls: map[string][]time.Time{}, settled: map[string]bool{}}
	bus := &memBus{}
	var specs []KeySpec
	for i := range keys {
		specs = append(specs, KeySpec{Secret: fmt.Sprintf("AIzaSyCLUSTERKEY00000000000000000000%02d", i)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	mk := func(name string) *Pool {
		p := NewPool(specs, clk.now, WithLimits(DefaultLimits()),
			WithCluster(Cluster{Ledger: ledger, Bus: bus, Replica: name}))
		wg.Go(func() { p.RunCluster(ctx) })
		return p
	}
	a, b = mk("a"), mk("b")
	waitFor(t, func() bool { bus.mu.Lock(); defer bus.mu.Unlock(); return len(bus.subs) == 2 })
	return a, b, clk, ledger
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("condition not met within a second")
}

func TestClusterNeverOversubscribesAProject(t *testing.T) {
	a, b, _, ledger := twoReplicas(t, 1)
	const model = "gemini-2.5-flash" // RPM 10 in the default table
	granted, refused := 0, 0
	for i := range 16 {
		p := []*Pool{a, b}[i%2]
		var tried Tried
		l, err := p.AcquireContext(context.Background(), model, 10, &tried)
		if errors.Is(err, ErrRateLimited) {
			refused++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		granted++
		p.Report(l, Outcome{Kind: OutcomeOK, InputTokens: 12})
	}
	if granted != 10 || refused != 6 {
		t.Fatalf("granted %d, refused %d across two replicas; want 10 and 6 (RPM 10 shared)", granted, refused)
	}
	waitFor(t, func() bool { ledger.mu.Lock(); defer ledger.mu.Unlock(); return len(ledger.settled) == 10 })
	for id, counted := range ledger.settled {
		if !counted {
			t.Errorf("ticket %s settled as not counted; the calls were answered", id)
		}
	}
	// The refusing replica cooled the project until the window frees up,
	// and says so as a wait, not as a missing key.
	var tried Tried
	_, err := b.AcquireContext(context.Background(), model, 10, &tried)
	var ra *RetryAfterError
	if !errors.As(err, &ra) || ra.RetryAfter <= 0 || ra.RetryAfter > Window+WindowSkew {
		t.Fatalf("after the shared quota is spent: %v; want a RetryAfterError within a minute", err)
	}
}

func TestClusterSharesCooldownsAndRefusals(t *testing.T) {
	a, b, clk, _ := twoReplicas(t, 2)
	const model = "gemini-2.5-flash"
	var tried Tried
	l, err := a.AcquireContext(context.Background(), model, 10, &tried)
	if err != nil {
		t.Fatal(err)
	}
	a.Report(l, Outcome{Kind: OutcomeRateLimited, RetryDelay: 30 * time.Second, Detailed: true, Reason: "RPM",
		Quotas: []QuotaHit{{Kind: QuotaRPM, Value: 2, HasValue: true}}}) // the project allows 2 a minute, not 10
	cooled := l.Secret
	// b learns of the project's cooldown without calling Google.
	waitFor(t, func() bool {
		for _, k := range b.Status() {
			if k.Masked == MaskSecret(cooled) && !k.Cooling[model].IsZero() {
				return true
			}
		}
		return false
	})
	for range 4 {
		var tr Tried
		got, err := b.Acquire(model, 10, &tr)
		if err != nil || got.Secret == cooled {
			t.Fatalf("b during the cooldown: %v, cooled key: %v", err, got.Secret == cooled)
		}
		b.Report(got, Outcome{Kind: OutcomeOK})
	}
	clk.advance(31 * time.Second)
	seen := map[string]int{}
	for range 8 {
		var tr Tried
		got, err := b.Acquire(model, 10, &tr)
		if err != nil {
			t.Fatal(err)
		}
		seen[got.Secret]++
		b.Report(got, Outcome{Kind: OutcomeOK})
	}
	if seen[cooled] != 2 {
		t.Errorf("after the cooldown b used the key %d times in a minute; want 2, the limit a's 429 taught", seen[cooled])
	}

	// A key refused on a is out of rotation on b.
	var tr Tried
	l, err = a.AcquireContext(context.Background(), "gemini-2.0-flash", 10, &tr)
	if err != nil {
		t.Fatal(err)
	}
	a.Report(l, Outcome{Kind: OutcomeKeyInvalid, Reason: "API_KEY_INVALID"})
	waitFor(t, func() bool {
		for _, s := range b.Invalid() {
			if s == l.Secret {
				return true
			}
		}
		return false
	})
	// And back when a's re-check restores it.
	a.RestoreKey(l.Secret)
	waitFor(t, func() bool { return len(b.Invalid()) == 0 })
}

func TestSyncKeysFollowsAnotherReplicasList(t *testing.T) {
	a, b, _, _ := twoReplicas(t, 2)
	changed := make(chan struct{}, 4)
	b.cluster.OnKeysChanged = func() { changed <- struct{}{} }
	added := KeySpec{Secret: "AIzaSyCLUSTERKEYADDED000000000000000099"}
	if n := a.AddKeys([]KeySpec{added}); n != 1 {
		t.Fatalf("AddKeys = %d", n)
	}
	select {
	case <-changed:
	case <-time.After(time.Second):
		t.Fatal("b was not told that the key list changed")
	}
	// b reloads the list from the shared store; here, from a's secrets.
	want := []KeySpec{{Secret: a.Secrets()[0], Disabled: true}, added}
	if err := b.SyncKeys(func() ([]KeySpec, error) { return want, nil }); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, s := range b.Status() {
		got[s.Masked] = s.Disabled
	}
	if len(got) != 2 || !got[MaskSecret(want[0].Secret)] || got[MaskSecret(added.Secret)] {
		t.Fatalf("after SyncKeys b has %v; want the first key disabled and the added key enabled, the second key gone", got)
	}
	if b.Active() != 1 {
		t.Fatalf("Active = %d; want 1", b.Active())
	}
}
