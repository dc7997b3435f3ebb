package memory

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hagemi/hagemi/domain/gemini"
)

func TestEstimate(t *testing.T) {
	media := func(mime, data string) gemini.Content {
		return gemini.Content{Role: "user", Parts: []gemini.Part{{InlineData: &gemini.Blob{MimeType: mime, Data: data}}}}
	}
	tests := []struct {
		name string
		c    gemini.Content
		want int
	}{
		{"latin", user(strings.Repeat("abcd", 100)), 100 + ContentTokens},
		{"latin rounds up", user("abcde"), 2 + ContentTokens},
		{"cjk", user("你好世界"), 4 + ContentTokens},
		{"hangul and kana", user("안녕こんにちは"), 7 + ContentTokens},
		{"accented counts as latin", user("éééé"), 1 + ContentTokens},
		{"long mixed", user(strings.Repeat("abcdefgh", 3) + "你好" + strings.Repeat("x", 9) + "é"), 9 + 2 + ContentTokens},
		{"small image", media("image/png", strings.Repeat("A", 1_000)), ImageTokens + ContentTokens},
		{"large image", media("image/jpeg", strings.Repeat("A", 4_000_000)), ImageTokens + ContentTokens},
		{"audio", media("audio/mp3", strings.Repeat("A", 100)), AudioTokens + ContentTokens},
		{"video", media("video/mp4", "AAAA"), VideoTokens + ContentTokens},
		{"pdf", media("application/pdf", "AAAA"), PDFTokens + ContentTokens},
		{"file uri", gemini.Content{Parts: []gemini.Part{{FileData: &gemini.FileData{MimeType: "video/mp4", FileURI: "gs://x"}}}},
			VideoTokens + ContentTokens},
		{"function args", gemini.Content{Role: "model", Parts: []gemini.Part{{
			FunctionCall: &gemini.FunctionCall{Name: "abcd", Args: json.RawMessage(strings.Repeat("x", 35))}}}},
			1 + 10 + ContentTokens},
		{"function response", gemini.Content{Parts: []gemini.Part{{
			FunctionResponse: &gemini.FunctionResponse{Name: "abcd", Response: json.RawMessage(strings.Repeat("x", 36))}}}},
			1 + 11 + ContentTokens},
		{"signature not counted", signed("abcd", strings.Repeat("S", 10_000)), 1 + ContentTokens},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Estimate([]gemini.Content{tt.c}); got != tt.want {
				t.Errorf("Estimate = %d; want %d", got, tt.want)
			}
		})
	}
}

func TestEstimateIgnoresBase64Length(t *testing.T) {
	small := Estimate([]gemini.Content{image(strings.Repeat("A", 10))})
	big := Estimate([]gemini.Content{image(strings.Repeat("A", 10_000_000))})
	if small != big {
		t.Errorf("Estimate(10 MB image) = %d; want %d, the same as a tiny one", big, small)
	}
}

func BenchmarkEstimate(b *testing.B) {
	var cs []gemini.Content
	for range 50 {
		cs = append(cs, user(strings.Repeat("How do I do this? ", 20)), model(strings.Repeat("Like this. ", 60)))
	}
	for b.Loop() {
		Estimate(cs)
	}
}
