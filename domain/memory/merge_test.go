package memory

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain/gemini"
)

func TestMergeFullHistoryClientStoresEachExchangeOnce(t *testing.T) {
	var stored, client []gemini.Content
	for i := 1; i <= 5; i++ {
		client = append(client, user(fmt.Sprintf("question %d", i)))
		merged, how := Merge(stored, client)
		want := FullHistory
		if i == 1 {
			want = NewTurns // nothing stored and nothing to compare yet
		}
		if how != want {
			t.Errorf("turn %d: outcome = %v; want %v", i, how, want)
		}
		answer := fmt.Sprintf("answer %d", i)
		stored = append(merged, signed(answer, fmt.Sprintf("sig%d", i)))
		// The client keeps the reply as plain text, without the signature.
		client = append(client, model(answer+"\n"))
	}
	if got, want := Exchanges(stored), 5; got != want {
		t.Errorf("Exchanges = %d; want %d", got, want)
	}
	if got, want := len(stored), 10; got != want {
		t.Errorf("len(stored) = %d; want %d", got, want)
	}
	// Every stored model turn is Gemini's own copy, signature included.
	for i := 1; i < len(stored); i += 2 {
		if got, want := stored[i].Parts[0].ThoughtSignature, fmt.Sprintf("sig%d", i/2+1); got != want {
			t.Errorf("stored[%d] signature = %q; want %q", i, got, want)
		}
	}
}

func TestMergeNewTurnClientGetsHistoryPrepended(t *testing.T) {
	var stored, want []gemini.Content
	for i := 1; i <= 5; i++ {
		q := user(fmt.Sprintf("question %d", i))
		merged, how := Merge(stored, []gemini.Content{q})
		if how != NewTurns {
			t.Errorf("turn %d: outcome = %v; want %v", i, how, NewTurns)
		}
		a := model(fmt.Sprintf("answer %d", i))
		stored = append(merged, a)
		want = append(want, q, a)
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("stored history (-want +got):\n%s", diff)
	}
	if got, want := Exchanges(stored), 5; got != want {
		t.Errorf("Exchanges = %d; want %d", got, want)
	}
}

func TestMerge(t *testing.T) {
	history := []gemini.Content{
		user("u1"), signed("m1", "s1"), user("u2"), signed("m2", "s2"),
		user("u3"), signed("m3", "s3"), user("u4"), signed("m4", "s4"),
	}
	plain := []gemini.Content{
		user("u1"), model("m1"), user("u2"), model("m2"),
		user("u3"), model("m3"), user("u4"), model("m4"),
	}
	tool := []gemini.Content{
		user("weather?"), call("get_weather", `{"city":"Paris"}`, "sig"),
		result("get_weather", `{"sky":"sunny"}`), signed("It is sunny.", "s2"),
	}
	cat := func(parts ...[]gemini.Content) []gemini.Content {
		var out []gemini.Content
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name     string
		stored   []gemini.Content
		incoming []gemini.Content
		want     []gemini.Content
		how      Outcome
	}{
		{"continuation", history, cat(plain, []gemini.Content{user("u5")}),
			cat(history, []gemini.Content{user("u5")}), FullHistory},
		{"stored tail after our truncation", history[4:], cat(plain, []gemini.Content{user("u5")}),
			cat(plain[:4], history[4:], []gemini.Content{user("u5")}), FullHistory},
		{"client sends its own recent window", history, cat(plain[4:], []gemini.Content{user("u5")}),
			cat(history[4:], []gemini.Content{user("u5")}), FullHistory},
		{"regenerate the last answer", history, plain[:7], history[:7], FullHistory},
		{"edited an earlier question", history,
			[]gemini.Content{user("u1"), model("m1"), user("u2 edited"), model("m2'"), user("u3")},
			[]gemini.Content{user("u1"), model("m1"), user("u2 edited"), model("m2'"), user("u3")}, Restart},
		{"new conversation with a model turn", history,
			[]gemini.Content{user("hello"), model("hi!"), user("bye")},
			[]gemini.Content{user("hello"), model("hi!"), user("bye")}, Restart},
		{"same user text is not enough", []gemini.Content{user("hi"), model("a")},
			[]gemini.Content{user("hi"), model("b"), user("x")},
			[]gemini.Content{user("hi"), model("b"), user("x")}, Restart},
		{"nothing stored, client history", nil, plain[:3], plain[:3], FullHistory},
		{"tool result appended to a pending call", tool[:2], tool[2:3], tool[:3], NewTurns},
		{"tool loop resent with reformatted args",
			tool,
			[]gemini.Content{user("weather?"), call("get_weather", "{ \"city\": \"Paris\" }", ""),
				result("get_weather", `{"sky": "sunny"}`), model("It is sunny."), user("thanks")},
			[]gemini.Content{tool[0], tool[1], result("get_weather", `{"sky": "sunny"}`), tool[3], user("thanks")},
			FullHistory},
		{"different call args contradict", tool,
			[]gemini.Content{user("weather?"), call("get_weather", `{"city":"Rome"}`, ""), result("get_weather", `{}`)},
			[]gemini.Content{user("weather?"), call("get_weather", `{"city":"Rome"}`, ""), result("get_weather", `{}`)},
			Restart},
		{"reply stored in streamed parts with thoughts",
			[]gemini.Content{user("q"), {Role: "model", Parts: []gemini.Part{
				{Text: "thinking…", Thought: true}, {Text: "Hel"}, {Text: "lo "}, {ThoughtSignature: "s"}}}},
			[]gemini.Content{user("q"), model("Hello"), user("q2")},
			[]gemini.Content{user("q"), {Role: "model", Parts: []gemini.Part{
				{Text: "thinking…", Thought: true}, {Text: "Hel"}, {Text: "lo "}, {ThoughtSignature: "s"}}}, user("q2")},
			FullHistory},
		{"image resent", []gemini.Content{image("AAAA"), model("a cat")},
			[]gemini.Content{image("AAAA"), model("a cat"), user("sure?")},
			[]gemini.Content{image("AAAA"), model("a cat"), user("sure?")}, FullHistory},
		{"empty role is user", []gemini.Content{{Parts: []gemini.Part{{Text: "q"}}}, model("a")},
			[]gemini.Content{user("q"), model("a"), user("q2")},
			[]gemini.Content{user("q"), model("a"), user("q2")}, FullHistory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := cmp.Diff(nil, tt.incoming)
			got, how := Merge(tt.stored, tt.incoming)
			if how != tt.how {
				t.Errorf("outcome = %v; want %v", how, tt.how)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("merged (-want +got):\n%s", diff)
			}
			if after := cmp.Diff(nil, tt.incoming); after != before {
				t.Errorf("Merge modified incoming")
			}
		})
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{FullHistory: "full-history", NewTurns: "new-turns", Restart: "restart", 0: "Outcome(0)"} {
		if got := o.String(); got != want {
			t.Errorf("%d.String() = %q; want %q", int(o), got, want)
		}
	}
}

func BenchmarkMerge(b *testing.B) {
	var stored []gemini.Content
	for i := range 50 {
		stored = append(stored, user(fmt.Sprintf("question %d %0300d", i, i)), signed(fmt.Sprintf("answer %d %0800d", i, i), "sig"))
	}
	incoming := append(append([]gemini.Content{}, stored[10:]...), user("next"))
	for b.Loop() {
		Merge(stored, incoming)
	}
}
