package sqlstore

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain"
)

var secretPattern = regexp.MustCompile(`^hk-[0-9A-Za-z]{40}$`)

func TestProxyKeyLifecycle(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		expires := c.Now().Add(48 * time.Hour)
		spec := ProxyKeySpec{
			Description: "  laptop ", ExpiresAt: expires, Enabled: true, RPMLimit: 10, RPDLimit: 100, TPDLimit: 1e6,
			AllowedModels: []string{"gemini-2.5-flash", " models/gemini-3-flash-preview", "", "gemini-2.5-flash"},
			MemoryEnabled: true,
		}
		key, secret, err := s.CreateProxyKey(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		if !secretPattern.MatchString(secret) {
			t.Errorf("secret = %q; want hk- and 40 base62 characters", secret)
		}
		want := ProxyKey{
			ID: key.ID, Prefix: secret[:8], Description: "laptop", CreatedAt: c.Now(), ExpiresAt: expires,
			Enabled: true, RPMLimit: 10, RPDLimit: 100, TPDLimit: 1e6,
			AllowedModels: []string{"gemini-2.5-flash", "gemini-3-flash-preview"}, MemoryEnabled: true,
		}
		if diff := cmp.Diff(want, key); diff != "" {
			t.Errorf("CreateProxyKey (-want +got):\n%s", diff)
		}
		for name, get := range map[string]func() (ProxyKey, error){
			"Get":    func() (ProxyKey, error) { return s.GetProxyKey(ctx, key.ID) },
			"Lookup": func() (ProxyKey, error) { return s.LookupProxyKey(ctx, secret) },
		} {
			got, err := get()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", name, diff)
			}
		}

		// Update clears the expiry and the models and turns memory off.
		got, err := s.UpdateProxyKey(ctx, key.ID, ProxyKeySpec{Description: "desk", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		want.Description, want.ExpiresAt, want.AllowedModels, want.MemoryEnabled = "desk", time.Time{}, nil, false
		want.RPMLimit, want.RPDLimit, want.TPDLimit = 0, 0, 0
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("UpdateProxyKey (-want +got):\n%s", diff)
		}

		if err := s.SetProxyKeyEnabled(ctx, key.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetProxyKey(ctx, key.ID); got.Enabled {
			t.Error("Enabled = true after SetProxyKeyEnabled(false)")
		}

		fresh, err := s.RegenerateProxyKey(ctx, key.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !secretPattern.MatchString(fresh) || fresh == secret {
			t.Errorf("regenerated secret = %q; want a new one", fresh)
		}
		if _, err := s.LookupProxyKey(ctx, secret); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Lookup(old secret) err = %v; want ErrNotFound", err)
		}
		got, err = s.LookupProxyKey(ctx, fresh)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != key.ID || got.Prefix != fresh[:8] {
			t.Errorf("Lookup(new secret) = id %d prefix %q; want id %d prefix %q", got.ID, got.Prefix, key.ID, fresh[:8])
		}
	})
}

func TestDeleteProxyKeyTakesItsData(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		gone, _, _ := s.CreateProxyKey(ctx, ProxyKeySpec{Enabled: true})
		kept, _, _ := s.CreateProxyKey(ctx, ProxyKeySpec{Enabled: true})
		for _, k := range []ProxyKey{gone, kept} {
			mustSave(t, s, domain.ProxyKeyOwner(k.ID), "a", user("q"))
			mustSave(t, s, domain.ProxyKeyOwner(k.ID), "b", user("q"))
			if err := s.AddProxyKeyUsage(ctx, []ProxyKeyUsage{{KeyID: k.ID, Day: "2026-11-25", Requests: 1}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeleteProxyKey(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetProxyKey(ctx, gone.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Get(deleted) err = %v; want ErrNotFound", err)
		}
		_, n, _ := s.ListConversations(ctx, ConversationFilter{Owner: domain.ProxyKeyOwner(gone.ID)})
		if n != 0 {
			t.Errorf("deleted key still has %d conversations", n)
		}
		_, n, _ = s.ListConversations(ctx, ConversationFilter{Owner: domain.ProxyKeyOwner(kept.ID)})
		if n != 2 {
			t.Errorf("other key has %d conversations; want 2", n)
		}
		usage, _ := s.ProxyKeyUsageSince(ctx, "2026-01-01")
		if len(usage) != 1 || usage[0].KeyID != kept.ID {
			t.Errorf("usage after delete = %+v; want only key %d's", usage, kept.ID)
		}
	})
}

func TestListProxyKeysNewestFirst(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		var want []int64
		for range 3 {
			k, _, err := s.CreateProxyKey(ctx, ProxyKeySpec{})
			if err != nil {
				t.Fatal(err)
			}
			want = append([]int64{k.ID}, want...)
			c.Add(time.Second)
		}
		keys, err := s.ListProxyKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, k := range keys {
			got = append(got, k.ID)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ids (-want +got):\n%s", diff)
		}
	})
}

func TestProxyKeyErrors(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		notFound := map[string]error{
			"Get":        func() error { _, err := s.GetProxyKey(ctx, 999); return err }(),
			"Lookup":     func() error { _, err := s.LookupProxyKey(ctx, "hk-nope"); return err }(),
			"Update":     func() error { _, err := s.UpdateProxyKey(ctx, 999, ProxyKeySpec{}); return err }(),
			"SetEnabled": s.SetProxyKeyEnabled(ctx, 999, true),
			"Regenerate": func() error { _, err := s.RegenerateProxyKey(ctx, 999); return err }(),
			"Delete":     s.DeleteProxyKey(ctx, 999),
		}
		for name, err := range notFound {
			if !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("%s(unknown) err = %v; want ErrNotFound", name, err)
			}
		}
		for name, spec := range map[string]ProxyKeySpec{
			"negative rpm":     {RPMLimit: -1},
			"negative tpd":     {TPDLimit: -5},
			"long description": {Description: string(make([]rune, 201))},
		} {
			if _, _, err := s.CreateProxyKey(ctx, spec); !errors.Is(err, domain.ErrInvalid) {
				t.Errorf("Create(%s) err = %v; want ErrInvalid", name, err)
			}
		}
	})
}

func TestTouchProxyKeys(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		k, _, _ := s.CreateProxyKey(ctx, ProxyKeySpec{Enabled: true})
		t1 := c.Now().Add(time.Minute)
		steps := []struct {
			at   time.Time
			want time.Time
		}{
			{t1, t1},
			{t1.Add(-time.Second), t1}, // a late, older flush does not go back in time
			{t1.Add(time.Hour), t1.Add(time.Hour)},
		}
		for _, st := range steps {
			if err := s.TouchProxyKeys(ctx, map[int64]time.Time{k.ID: st.at, 999: st.at}); err != nil {
				t.Fatal(err)
			}
			got, _ := s.GetProxyKey(ctx, k.ID)
			if !got.LastUsedAt.Equal(st.want) {
				t.Errorf("LastUsedAt = %v; want %v", got.LastUsedAt, st.want)
			}
		}
	})
}
