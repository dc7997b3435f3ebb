package domain

import "fmt"

// SuggestAction is what a Suggestion advises.
type SuggestAction int

// Suggestion actions.
const (
	SuggestNone   SuggestAction = iota // no daily limit known: nothing to say
	SuggestNoKeys                      // no valid key at all
	SuggestAdd                         // usage is above 85 % of capacity
	SuggestFewer                       // usage is below 30 % of capacity
	SuggestKeep
)

// Suggestion is the key-count advice for one model. Capacity is counted in
// projects, since quotas are per project: Keys is the number of projects
// (each with its own key) the advice aims at.
type Suggestion struct {
	Action SuggestAction
	Keys   int
	Basis  string  // "RPD" or "TPD_in": the limit the advice follows
	Ratio  float64 // expected daily use over capacity, on that basis
	Text   string
}

// Thresholds of the original's rule.
const (
	suggestHigh = 0.85
	suggestLow  = 0.30
)

// suggest applies the original's rule (seed-features §7.2) to one model:
// active projects, the per-project limits, the expected requests for the
// day (the larger of today's estimate and the 7-day average) and the
// expected input tokens (today's estimate).
func suggest(active int, t ModelLimits, rpdInd, tpdInd float64) Suggestion {
	if active == 0 {
		return Suggestion{Action: SuggestNoKeys, Text: "no valid key: add one"}
	}
	capRPD := float64(active) * float64(t.RPD)
	if capRPD <= 0 {
		return Suggestion{Action: SuggestNone, Text: "no daily request limit known: no suggestion"}
	}
	rRPD := rpdInd / capRPD
	capTPD := float64(active) * float64(t.TPDInput)
	rTPD := 0.0
	if capTPD > 0 {
		rTPD = tpdInd / capTPD
	}
	switch {
	case rRPD > suggestHigh:
		n := max(int(rpdInd/(float64(t.RPD)*0.7)), active+1)
		return Suggestion{Action: SuggestAdd, Keys: n, Basis: "RPD", Ratio: rRPD,
			Text: fmt.Sprintf("requests at %.0f%% of daily capacity: add keys from other projects, to about %d", 100*rRPD, n)}
	case capTPD > 0 && rTPD > suggestHigh:
		n := max(int(tpdInd/(float64(t.TPDInput)*0.7)), active+1)
		return Suggestion{Action: SuggestAdd, Keys: n, Basis: "TPD_in", Ratio: rTPD,
			Text: fmt.Sprintf("input tokens at %.0f%% of daily capacity: add keys from other projects, to about %d", 100*rTPD, n)}
	case rRPD < suggestLow && rTPD < suggestLow && active > 1:
		var n int
		var basis string
		ratio := rRPD
		if rRPD >= rTPD {
			n, basis = max(1, int(rpdInd/(float64(t.RPD)*0.5))+1), "RPD"
		} else {
			n, basis, ratio = max(1, int(tpdInd/(float64(t.TPDInput)*0.5))+1), "TPD_in", rTPD
		}
		if n < active {
			return Suggestion{Action: SuggestFewer, Keys: n, Basis: basis, Ratio: ratio,
				Text: fmt.Sprintf("only %.0f%% of daily capacity used: %d projects would do", 100*ratio, n)}
		}
	}
	return Suggestion{Action: SuggestKeep, Keys: active, Basis: "RPD", Ratio: rRPD, Text: "keep the current number of keys"}
}
