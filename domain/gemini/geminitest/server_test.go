package geminitest_test

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

func do(t *testing.T, s *geminitest.Server, method, path, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var withKey = map[string]string{"x-goog-api-key": key}

func TestSSEWireFormat(t *testing.T) {
	s := geminitest.New(t, geminitest.WithAnyKey())
	s.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Chunks: []string{"Hel", "lo!"}}
	})
	body := `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`
	resp, out := do(t, s, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", body, withKey)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q", ct)
	}
	frames := strings.Split(strings.TrimSuffix(out, "\r\n\r\n"), "\r\n\r\n")
	if len(frames) != 2 || strings.Contains(out, "[DONE]") || !strings.HasSuffix(out, "\r\n\r\n") {
		t.Fatalf("frames = %q", frames)
	}
	var last struct {
		Candidates    []struct{ FinishReason string }
		UsageMetadata map[string]any
		ResponseID    string `json:"responseId"`
		ModelVersion  string `json:"modelVersion"`
	}
	for i, f := range frames {
		if !strings.HasPrefix(f, "data: {") {
			t.Errorf("frame %d = %q", i, f)
		}
		if err := json.Unmarshal([]byte(strings.TrimPrefix(f, "data: ")), &last); err != nil {
			t.Fatal(err)
		}
		if last.ResponseID == "" || last.ModelVersion != "gemini-2.5-flash" || last.UsageMetadata["totalTokenCount"] == nil {
			t.Errorf("frame %d lacks id, version or usage: %s", i, f)
		}
		if fr := last.Candidates[0].FinishReason; (fr != "") != (i == 1) {
			t.Errorf("frame %d finishReason %q", i, fr)
		}
	}

	_, arr := do(t, s, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", body, withKey)
	var events []map[string]any
	if err := json.Unmarshal([]byte(arr), &events); err != nil || len(events) != 2 || !strings.Contains(arr, "\n,\r\n") {
		t.Errorf("array stream: %v, %d events: %q", err, len(events), arr)
	}
}

func TestAuth(t *testing.T) {
	s := geminitest.New(t, geminitest.WithKey(key, geminitest.Key{}))
	tests := []struct {
		name   string
		path   string
		header map[string]string
		status int
		want   string
	}{
		{"header", "/v1beta/models", withKey, 200, `"models"`},
		{"query", "/v1beta/models?key=" + key, nil, 200, `"models"`},
		{"bearer", "/v1beta/models", map[string]string{"Authorization": "Bearer " + key}, 401, "UNAUTHENTICATED"},
		{"none", "/v1beta/models", nil, 403, "unregistered callers"},
		{"unknown", "/v1beta/models", map[string]string{"x-goog-api-key": "AIzaSyNope"}, 400, "API_KEY_INVALID"},
		{"unknown path", "/v1/chat/completions", withKey, 404, "<title>Error 404 (Not Found)!!1</title>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := do(t, s, "GET", tt.path, "", tt.header)
			if resp.StatusCode != tt.status || !strings.Contains(out, tt.want) {
				t.Errorf("%d %s; want %d with %q", resp.StatusCode, out, tt.status, tt.want)
			}
		})
	}
	reqs := s.Requests()
	if !reqs[1].KeyInQuery || reqs[0].KeyInQuery {
		t.Errorf("KeyInQuery not recorded right: %v %v", reqs[0].KeyInQuery, reqs[1].KeyInQuery)
	}
	if s.Calls(key) != 3 { // header, query, unknown path; the Bearer one carried no key
		t.Errorf("Calls = %d; want 3", s.Calls(key))
	}
}

