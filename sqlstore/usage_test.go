package sqlstore

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain"
)

func TestProxyKeyUsage(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		a, _, _ := s.CreateProxyKey(ctx, ProxyKeySpec{Enabled: true})
		b, _, _ := s.CreateProxyKey(ctx, ProxyKeySpec{Enabled: true})
		batches := [][]ProxyKeyUsage{
			{{KeyID: a.ID, Day: "2026-11-24", Requests: 5, TokensIn: 50, TokensOut: 5}},
			{{KeyID: a.ID, Day: "2026-11-25", Requests: 1, TokensIn: 10, TokensOut: 1},
				{KeyID: b.ID, Day: "2026-11-25", Requests: 2, TokensIn: 20, TokensOut: 2},
				{KeyID: 999, Day: "2026-11-25", Requests: 7}}, // deleted meanwhile: dropped
			{{KeyID: a.ID, Day: "2026-11-25", Requests: 1, TokensIn: 10, TokensOut: 1}},
			nil,
		}
		for _, batch := range batches {
			if err := s.AddProxyKeyUsage(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.ProxyKeyUsageSince(ctx, "2026-11-25")
		if err != nil {
			t.Fatal(err)
		}
		want := []ProxyKeyUsage{
			{KeyID: a.ID, Day: "2026-11-25", Requests: 2, TokensIn: 20, TokensOut: 2},
			{KeyID: b.ID, Day: "2026-11-25", Requests: 2, TokensIn: 20, TokensOut: 2},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ProxyKeyUsageSince (-want +got):\n%s", diff)
		}
		all, _ := s.ProxyKeyUsageSince(ctx, "2026-01-01")
		if got, want := len(all), 3; got != want {
			t.Errorf("%d rows since January; want %d", got, want)
		}
		if err := s.AddProxyKeyUsage(ctx, []ProxyKeyUsage{{KeyID: a.ID, Day: "25/11/2026"}}); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("bad day err = %v; want ErrInvalid", err)
		}
		if _, err := s.ProxyKeyUsageSince(ctx, "yesterday"); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("bad since err = %v; want ErrInvalid", err)
		}
	})
}
