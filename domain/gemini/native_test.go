package gemini

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

func TestForwardSwapsOnlyTheKey(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {}\r\n\r\n")
	}))
	defer srv.Close()
	c := &Client{HTTP: srv.Client(), BaseURL: srv.URL}
	hdr := http.Header{
		"Authorization":     {"Bearer proxy-key"},
		"X-Goog-Api-Key":    {"proxy-key"},
		"Cookie":            {"session=1"},
		"X-Forwarded-For":   {"10.0.0.1"},
		"X-Goog-Api-Client": {"google-genai-sdk/1.0 gl-go/1.26"},
		"Content-Type":      {"application/json"},
	}
	path := "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=proxy-key&x=%41b&%6Bey=also"
	resp, err := c.Forward(context.Background(), testKey, "POST", path, strings.NewReader(`{"a":1}`), hdr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "data: {}\r\n\r\n" {
		t.Errorf("body = %q", body)
	}
	if got.URL.EscapedPath() != "/v1beta/models/gemini-2.5-flash:streamGenerateContent" {
		t.Errorf("path = %q", got.URL.EscapedPath())
	}
	if got.URL.RawQuery != "alt=sse&x=%41b" {
		t.Errorf("query = %q; want alt=sse&x=%%41b", got.URL.RawQuery)
	}
	if k := got.Header.Get("x-goog-api-key"); k != testKey {
		t.Errorf("x-goog-api-key = %q; want the pool key", k)
	}
	for _, h := range []string{"Authorization", "Cookie", "X-Forwarded-For"} {
		if v := got.Header.Get(h); v != "" {
			t.Errorf("%s = %q reached Google", h, v)
		}
	}
	if v := got.Header.Get("X-Goog-Api-Client"); !strings.HasPrefix(v, "google-genai-sdk/") {
		t.Errorf("X-Goog-Api-Client = %q; want it kept", v)
	}
}

func TestForwardErrorKeepsMaskedBody(t *testing.T) {
	fake, c := newFake(t)
	fake.AddKey(testKey2, geminitest.Key{Suspended: true}) // Google echoes the key in the message
	_, err := c.Forward(context.Background(), testKey2, "POST", "/v1beta/models/gemini-2.5-flash:generateContent",
		strings.NewReader(`{"contents":[{"parts":[{"text":"hi"}]}]}`), http.Header{})
	var fe *ForwardError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v; want *ForwardError", err)
	}
	if fe.StatusCode != 403 || fe.Err.Kind != KindKeyInvalid {
		t.Errorf("status %d kind %v; want 403 key_invalid", fe.StatusCode, fe.Err.Kind)
	}
	if strings.Contains(string(fe.Body), testKey2) || strings.Contains(err.Error(), testKey2) {
		t.Errorf("full key leaked: %s", fe.Body)
	}
	if !json.Valid(fe.Body) || !strings.Contains(string(fe.Body), `"PERMISSION_DENIED"`) {
		t.Errorf("body = %s; want Google's envelope", fe.Body)
	}
	var ue *UpstreamError
	if !errors.As(err, &ue) || !ue.Retryable() {
		t.Errorf("errors.As(*UpstreamError) failed or not retryable: %v", err)
	}

	fake.AddKey(testKey2, geminitest.Key{RPM: 1})
	body := `{"contents":[{"parts":[{"text":"hi"}]}]}`
	for range 2 {
		resp, err := c.Forward(context.Background(), testKey2, "POST", "/v1beta/models/gemini-2.5-flash:generateContent", strings.NewReader(body), nil)
		if err == nil {
			resp.Body.Close()
			continue
		}
		if !errors.Is(err, domain.ErrRateLimited) {
			t.Errorf("second call: err = %v; want rate limited", err)
		}
		return
	}
	t.Error("RPM 1 let two calls through")
}

func TestWithSafetySettings(t *testing.T) {
	tests := []struct{ name, in, wantPrefix, wantSuffix string }{
		{"object", `{"contents":[]}`, `{"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"}`, `}],"contents":[]}`},
		{"empty object", `{}`, `{"safetySettings":[`, `}]}`},
		{"spaces kept", " {\n  \"b\": 1.50 }", " {\"safetySettings\":[", "}],\n  \"b\": 1.50 }"},
		{"not an object", `[1]`, `[1]`, `[1]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(WithSafetySettings([]byte(tt.in), "OFF"))
			if !strings.HasPrefix(got, tt.wantPrefix) || !strings.HasSuffix(got, tt.wantSuffix) {
				t.Errorf("got %s", got)
			}
			if tt.in[0] != '[' && (!json.Valid([]byte(got)) || strings.Count(got, "HARM_CATEGORY") != 5) {
				t.Errorf("got %s; want valid JSON with five categories", got)
			}
		})
	}
	if got := string(WithSafetySettings([]byte(`{}`), "")); !strings.Contains(got, "BLOCK_NONE") {
		t.Errorf("default threshold: %s", got)
	}
}

func TestNativePromptHasSafety(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"contents":[]}`, false},
		{`{"safetySettings":[]}`, true},
		{`{"safety_settings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"}]}`, true},
		{`{"safetySettings":null}`, true},
	}
	for _, tt := range tests {
		var p NativePrompt
		if err := json.Unmarshal([]byte(tt.body), &p); err != nil {
			t.Fatal(err)
		}
		if got := p.HasSafety(); got != tt.want {
			t.Errorf("HasSafety(%s) = %v; want %v", tt.body, got, tt.want)
		}
	}
	var p NativePrompt
	json.Unmarshal([]byte(`{"system_instruction":{"parts":[{"text":"be brief"}]}}`), &p)
	if s := p.System(); s == nil || s.Parts[0].Text != "be brief" {
		t.Errorf("System() = %+v; want the snake_case instruction", s)
	}
}
