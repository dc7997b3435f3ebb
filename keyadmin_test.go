package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/sqlstore"
)

// TestGeminiKeyChangesSurviveRestarts makes portal changes on a pool over
// a store file, then starts again (new store, new pool) with the same or a
// changed GEMINI_API_KEYS.
func TestGeminiKeyChangesSurviveRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hagemi.db")
	key := func(c byte) string { return "AIzaSyKEYADMIN00000000000000000000000" + strings.Repeat(string(c), 3) }
	a, b, c, d := key('a'), key('b'), key('c'), key('d')
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	// start opens the store and builds the pool over env; stop closes it.
	start := func(env []domain.KeySpec) (*domain.Pool, func()) {
		t.Helper()
		store, err := sqlstore.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		keys, sink, err := loadGeminiKeys(context.Background(), log, store, env)
		if err != nil {
			t.Fatal(err)
		}
		return domain.NewPool(keys, time.Now, domain.WithKeySink(sink)), func() { store.Close() }
	}
	state := func(p *domain.Pool) []string {
		var out []string
		for _, s := range p.Status() {
			out = append(out, s.Masked+" "+s.Project+map[bool]string{true: " off"}[s.Disabled])
		}
		return out
	}
	env := []domain.KeySpec{{Secret: a}, {Secret: b, Project: "p"}}

	p, stop := start(env)
	if n := p.AddKeys([]domain.KeySpec{{Secret: c + "\nteam:" + d}, {Secret: a}}); n != 2 {
		t.Fatalf("AddKeys = %d; want 2", n)
	}
	if !p.SetKeyDisabled(b, true) || !p.SetKeyDisabled(c, true) || !p.RemoveKey(a) || !p.RemoveKey(d) {
		t.Fatal("a change failed")
	}
	want := []string{domain.MaskSecret(b) + " p off", domain.MaskSecret(c) + "  off"}
	if diff := cmp.Diff(want, state(p)); diff != "" {
		t.Errorf("before restart (-want +got):\n%s", diff)
	}
	stop()

	p, stop = start(env)
	if diff := cmp.Diff(want, state(p)); diff != "" {
		t.Errorf("after restart (-want +got):\n%s", diff)
	}
	p.SetKeyDisabled(c, false)
	stop()

	// a leaves the environment: its tombstone goes, so it comes back when
	// it returns.
	p, stop = start(env[1:])
	want = []string{domain.MaskSecret(b) + " p off", domain.MaskSecret(c) + " "}
	if diff := cmp.Diff(want, state(p)); diff != "" {
		t.Errorf("without a (-want +got):\n%s", diff)
	}
	stop()
	p, stop = start(env)
	want = append([]string{domain.MaskSecret(a) + " "}, want...)
	if diff := cmp.Diff(want, state(p)); diff != "" {
		t.Errorf("with a back (-want +got):\n%s", diff)
	}
	// A configured key is stored by id only, an added one with its
	// secret, and no log line holds a secret.
	p.SetKeyDisabled(a, true)
	stop()
	store, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	overrides, err := store.ListKeyOverrides(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wantRows := []domain.KeyOverride{
		{ID: domain.KeyID(b), Project: "p", Disabled: true},
		{ID: domain.KeyID(c), Secret: c, Added: true},
		{ID: domain.KeyID(a), Disabled: true},
	}
	byID := cmpopts.SortSlices(func(x, y domain.KeyOverride) bool { return x.ID < y.ID })
	if diff := cmp.Diff(wantRows, overrides, byID); diff != "" {
		t.Errorf("stored overrides (-want +got):\n%s", diff)
	}
	for _, s := range []string{a, b, c, d} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log holds the secret %s", domain.MaskSecret(s))
		}
	}
}

func TestMergeKeys(t *testing.T) {
	env := []domain.KeySpec{{Secret: "k1"}, {Secret: "k2", Project: "p"}}
	overrides := []domain.KeyOverride{
		{ID: domain.KeyID("k1"), Deleted: true},
		{ID: domain.KeyID("k2"), Secret: "k2", Project: "q", Added: true, Disabled: true}, // added, then configured
		{ID: domain.KeyID("k3"), Secret: "k3", Project: "t", Added: true},
		{ID: domain.KeyID("gone"), Disabled: true},
	}
	keys, stale := mergeKeys(env, overrides)
	want := []domain.KeySpec{{Secret: "k2", Project: "p", Disabled: true}, {Secret: "k3", Project: "t"}}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]domain.KeyOverride{{ID: domain.KeyID("gone")}}, stale); diff != "" {
		t.Errorf("stale (-want +got):\n%s", diff)
	}
}
