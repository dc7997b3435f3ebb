package gemini

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// readAll runs body through a Stream and renders what came out: each
// event's first text (or "-"), then the end.
func readAll(t testing.TB, body string) (texts []string, end error) {
	st := newStream(context.Background(), io.NopCloser(strings.NewReader(body)))
	defer st.Close()
	for range len(body) + 2 {
		ev, err := st.Next()
		if err != nil {
			return texts, err
		}
		text := "-"
		if len(ev.Candidates) > 0 && ev.Candidates[0].Content != nil && len(ev.Candidates[0].Content.Parts) > 0 {
			text = ev.Candidates[0].Content.Parts[0].Text
		}
		texts = append(texts, text)
	}
	t.Fatalf("stream did not end")
	return nil, nil
}

func ev(text string) string {
	return `{"candidates":[{"content":{"parts":[{"text":"` + text + `"}],"role":"model"}}],"responseId":"r"}`
}

const rawError = "{\n  \"error\": {\n    \"code\": 503,\n    \"message\": \"The model is {overloaded}. Please try again later.\",\n    \"status\": \"UNAVAILABLE\"\n  }\n}\n"

func TestSSEFraming(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		texts  []string
		status string // "" for a clean io.EOF
		kind   Kind
	}{
		{"crlf", "data: " + ev("a") + "\r\n\r\ndata: " + ev("b") + "\r\n\r\n", []string{"a", "b"}, "", 0},
		{"lf", "data: " + ev("a") + "\n\ndata: " + ev("b") + "\n\n", []string{"a", "b"}, "", 0},
		{"no space", "data:" + ev("a") + "\n\n", []string{"a"}, "", 0},
		{"no final blank line", "data: " + ev("a") + "\r\n\r\ndata: " + ev("b"), []string{"a", "b"}, "", 0},
		{"comments and fields", ": keep-alive\n\nevent: message\nid: 7\nretry: 10\ndata: " + ev("a") + "\n\n: bye\n", []string{"a"}, "", 0},
		{"bom", "\uFEFFdata: " + ev("a") + "\n\n", []string{"a"}, "", 0},
		{"multi-line data", "data: {\"responseId\":\"r\",\ndata: \"candidates\":[]}\n\n", []string{"-"}, "", 0},
		{"blank lines and [DONE]", "\r\n\r\ndata: " + ev("a") + "\r\n\r\n\r\n\r\ndata: [DONE]\r\n\r\n", []string{"a"}, "", 0},
		{"raw error block", "data: " + ev("a") + "\r\n\r\n" + rawError, []string{"a"}, "UNAVAILABLE", KindServer},
		{"raw error right after data", "data: " + ev("a") + "\n" + rawError, []string{"a"}, "UNAVAILABLE", KindServer},
		{"raw error one line", `{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}` + "\n", nil, "INTERNAL", KindServer},
		{"raw error array", "[" + rawError + "]\n", nil, "UNAVAILABLE", KindServer},
		{"raw error unterminated", "data: " + ev("a") + "\n\n{\n  \"error\": {\n    \"code\": 503,\n", []string{"a"}, "", KindServer},
		{"data error", "data: " + ev("a") + "\r\n\r\ndata: {\"error\":{\"code\":429,\"message\":\"quota\",\"status\":\"RESOURCE_EXHAUSTED\"}}\r\n\r\n", []string{"a"}, "RESOURCE_EXHAUSTED", KindRateLimited},
		{"cut inside an event", "data: " + ev("a") + "\r\n\r\ndata: {\"candidates\":[{\"cont", []string{"a"}, "", KindTruncated},
		{"malformed event", "data: {nope}\n\ndata: " + ev("a") + "\n\n", nil, "", KindServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			texts, err := readAll(t, tt.body)
			if strings.Join(texts, "|") != strings.Join(tt.texts, "|") {
				t.Errorf("texts = %q; want %q", texts, tt.texts)
			}
			if tt.kind == 0 {
				if err != io.EOF {
					t.Errorf("end = %v; want io.EOF", err)
				}
				return
			}
			var ue *UpstreamError
			if !errors.As(err, &ue) || ue.Kind != tt.kind || ue.Status != tt.status || ue.HTTPStatus != 200 {
				t.Errorf("end = %v; want %v %q at 200", err, tt.kind, tt.status)
			}
		})
	}
}

func TestSSEHugeEvent(t *testing.T) {
	big := strings.Repeat("x", 20<<20) // inline images and signatures make events this large
	texts, err := readAll(t, "data: "+ev(big)+"\r\n\r\ndata: "+ev("after")+"\r\n\r\n")
	if err != io.EOF || len(texts) != 2 || len(texts[0]) != len(big) || texts[1] != "after" {
		t.Errorf("got %d events, end %v", len(texts), err)
	}
}

// FuzzSSEReader feeds arbitrary bodies to a Stream: it must never panic and
// must always reach an end.
func FuzzSSEReader(f *testing.F) {
	f.Add([]byte("data: " + ev("a") + "\r\n\r\n"))
	f.Add([]byte("data:" + ev("a") + "\n\n" + rawError))
	f.Add([]byte("[{\"error\":{\"code\":503}}]\n"))
	f.Add([]byte("{\"a\":\"}\\\"{[\"\n\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		st := newStream(context.Background(), io.NopCloser(bytes.NewReader(body)))
		defer st.Close()
		for range len(body) + 2 { // each event consumes at least one byte
			if _, err := st.Next(); err != nil {
				return
			}
		}
		t.Fatalf("no end after %d events from %d bytes", len(body)+2, len(body))
	})
}
