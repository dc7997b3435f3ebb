package sqlstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain"
)

const addedSecret = "AIzaSyADDED0000000000000000000000000001"

func TestKeyOverrides(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		added := domain.KeyOverride{ID: domain.KeyID(addedSecret), Secret: addedSecret, Project: "team", Added: true}
		tomb := domain.KeyOverride{ID: "c0ffee", Secret: "never stored", Deleted: true}
		off := domain.KeyOverride{ID: "beef", Project: "p", Disabled: true}
		if err := s.SaveKeyOverrides(ctx, []domain.KeyOverride{added, tomb, off}); err != nil {
			t.Fatal(err)
		}
		got, err := s.ListKeyOverrides(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tomb.Secret = "" // a configured key's secret is never kept
		// Saved at the same time, so in key_id order.
		if diff := cmp.Diff([]domain.KeyOverride{added, off, tomb}, got); diff != "" {
			t.Errorf("overrides (-want +got):\n%s", diff)
		}
		// Later changes replace the row; an empty override deletes it, and
		// the order within one call holds.
		c.Add(1000)
		added.Disabled = true
		err = s.SaveKeyOverrides(ctx, []domain.KeyOverride{added, {ID: "beef"}, {ID: "c0ffee", Disabled: true}, {ID: "c0ffee"}})
		if err != nil {
			t.Fatal(err)
		}
		got, _ = s.ListKeyOverrides(ctx)
		if diff := cmp.Diff([]domain.KeyOverride{added}, got); diff != "" {
			t.Errorf("after changes (-want +got):\n%s", diff)
		}
		for _, bad := range []domain.KeyOverride{{Added: true, Secret: addedSecret}, {ID: "x", Added: true}} {
			if err := s.SaveKeyOverrides(ctx, []domain.KeyOverride{bad}); !errors.Is(err, domain.ErrInvalid) {
				t.Errorf("SaveKeyOverrides(%+v) = %v; want ErrInvalid", bad, err)
			}
		}
	})
}

func TestKeyOverridesSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hagemi.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.KeyOverride{{ID: domain.KeyID(addedSecret), Secret: addedSecret, Added: true}}
	if err := s.SaveKeyOverrides(ctx, want); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.ListKeyOverrides(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after reopening (-want +got):\n%s", diff)
	}
}
