package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/memory"
)

// benchHistory is 50 exchanges of chat-like text: a 300-byte question and
// an 800-byte answer with paragraphs, quotes and a little non-ASCII, as
// Gemini returns them (with a thought signature).
func benchHistory() []gemini.Content {
	var history []gemini.Content
	for i := range 50 {
		answer := fmt.Sprintf("Answer %d: %s\n\n```go\nfmt.Println(\"héllo\")\n```\n%s", i,
			strings.Repeat("it works like this. ", 30), strings.Repeat("Then — done. ", 10))
		history = append(history,
			user(fmt.Sprintf("Question %d: %s", i, strings.Repeat("how does this work? ", 15))),
			gemini.Content{Role: "model", Parts: []gemini.Part{{Text: answer, ThoughtSignature: strings.Repeat("c2ln", 40)}}})
	}
	return history
}

// BenchmarkMemoryPath measures what conversation memory adds to a request
// in file mode: load the stored 50-exchange history, merge the client's
// request into it, truncate to a 30,000-token budget and save the result.
// p50 and p99 are reported beside the mean because the target is a median.
func BenchmarkMemoryPath(b *testing.B) {
	for _, client := range []string{"full-history", "new-turn"} {
		b.Run(client, func(b *testing.B) {
			s := openStore(b, "file")
			ctx := context.Background()
			history := benchHistory()
			if err := s.SaveConversation(ctx, "key:1", "", history, memory.Estimate(history)); err != nil {
				b.Fatal(err)
			}
			incoming := []gemini.Content{user("and then?")}
			if client == "full-history" {
				incoming = append(slices.Clone(history), incoming...)
			}
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				stored, err := s.LoadConversation(ctx, "key:1", "", 7*24*time.Hour)
				if err != nil {
					b.Fatal(err)
				}
				if client == "new-turn" {
					stored = stored[:len(history)] // keep the history from growing
				}
				merged, _ := memory.Merge(stored, incoming)
				kept, err := memory.Truncate(merged, 30000)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.SaveConversation(ctx, "key:1", "", kept, memory.Estimate(kept)); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns/op")
			b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns/op")
		})
	}
}
