package domain

import (
	"strings"
	"testing"
	"time"
)

func TestSuggest(t *testing.T) {
	rpd := ModelLimits{RPD: 100}
	both := ModelLimits{RPD: 100, TPDInput: 1000}
	tests := []struct {
		name           string
		active         int
		limits         ModelLimits
		rpdInd, tpdInd float64
		action         SuggestAction
		keys           int
	}{
		{"no keys", 0, rpd, 0, 0, SuggestNoKeys, 0},
		{"no daily limit", 3, ModelLimits{RPM: 10}, 500, 0, SuggestNone, 0},
		{"requests above 85%", 4, rpd, 360, 0, SuggestAdd, 5},   // max(int(360/70)=5, 4+1)
		{"far above", 4, rpd, 1000, 0, SuggestAdd, 14},          // int(1000/70)
		{"tokens above 85%", 2, both, 100, 1800, SuggestAdd, 3}, // max(int(1800/700)=2, 3)
		{"below 30%", 10, rpd, 100, 0, SuggestFewer, 3},         // int(100/50)+1
		{"below 30% by tokens", 10, both, 10, 2000, SuggestFewer, 5},
		{"one key is never too many", 1, rpd, 1, 0, SuggestKeep, 1},
		{"in between", 4, rpd, 200, 0, SuggestKeep, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := suggest(tt.active, tt.limits, tt.rpdInd, tt.tpdInd)
			if s.Action != tt.action || s.Keys != tt.keys || s.Text == "" {
				t.Errorf("suggest = %+v; want action %d keys %d", s, tt.action, tt.keys)
			}
		})
	}
}

func TestUsageReport(t *testing.T) {
	keys := specs(4, nil)
	p, clk := limitedPool(t, noon, `{"m": {"rpm": 10, "tpm_input": 100000, "rpd": 20}}`, keys...)
	// Yesterday, from the history: 60 requests over the pool.
	p.Restore(PoolSnapshot{History: []KeyUsageDay{{KeyID: KeyID(keys[0].Secret), Model: "m", Day: "2026-06-09",
		DayTotals: DayTotals{Requests: 60, InputTokens: 6000}}}})
	for range 10 {
		call(p, 100, Outcome{InputTokens: 90, OutputTokens: 5})
	}
	var tried Tried
	l, _ := p.Acquire("m", 1, &tried)
	p.Report(l, Outcome{Kind: OutcomeRateLimited, Detailed: true, RetryDelay: 30 * time.Second, Reason: "quota GenerateRequestsPerMinute"})
	l, _ = p.Acquire("m", 1, &tried)
	p.Report(l, Outcome{Kind: OutcomeKeyInvalid, Reason: "API_KEY_INVALID"})

	r := p.UsageReport(clk.t)
	if r.Configured != 4 || r.Active != 3 || len(r.Models) != 1 {
		t.Fatalf("report = %+v", r)
	}
	m := r.Models[0]
	if m.Today.Requests != 12 || m.Today.InputTokens != 900 || m.Today.OutputTokens != 50 || m.Today.Errors != 2 {
		t.Errorf("today = %+v", m.Today)
	}
	// Noon Pacific is half the day: the estimate doubles today's count.
	if !m.HasEstimate || m.Estimate.Requests != 24 {
		t.Errorf("estimate = %+v (%v)", m.Estimate, m.HasEstimate)
	}
	if m.Avg7Days != 1 || m.Avg7.Requests != 60 {
		t.Errorf("7-day average = %+v over %d days", m.Avg7, m.Avg7Days)
	}
	if m.Projects != 3 || m.CapacityRPD != 60 {
		t.Errorf("capacity = %d projects, RPD %d", m.Projects, m.CapacityRPD)
	}
	// max(24, 60) = 60 of 60: over 85 %, add keys.
	if m.Suggestion.Action != SuggestAdd || m.Suggestion.Keys != 4 {
		t.Errorf("suggestion = %+v", m.Suggestion)
	}
	states := map[string]int{}
	for _, g := range m.Groups {
		states[g.State] = len(g.Keys)
	}
	if states["available"] != 2 || states["cooling"] != 1 || states["invalid"] != 1 {
		t.Errorf("groups = %v", states)
	}

	text := r.Text()
	for _, want := range []string{
		"usage report 2026-06-10 12:00 PDT",
		"keys: 4 configured, 3 active, 1 invalid",
		"[m] limits per project: RPM 10, TPM_in 100000, RPD 20, TPD_in unlimited",
		"today: 12 requests, 900 input tokens, 50 output tokens, 2 errors",
		"available (2):",
		"2× RPD=3/20 (85% left) | RPM=3/10 (70% left)",
		"cooling (1):",
		"(quota GenerateRequestsPerMinute)",
		"invalid (1):",
		"(API_KEY_INVALID)",
		"suggestion: requests at 100% of daily capacity",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report text lacks %q:\n%s", want, text)
		}
	}
	for _, k := range keys {
		if strings.Contains(text, k.Secret) {
			t.Fatal("report shows a whole key")
		}
	}
}
