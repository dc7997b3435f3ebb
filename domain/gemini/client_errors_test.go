package gemini

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

// TestUpstreamErrorKinds drives every failure the fake can produce through
// Generate and Stream and checks the classification.
func TestUpstreamErrorKinds(t *testing.T) {
	keys := map[string]geminitest.Key{
		"AIzaSyInvalid000000000000000000000000000": {Invalid: true},
		"AIzaSySuspended0000000000000000000000000": {Suspended: true},
		"AIzaSyLeaked0000000000000000000000000000": {Leaked: true},
		"AIzaSyDisabled00000000000000000000000000": {Disabled: true},
		"AIzaSyFail500000000000000000000000000000": {Fail: 500},
		"AIzaSyFail503000000000000000000000000000": {Fail: 503},
		"AIzaSyFail502000000000000000000000000000": {Fail: 502},
		"AIzaSyFail429000000000000000000000000000": {Fail: 429},
	}
	tests := []struct {
		name, key, model string
		req              *GenerateContentRequest
		kind             Kind
		status           int
		sentinel         error
		reason           string
	}{
		{"unknown key", "AIzaSyNobodyKnowsMe000000000000000000000", "gemini-2.5-flash", nil, KindKeyInvalid, 400, ErrKeyInvalid, "API_KEY_INVALID"},
		{"invalid key", "AIzaSyInvalid000000000000000000000000000", "gemini-2.5-flash", nil, KindKeyInvalid, 400, ErrKeyInvalid, "API_KEY_INVALID"},
		{"suspended", "AIzaSySuspended0000000000000000000000000", "gemini-2.5-flash", nil, KindKeyInvalid, 403, ErrKeyInvalid, "CONSUMER_SUSPENDED"},
		{"leaked", "AIzaSyLeaked0000000000000000000000000000", "gemini-2.5-flash", nil, KindKeyInvalid, 403, ErrKeyInvalid, ""},
		{"disabled", "AIzaSyDisabled00000000000000000000000000", "gemini-2.5-flash", nil, KindKeyInvalid, 403, ErrKeyInvalid, "SERVICE_DISABLED"},
		{"500", "AIzaSyFail500000000000000000000000000000", "gemini-2.5-flash", nil, KindServer, 500, domain.ErrUpstream, ""},
		{"503", "AIzaSyFail503000000000000000000000000000", "gemini-2.5-flash", nil, KindServer, 503, domain.ErrUpstream, ""},
		{"502 html", "AIzaSyFail502000000000000000000000000000", "gemini-2.5-flash", nil, KindServer, 502, domain.ErrUpstream, ""},
		{"429 bare", "AIzaSyFail429000000000000000000000000000", "gemini-2.5-flash", nil, KindRateLimited, 429, domain.ErrRateLimited, ""},
		{"unknown model", testKey, "gemini-9-ultra", nil, KindNotFound, 404, domain.ErrModelNotFound, ""},
		{"not a chat model", testKey, "gemini-embedding-001", nil, KindNotFound, 404, domain.ErrModelNotFound, ""},
		{"bad request", testKey, "gemini-2.5-flash", &GenerateContentRequest{
			Contents:         []Content{{Role: "user", Parts: []Part{{Text: "x"}}}},
			GenerationConfig: &GenerationConfig{StopSequences: []string{"1", "2", "3", "4", "5", "6"}},
		}, KindBadRequest, 400, domain.ErrInvalid, ""},
		{"missing signature", testKey, "gemini-3-flash-preview", &GenerateContentRequest{Contents: []Content{
			{Role: "user", Parts: []Part{{Text: "weather?"}}},
			{Role: "model", Parts: []Part{{FunctionCall: &FunctionCall{Name: "get_weather", Args: []byte(`{}`)}}}},
			{Role: "user", Parts: []Part{{FunctionResponse: &FunctionResponse{Name: "get_weather", Response: []byte(`{"t":1}`)}}}},
		}}, KindBadRequest, 400, domain.ErrInvalid, ""},
	}
	fake, c := newFake(t)
	for k, v := range keys {
		fake.AddKey(k, v)
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			name := tt.name
			if stream {
				name += "/stream"
			}
			t.Run(name, func(t *testing.T) {
				req := tt.req
				if req == nil {
					req = userText("hello")
				}
				var err error
				if stream {
					_, err = c.Stream(context.Background(), tt.key, tt.model, req)
				} else {
					_, err = c.Generate(context.Background(), tt.key, tt.model, req)
				}
				ue := asUpstream(t, err)
				if ue.Kind != tt.kind || ue.HTTPStatus != tt.status || ue.Reason != tt.reason {
					t.Errorf("got kind %v, status %d, reason %q; want %v, %d, %q (%v)", ue.Kind, ue.HTTPStatus, ue.Reason, tt.kind, tt.status, tt.reason, err)
				}
				if !errors.Is(err, tt.sentinel) {
					t.Errorf("errors.Is(%v, %v) = false", err, tt.sentinel)
				}
				if strings.Contains(err.Error(), tt.key) {
					t.Errorf("error text holds the full key: %v", err)
				}
			})
		}
	}
}

