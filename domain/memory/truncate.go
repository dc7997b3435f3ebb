package memory

import (
	"fmt"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
)

// Truncate drops the oldest whole exchanges of contents until Estimate of
// the rest fits budget. The caller subtracts what else the request spends
// (system instruction, tools) from the model's limit before calling.
//
// An exchange starts at a user turn that is not a tool result (see
// Exchanges) and runs to the next one, so a cut never separates a
// functionCall from its functionResponse and the result starts with a user
// turn. Turns before the first exchange (a model greeting) go first.
// Contents that already fit are returned unchanged, as is; otherwise the
// result is a sub-slice of contents. If the newest exchange alone is over
// budget, the error wraps domain.ErrContextLength.
func Truncate(contents []gemini.Content, budget int) ([]gemini.Content, error) {
	costs := make([]int, len(contents))
	total := 0
	for i, c := range contents {
		costs[i] = contentTokens(c)
		total += costs[i]
	}
	if total <= budget {
		return contents, nil
	}
	// Walk back from the newest turn: the suffix only grows, so the first
	// exchange start over budget ends the search.
	best, newest, suffix := -1, -1, 0
	need := total
	for i := len(contents) - 1; i >= 0; i-- {
		suffix += costs[i]
		if !startsExchange(contents[i]) {
			continue
		}
		if newest < 0 {
			newest, need = i, suffix
		}
		if suffix > budget {
			break
		}
		best = i
	}
	if best < 0 {
		return nil, fmt.Errorf("memory: newest exchange needs about %d tokens, budget is %d: %w",
			need, budget, domain.ErrContextLength)
	}
	return contents[best:], nil
}

// Exchanges counts the user turns that are not tool results: the
// questions asked. A full-history client that talked for five turns has
// five stored exchanges, not ten or fifteen.
func Exchanges(contents []gemini.Content) int {
	n := 0
	for _, c := range contents {
		if startsExchange(c) {
			n++
		}
	}
	return n
}

func startsExchange(c gemini.Content) bool {
	if c.Role == "model" || len(c.Parts) == 0 {
		return false
	}
	for _, p := range c.Parts {
		if p.FunctionResponse != nil {
			return false
		}
	}
	return true
}
