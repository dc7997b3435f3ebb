package gemini

import (
	"strings"
	"testing"
)

const (
	sseStream = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"}}],\"usageMetadata\":{\"promptTokenCount\":4,\"totalTokenCount\":4}}\r\n\r\n" +
		"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo \\\"}{\\\\ \\\"usageMetadata\\\":{\"}],\"role\":\"model\"},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":3,\"totalTokenCount\":7}}\r\n\r\n"
	arrayStream   = "[{\n  \"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"name\": \"f\", \"args\": {\"usageMetadata\": {\"promptTokenCount\": 99}}}}]}}],\n  \"usageMetadata\": {\"promptTokenCount\": 5, \"totalTokenCount\": 5}\n}\n,\r\n{\n  \"candidates\": [{\"finishReason\": \"STOP\"}],\n  \"usageMetadata\": {\"promptTokenCount\": 5, \"candidatesTokenCount\": 2, \"totalTokenCount\": 7}\n}\n]"
	rawErrorBlock = "{\n  \"error\": {\n    \"code\": 503,\n    \"message\": \"The model is overloaded. Please try again later.\",\n    \"status\": \"UNAVAILABLE\"\n  }\n}\n"
)

// scanInPieces feeds s in pieces of n bytes, as a network would.
func scanInPieces(s string, n int) *Scanner {
	var sc Scanner
	for i := 0; i < len(s); i += n {
		sc.Write([]byte(s[i:min(i+n, len(s))]))
	}
	return &sc
}

func TestScannerReadsUsageFromEveryShape(t *testing.T) {
	tests := []struct {
		name          string
		body          string
		events        int
		prompt, total int
		finished      bool
	}{
		{"sse", sseStream, 2, 4, 7, true},
		{"json array", arrayStream, 2, 5, 7, true},
		{"unary", `{"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1,"totalTokenCount":2}}`, 1, 1, 2, true},
		{"count tokens", `{"totalTokens": 31}`, 1, 0, 0, false},
		{"blocked prompt", `{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":3,"totalTokenCount":3}}`, 1, 3, 3, true},
		{"cut stream", sseStream[:strings.Index(sseStream, "\r\n\r\n")+4], 1, 4, 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, n := range []int{1, 2, 3, 7, 64, len(tt.body)} {
				sc := scanInPieces(tt.body, n)
				if sc.Events() != tt.events || sc.Err() != nil || sc.Finished() != tt.finished || !sc.Between() {
					t.Fatalf("pieces of %d: events %d err %v finished %v between %v; want %d <nil> %v true",
						n, sc.Events(), sc.Err(), sc.Finished(), sc.Between(), tt.events, tt.finished)
				}
				u := sc.Usage()
				if tt.total == 0 {
					if u != nil {
						t.Errorf("usage = %+v; want none", u)
					}
					continue
				}
				if u == nil || u.PromptTokenCount != tt.prompt || u.TotalTokenCount != tt.total {
					t.Fatalf("pieces of %d: usage = %+v; want prompt %d total %d", n, u, tt.prompt, tt.total)
				}
			}
		})
	}
}

func TestScannerFindsErrorBlocks(t *testing.T) {
	first := strings.SplitAfter(sseStream, "\r\n\r\n")[0]
	tests := []struct {
		name   string
		body   string
		events int
		kind   Kind
	}{
		{"raw block after an event", first + rawErrorBlock, 1, KindServer},
		{"data event first", `data: {"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}` + "\r\n\r\n", 0, KindRateLimited},
		{"array stream", "[" + rawErrorBlock + "]", 0, KindServer},
		{"whole body", `{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}`, 0, KindBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, n := range []int{1, 5, len(tt.body)} {
				sc := scanInPieces(tt.body, n)
				if sc.Events() != tt.events {
					t.Errorf("events = %d; want %d", sc.Events(), tt.events)
				}
				if e := sc.Err(); e == nil || e.Kind != tt.kind {
					t.Fatalf("pieces of %d: err = %v; want kind %v", n, e, tt.kind)
				}
			}
		})
	}
}

func TestScannerBetween(t *testing.T) {
	var sc Scanner
	sc.Write([]byte(`data: {"candidates":[{"content":{"parts":[{"text":"a}`))
	if sc.Between() {
		t.Error("Between() inside a string")
	}
	sc.Write([]byte(`"}]}}]}` + "\r\n\r\n"))
	if !sc.Between() || sc.Events() != 1 {
		t.Errorf("Between() = %v, events %d after the event closed", sc.Between(), sc.Events())
	}
}

func BenchmarkScanner(b *testing.B) {
	long := `data: {"candidates":[{"content":{"parts":[{"text":"` + strings.Repeat("All work and no play. ", 200) +
		`"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":4,"totalTokenCount":900}}` + "\r\n\r\n"
	body := []byte(strings.Repeat(long, 20))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var sc Scanner
		for i := 0; i < len(body); i += 4096 {
			sc.Write(body[i:min(i+4096, len(body))])
		}
	}
}
