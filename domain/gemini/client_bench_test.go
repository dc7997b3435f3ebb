package gemini

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

// BenchmarkStreamParse measures the SSE path alone: 100 events of Google's
// shape per stream.
func BenchmarkStreamParse(b *testing.B) {
	event := "data: " + `{"candidates":[{"content":{"parts":[{"text":"some streamed words of text"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":12,"totalTokenCount":16},"modelVersion":"gemini-2.5-flash","responseId":"r1"}` + "\r\n\r\n"
	body := strings.Repeat(event, 100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		st := newStream(context.Background(), io.NopCloser(strings.NewReader(body)))
		for {
			if _, err := st.Next(); err != nil {
				break
			}
		}
	}
}

// BenchmarkClient measures whole calls against the fake (whose own work
// dominates; compare runs, not absolute numbers).
func BenchmarkClient(b *testing.B) {
	fake := geminitest.New(b, geminitest.WithAnyKey(), geminitest.WithoutRecording())
	c := &Client{HTTP: NewHTTPClient(0), BaseURL: fake.URL}
	req := userText(strings.Repeat("benchmark prompt ", 50))
	ctx := context.Background()
	b.Run("Generate", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Generate(ctx, testKey, "gemini-2.5-flash", req); err != nil {
					b.Error(err)
				}
			}
		})
	})
	b.Run("Stream", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				st, err := c.Stream(ctx, testKey, "gemini-2.5-flash", req)
				if err != nil {
					b.Error(err)
					continue
				}
				for {
					if _, err := st.Next(); err != nil {
						break
					}
				}
				st.Close()
			}
		})
	})
}
