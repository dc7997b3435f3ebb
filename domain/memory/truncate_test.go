package memory

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
)

// agentLoop is a greeting, then exchanges with tool calls in between.
func agentLoop() []gemini.Content {
	long := strings.Repeat("x", 400) // 100 tokens
	return []gemini.Content{
		model("Hi, how can I help?"),
		user("q1 " + long), model("a1 " + long),
		user("q2"), call("search", `{"q":"go"}`, "s"), result("search", `{"hits":3}`),
		call("open", `{"n":1}`, ""), result("open", `{"text":"`+long+`"}`), model("a2"),
		user("q3 " + long), model("a3"),
		user("q4"), call("search", `{"q":"sqlite"}`, "s"), result("search", `{"hits":1}`), model("a4 " + long),
	}
}

func TestTruncateKeepsWholeExchanges(t *testing.T) {
	contents := agentLoop()
	total := Estimate(contents)
	newest := Estimate(contents[11:])
	for budget := 0; budget <= total+10; budget++ {
		got, err := Truncate(contents, budget)
		if budget < newest {
			if !errors.Is(err, domain.ErrContextLength) {
				t.Fatalf("budget %d: err = %v; want ErrContextLength", budget, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("budget %d: %v", budget, err)
		}
		if budget >= total {
			if diff := cmp.Diff(contents, got); diff != "" {
				t.Fatalf("budget %d: fitting contents changed (-want +got):\n%s", budget, diff)
			}
			continue
		}
		if e := Estimate(got); e > budget {
			t.Errorf("budget %d: Estimate(result) = %d", budget, e)
		}
		if diff := cmp.Diff(contents[len(contents)-len(got):], got); diff != "" {
			t.Fatalf("budget %d: result is not a suffix (-want +got):\n%s", budget, diff)
		}
		checkValid(t, budget, got)
		// Maximal: one more exchange would not have fitted.
		start := len(contents) - len(got)
		for i := start - 1; i >= 0; i-- {
			if startsExchange(contents[i]) {
				if e := Estimate(contents[i:]); e <= budget {
					t.Errorf("budget %d: dropped exchange at %d although %d tokens fit", budget, i, e)
				}
				break
			}
		}
	}
}

// checkValid asserts what Gemini needs from a replayed history.
func checkValid(t *testing.T, budget int, cs []gemini.Content) {
	t.Helper()
	if !startsExchange(cs[0]) {
		t.Errorf("budget %d: result starts with %+v; want a user question", budget, cs[0])
	}
	for i, c := range cs {
		for _, p := range c.Parts {
			if p.FunctionResponse != nil && (i == 0 || !hasCall(cs[i-1], p.FunctionResponse.Name)) {
				t.Errorf("budget %d: response %q at %d without its call", budget, p.FunctionResponse.Name, i)
			}
			if p.FunctionCall != nil && (i+1 == len(cs) || !hasResponse(cs[i+1], p.FunctionCall.Name)) {
				t.Errorf("budget %d: call %q at %d without its response", budget, p.FunctionCall.Name, i)
			}
		}
	}
}

func hasCall(c gemini.Content, name string) bool {
	for _, p := range c.Parts {
		if p.FunctionCall != nil && p.FunctionCall.Name == name {
			return true
		}
	}
	return false
}

func hasResponse(c gemini.Content, name string) bool {
	for _, p := range c.Parts {
		if p.FunctionResponse != nil && p.FunctionResponse.Name == name {
			return true
		}
	}
	return false
}

func TestTruncateNewestTooBig(t *testing.T) {
	contents := []gemini.Content{user("short"), model("ok"), user(strings.Repeat("y", 4000))}
	_, err := Truncate(contents, 500)
	if !errors.Is(err, domain.ErrContextLength) {
		t.Fatalf("err = %v; want ErrContextLength", err)
	}
	if got := err.Error(); !strings.Contains(got, "1003 tokens") {
		t.Errorf("error = %q; want the size of the newest exchange", got)
	}
}

func TestTruncateNoQuestionAtAll(t *testing.T) {
	contents := []gemini.Content{model(strings.Repeat("z", 400))}
	if _, err := Truncate(contents, 10); !errors.Is(err, domain.ErrContextLength) {
		t.Fatalf("err = %v; want ErrContextLength", err)
	}
}

func TestExchanges(t *testing.T) {
	if got, want := Exchanges(agentLoop()), 4; got != want {
		t.Errorf("Exchanges = %d; want %d", got, want)
	}
	if got, want := Exchanges(nil), 0; got != want {
		t.Errorf("Exchanges(nil) = %d; want %d", got, want)
	}
}