func TestSuspendedKeyIsMasked(t *testing.T) {
	const key = "AIzaSySuspended0000000000000000000000000"
	_, c := newFake(t, geminitest.WithKey(key, geminitest.Key{Suspended: true}))
	_, err := c.Generate(context.Background(), key, "gemini-2.5-flash", userText("x"))
	ue := asUpstream(t, err)
	if !strings.Contains(ue.Message, "api_key:"+domain.MaskSecret(key)) || strings.Contains(ue.Message, key) {
		t.Errorf("message = %q; want the key masked as %s", ue.Message, domain.MaskSecret(key))
	}
}

func TestQuota(t *testing.T) {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	now := time.Date(2026, 11, 20, 23, 0, 0, 0, loc)
	fake, c := newFake(t, geminitest.WithClock(func() time.Time { return now }),
		geminitest.WithKey(testKey, geminitest.Key{Project: "p1", RPM: 2, RPD: 3}),
		geminitest.WithKey(testKey2, geminitest.Key{Project: "p1", RPM: 2, RPD: 3}))
	ctx := context.Background()
	call := func(key string) error {
		_, err := c.Generate(ctx, key, "gemini-2.5-flash", userText("x"))
		return err
	}
	if err := call(testKey); err != nil {
		t.Fatal(err)
	}
	now = now.Add(23 * time.Second)
	if err := call(testKey2); err != nil { // same project, second request this minute
		t.Fatal(err)
	}
	ue := asUpstream(t, call(testKey))
	if ue.Kind != KindRateLimited || ue.RetryDelay != 37*time.Second || ue.Daily() || ue.ZeroQuota() {
		t.Errorf("RPM: kind %v, delay %v, daily %v; want rate limited, 37s, per minute", ue.Kind, ue.RetryDelay, ue.Daily())
	}
	if len(ue.Violations) != 1 || !ue.Violations[0].PerMinute() || ue.Violations[0].Value != 2 ||
		!ue.Violations[0].HasValue || ue.Violations[0].Model != "gemini-2.5-flash" || ue.Violations[0].TokenBased() {
		t.Errorf("RPM violations = %+v", ue.Violations)
	}
	if got := fake.Calls(testKey); got != 2 {
		t.Errorf("Calls = %d; want 2", got)
	}
	now = now.Add(time.Minute)
	if err := call(testKey); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	ue = asUpstream(t, call(testKey2))
	if !ue.Daily() || ue.RetryDelay != 58*time.Minute-23*time.Second {
		t.Errorf("RPD: daily %v, delay %v; want daily until Pacific midnight", ue.Daily(), ue.RetryDelay)
	}
	now = now.Add(time.Hour) // past midnight in Los Angeles: a new day
	if err := call(testKey); err != nil {
		t.Errorf("after midnight: %v", err)
	}
}

func TestTokenQuota(t *testing.T) {
	_, c := newFake(t, geminitest.WithKey(testKey, geminitest.Key{TPM: 10}))
	_, err := c.Generate(context.Background(), testKey, "gemini-2.5-flash", userText(strings.Repeat("x", 80)))
	ue := asUpstream(t, err)
	if ue.Kind != KindRateLimited || len(ue.Violations) != 1 || !ue.Violations[0].TokenBased() || !ue.Violations[0].PerMinute() {
		t.Errorf("TPM: %v %+v", ue, ue.Violations)
	}
}

func TestContextLengthAndSize(t *testing.T) {
	fake, c := newFake(t, geminitest.WithMaxBody(4096))
	fake.SetModels([]map[string]any{{"name": "models/tiny", "inputTokenLimit": 10,
		"supportedGenerationMethods": []string{"generateContent"}}})
	_, err := c.Generate(context.Background(), testKey, "tiny", userText(strings.Repeat("word ", 20)))
	if ue := asUpstream(t, err); ue.Kind != KindContextLength || !errors.Is(err, domain.ErrContextLength) {
		t.Errorf("context: %v", err)
	}
	_, err = c.Generate(context.Background(), testKey, "tiny", userText(strings.Repeat("x", 5000)))
	if ue := asUpstream(t, err); ue.Kind != KindTooLarge || !errors.Is(err, domain.ErrTooLarge) {
		t.Errorf("size: %v", err)
	}
}
