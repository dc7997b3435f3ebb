package sqlstore

import (
	"testing"
	"time"
)

func TestProxyKeyRules(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		expires time.Time
		want    bool
	}{{time.Time{}, false}, {now.Add(time.Second), false}, {now, true}, {now.Add(-time.Second), true}}
	for _, tt := range tests {
		if got := (ProxyKey{ExpiresAt: tt.expires}).Expired(now); got != tt.want {
			t.Errorf("Expired(expires %v) = %v; want %v", tt.expires, got, tt.want)
		}
	}
	k := ProxyKey{AllowedModels: []string{"a"}}
	if !k.AllowsModel("a") || k.AllowsModel("b") || !(ProxyKey{}).AllowsModel("b") {
		t.Error("AllowsModel: want a listed model or any model with an empty list")
	}
}

func TestSecretsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		s, err := newSecret()
		if err != nil {
			t.Fatal(err)
		}
		if !secretPattern.MatchString(s) || seen[s] {
			t.Fatalf("secret %q malformed or repeated", s)
		}
		seen[s] = true
	}
}