func TestModelsPaging(t *testing.T) {
	s := geminitest.New(t, geminitest.WithAnyKey())
	var names []string
	path := "/v1beta/models?pageSize=4"
	for range 10 {
		_, out := do(t, s, "GET", path, "", withKey)
		var page struct {
			Models        []struct{ Name string }
			NextPageToken string
		}
		if err := json.Unmarshal([]byte(out), &page); err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Models {
			names = append(names, m.Name)
		}
		if page.NextPageToken == "" {
			break
		}
		path = "/v1beta/models?pageSize=4&pageToken=" + page.NextPageToken
	}
	if len(names) != len(geminitest.DefaultModels()) || names[0] != "models/gemini-2.5-flash" {
		t.Errorf("names = %v", names)
	}
	if resp, out := do(t, s, "GET", "/v1beta/models/gemini-embedding-001", "", withKey); resp.StatusCode != 200 || !strings.Contains(out, "embedContent") {
		t.Errorf("get model: %d %s", resp.StatusCode, out)
	}
	if resp, _ := do(t, s, "GET", "/v1beta/models/nope", "", withKey); resp.StatusCode != 404 {
		t.Errorf("get unknown model: %d", resp.StatusCode)
	}
}

func TestEmbeddingVectors(t *testing.T) {
	s := geminitest.New(t, geminitest.WithAnyKey())
	vec := func(dim string) []float64 {
		body := `{"content":{"parts":[{"text":"hello"}]}` + dim + `}`
		_, out := do(t, s, "POST", "/v1beta/models/gemini-embedding-001:embedContent", body, withKey)
		var r struct{ Embedding struct{ Values []float64 } }
		_ = json.Unmarshal([]byte(out), &r)
		return r.Embedding.Values
	}
	full, short := vec(""), vec(`,"outputDimensionality":768`)
	norm := func(v []float64) float64 {
		n := 0.0
		for _, x := range v {
			n += x * x
		}
		return math.Sqrt(n)
	}
	if len(full) != 3072 || len(short) != 768 || math.Abs(norm(full)-1) > 1e-3 || math.Abs(norm(short)-1) < 1e-3 || full[5] != short[5] {
		t.Errorf("dims %d/%d, norms %.3f/%.3f", len(full), len(short), norm(full), norm(short))
	}
}

func TestQuotaBody(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s := geminitest.New(t, geminitest.WithKey(key, geminitest.Key{RPM: 1}), geminitest.WithClock(func() time.Time { return now }))
	body := `{"contents":[{"parts":[{"text":"x"}]}]}`
	do(t, s, "POST", "/v1beta/models/gemini-2.5-flash:generateContent", body, withKey)
	now = now.Add(20 * time.Second)
	resp, out := do(t, s, "POST", "/v1beta/models/gemini-2.5-flash:generateContent", body, withKey)
	for _, want := range []string{`"quotaValue": "1"`, `"retryDelay": "40s"`, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
		"limit: 1, model: gemini-2.5-flash", "Please retry in 40s.", "google.rpc.Help", `"model": "gemini-2.5-flash"`} {
		if resp.StatusCode != 429 || !strings.Contains(out, want) {
			t.Errorf("429 body lacks %q: %d %s", want, resp.StatusCode, out)
		}
	}
}

func TestUnaryMerge(t *testing.T) {
	s := geminitest.New(t, geminitest.WithAnyKey())
	s.Handle("", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Thought: "think", Chunks: []string{"a", "b"}, TrailingSignature: "c2ln"}
	})
	body := `{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"thinkingConfig":{"includeThoughts":true}}}`
	_, out := do(t, s, "POST", "/v1beta/models/gemini-3.8-flash:generateContent", body, withKey)
	var r struct {
		Candidates []struct {
			Content struct{ Parts []map[string]any }
		}
		UsageMetadata map[string]any
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Candidates) != 1 {
		t.Fatalf("%v: %s", err, out)
	}
	parts := r.Candidates[0].Content.Parts
	if len(parts) != 2 || parts[0]["thought"] != true || parts[1]["text"] != "ab" || parts[1]["thoughtSignature"] != "c2ln" {
		t.Errorf("parts = %v", parts)
	}
	if r.UsageMetadata["thoughtsTokenCount"] == nil || r.UsageMetadata["candidatesTokenCount"] == nil {
		t.Errorf("usage = %v", r.UsageMetadata)
	}
}
