package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
)

func TestMemoryStoresArePrivate(t *testing.T) {
	ctx := context.Background()
	a, b := openStore(t, "memory"), openStore(t, "memory")
	if _, _, err := a.CreateProxyKey(ctx, ProxyKeySpec{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	keys, err := b.ListProxyKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(keys); got != 0 {
		t.Errorf("second memory store has %d keys; want 0", got)
	}
}

func TestReopenFileKeepsData(t *testing.T) {
	ctx := context.Background()
	// Characters that mean something in a URI must stay part of the path.
	path := filepath.Join(t.TempDir(), "a b?c#d%20", "hagemi.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	key, secret, err := s.CreateProxyKey(ctx, ProxyKeySpec{Description: "kept", Enabled: true, MemoryEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, domain.ProxyKeyOwner(key.ID), "", user("hello"), model("hi"))
	if err := s.SetContextTTLDays(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.LookupProxyKey(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if got.Description != "kept" {
		t.Errorf("Description = %q; want %q", got.Description, "kept")
	}
	contents, err := s.LoadConversation(ctx, domain.ProxyKeyOwner(key.ID), "default", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(contents), 2; got != want {
		t.Errorf("len(contents) = %d; want %d", got, want)
	}
	if days, _ := s.ContextTTLDays(ctx); days != 3 {
		t.Errorf("ContextTTLDays = %d; want 3", days)
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, _ *clock) {
		ms, err := loadMigrations(s.d.dir)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for range 2 {
			if err := s.migrate(ctx); err != nil {
				t.Fatal(err)
			}
			v, err := s.d.schemaVersion(ctx, s.DB())
			if err != nil {
				t.Fatal(err)
			}
			if v != len(ms) {
				t.Errorf("schema version = %d; want %d", v, len(ms))
			}
		}
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hagemi.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(ctx, path); err == nil {
		s.Close()
		t.Fatal("Open of a newer schema succeeded; want an error")
	}
}

func TestFilePragmas(t *testing.T) {
	s := openStore(t, "file")
	ctx := context.Background()
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "busy_timeout": "5000"} {
		var got string
		if err := s.DB().GetContext(ctx, &got, "PRAGMA "+pragma); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %q; want %q", pragma, got, want)
		}
	}
	// Readers must not write: a second writer is what "database is locked" is made of.
	if _, err := s.r.ExecContext(ctx, "DELETE FROM settings"); err == nil {
		t.Error("write through the reader pool succeeded; want query_only to refuse it")
	}
}

// TestConcurrentUse hammers one store from 50 goroutines; with -race it
// also checks the Store's own memory.
func TestConcurrentUse(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, _ *clock) {
		s.Now = time.Now
		ctx := context.Background()
		const n = 50
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				errs <- work(ctx, s, i)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
				if strings.Contains(err.Error(), "locked") {
					t.Fatal("database is locked")
				}
			}
		}
		keys, _ := s.ListProxyKeys(ctx)
		if got := len(keys); got != n {
			t.Errorf("%d keys; want %d", got, n)
		}
		_, total, _ := s.ListConversations(ctx, ConversationFilter{})
		if total != n {
			t.Errorf("%d conversations; want %d", total, n)
		}
	})
}

func work(ctx context.Context, s *Store, i int) error {
	k, secret, err := s.CreateProxyKey(ctx, ProxyKeySpec{Enabled: true, MemoryEnabled: true})
	if err != nil {
		return err
	}
	if _, err := s.LookupProxyKey(ctx, secret); err != nil {
		return err
	}
	owner := domain.ProxyKeyOwner(k.ID)
	for turn := range 5 {
		contents, err := s.LoadConversation(ctx, owner, "c", time.Hour)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		if got := len(contents); got != 2*turn {
			return fmt.Errorf("goroutine %d turn %d: loaded %d contents; want %d", i, turn, got, 2*turn)
		}
		q := fmt.Sprintf("q%d-%d", i, turn)
		contents = append(contents, user(q), model("a"))
		if err := s.SaveConversation(ctx, owner, "c", contents, 5); err != nil {
			return err
		}
	}
	if err := s.TouchProxyKeys(ctx, map[int64]time.Time{k.ID: time.Now()}); err != nil {
		return err
	}
	if err := s.AddProxyKeyUsage(ctx, []ProxyKeyUsage{{KeyID: k.ID, Day: "2026-11-25", Requests: 1}}); err != nil {
		return err
	}
	_, _, err = s.ListConversations(ctx, ConversationFilter{Search: "q"})
	return err
}
