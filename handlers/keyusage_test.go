package handlers_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/handlers"
	"github.com/hagemi/hagemi/sqlstore"
)

// Two replicas on one database: after a flush and a refresh each sees the
// other's tokens, so a proxy key's daily token limit holds across both.
func TestKeyUsageRefreshSeesOtherReplicas(t *testing.T) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "shared.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	k, _, err := store.CreateProxyKey(ctx, domain.ProxyKeySpec{Description: "team", Enabled: true, TPDLimit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var replicas []*handlers.KeyUsage
	for range 2 {
		u, err := handlers.NewKeyUsage(ctx, store, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		u.Shared = true
		replicas = append(replicas, u)
	}
	a, b := replicas[0], replicas[1]
	a.Add(k.ID, 100, 50)
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	b.Add(k.ID, 10, 0) // not flushed yet: it must survive b's refresh
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := b.TokensToday(k.ID); got != 160 {
		t.Errorf("b counts %d tokens today; want 160 (a's 150 flushed, its own 10 pending)", got)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := a.Today(k.ID); got.TokensIn+got.TokensOut != 160 || got.Requests != 2 {
		t.Errorf("a sees %+v; want 2 requests and 160 tokens", got)
	}
}
