package sqlstore

import (
	"context"
	"errors"
	"testing"

	"github.com/hagemi/hagemi/domain"
)

func TestSettings(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		if got, err := s.Setting(ctx, "theme", "dark"); err != nil || got != "dark" {
			t.Errorf("Setting(unset) = %q, %v; want %q", got, err, "dark")
		}
		for _, v := range []string{"light", ""} {
			if err := s.SetSetting(ctx, "theme", v); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Setting(ctx, "theme", "dark"); got != v {
				t.Errorf("Setting = %q; want %q", got, v)
			}
		}
	})
}

func TestContextTTLDays(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		if got, _ := s.ContextTTLDays(ctx); got != 7 {
			t.Errorf("ContextTTLDays(unset) = %d; want 7", got)
		}
		for _, days := range []int{0, 30} {
			if err := s.SetContextTTLDays(ctx, days); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.ContextTTLDays(ctx); got != days {
				t.Errorf("ContextTTLDays = %d; want %d", got, days)
			}
		}
		for _, stored := range []string{"-3", "abc", "1.5"} {
			s.SetSetting(ctx, "context_ttl_days", stored)
			if got, _ := s.ContextTTLDays(ctx); got != 7 {
				t.Errorf("ContextTTLDays(stored %q) = %d; want 7", stored, got)
			}
		}
		if err := s.SetContextTTLDays(ctx, -1); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("SetContextTTLDays(-1) err = %v; want ErrInvalid", err)
		}
	})
}
