package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
	"github.com/hagemi/hagemi/handlers"
)

type envelope struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

func decodeEnvelope(t *testing.T, resp *http.Response) envelope {
	t.Helper()
	var env envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("error body is not the OpenAI envelope: %v", err)
	}
	return env
}

func TestBadRequestsGetClearErrors(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	tests := []struct {
		name, body string
		status     int
		param      string
		code       string
	}{
		{"not json", `{"model":`, 400, "", ""},
		{"empty body", ``, 400, "", ""},
		{"empty messages", `{"model":"gemini-2.5-flash","messages":[]}`, 400, "messages", ""},
		{"bad role", `{"model":"gemini-2.5-flash","messages":[{"role":"wizard","content":"x"}]}`, 400, "messages[0].role", ""},
		{"bad data uri", `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,@@@"}}]}]}`, 400, "messages[0].content[0].image_url.url", ""},
		{"unknown model", `{"model":"gemini-9-ultra","messages":[{"role":"user","content":"x"}]}`, 404, "model", "model_not_found"},
		{"model path trick", `{"model":"../files/abc","messages":[{"role":"user","content":"x"}]}`, 400, "model", ""},
		{"wrong type", `{"model":"gemini-2.5-flash","messages":"hello"}`, 400, "messages", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.post(t, "/v1/chat/completions", tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d; want %d", resp.StatusCode, tt.status)
			}
			env := decodeEnvelope(t, resp)
			if env.Error.Message == "" || env.Error.Type != "invalid_request_error" {
				t.Errorf("envelope = %+v", env.Error)
			}
			if got := deref(env.Error.Param); got != tt.param {
				t.Errorf("param = %q; want %q (message %q)", got, tt.param, env.Error.Message)
			}
			if got := deref(env.Error.Code); got != tt.code {
				t.Errorf("code = %q; want %q", got, tt.code)
			}
		})
	}
	if n := len(e.fake.Requests()); n != 1 { // the model list only
		t.Errorf("bad requests reached Gemini: %d calls", n)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestBodyTooLarge(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	big := `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"` + strings.Repeat("a", 2<<20) + `"}]}`
	resp := e.post(t, "/v1/chat/completions", big)
	if resp.StatusCode != 413 {
		t.Errorf("status = %d; want 413", resp.StatusCode)
	}
	decodeEnvelope(t, resp)
}

func TestAuth(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	for _, token := range []string{"", "wrong", userSecret + "x"} {
		c := newClient(e.srv.URL, token)
		_, err := c.Models.List(context.Background())
		var apiErr *openai.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != "invalid_api_key" {
			t.Errorf("token %q: %v", token, err)
		}
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/v1/models", nil)
	resp, _ := http.DefaultClient.Do(req)
	if resp.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	resp.Body.Close()
	// The admin key is a /v1 credential too.
	admin := newClient(e.srv.URL, adminSecret)
	if _, err := admin.Models.List(context.Background()); err != nil {
		t.Errorf("admin key: %v", err)
	}
}

func TestNoCredentialsConfiguredIsClosed(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil, func(d *handlers.Deps) {
		d.Credentials = handlers.NewCredentials("", nil, nil)
	})
	c := newClient(e.srv.URL, "anything")
	_, err := c.Models.List(context.Background())
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || !strings.Contains(apiErr.Message, "PASSWORD") {
		t.Errorf("err = %v", err)
	}
}

func TestKeyRotationPastInvalidAndRateLimitedKeys(t *testing.T) {
	bad, limited, good := testKey(1), testKey(2), testKey(3)
	e := newEnv(t, []string{bad, limited, good}, map[string]geminitest.Key{
		bad:     {Invalid: true},
		limited: {RPM: 1},
	})
	ctx := context.Background()
	params := openai.ChatCompletionNewParams{Model: "gemini-2.5-flash", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}}
	for i := range 6 {
		if _, err := e.client.Chat.Completions.New(ctx, params); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if n := e.generateCalls(bad); n != 1 {
		t.Errorf("invalid key called %d times; want once, then out of rotation", n)
	}
	if n := e.generateCalls(limited); n != 2 {
		t.Errorf("rate-limited key called %d times; want 2 (one success, one 429, then cooling)", n)
	}
	if n := e.generateCalls(good); n != 5 {
		t.Errorf("good key called %d times; want 5", n)
	}
	status := map[string]domain.KeyStatus{}
	for _, s := range e.pool.Status() {
		status[s.Masked] = s
	}
	if s := status[domain.MaskSecret(bad)]; !s.Invalid || s.InvalidWhy != "API_KEY_INVALID" {
		t.Errorf("bad key status = %+v", s)
	}
	if s := status[domain.MaskSecret(limited)]; s.Invalid || s.Cooling["gemini-2.5-flash"].IsZero() {
		t.Errorf("limited key status = %+v", s)
	}
}

func TestAllKeysCoolingAnswers429WithRetryAfter(t *testing.T) {
	k1, k2 := testKey(1), testKey(2)
	e := newEnv(t, []string{k1, k2}, map[string]geminitest.Key{k1: {RPM: 1}, k2: {RPM: 1}})
	body := `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]}`
	for range 2 {
		if resp := e.post(t, "/v1/chat/completions", body); resp.StatusCode != 200 {
			t.Fatalf("warm-up status %d", resp.StatusCode)
		}
	}
	resp := e.post(t, "/v1/chat/completions", body)
	if resp.StatusCode != 429 {
		t.Fatalf("status = %d; want 429", resp.StatusCode)
	}
	ra := resp.Header.Get("Retry-After")
	if ra == "" || ra == "0" || resp.Header.Get("Retry-After-Ms") == "" {
		t.Errorf("Retry-After = %q", ra)
	}
	if env := decodeEnvelope(t, resp); deref(env.Error.Code) != "rate_limit_exceeded" {
		t.Errorf("envelope = %+v", env.Error)
	}
	// Now both keys are cooling: the next request is refused without a call.
	calls := e.generateCalls(k1) + e.generateCalls(k2)
	resp = e.post(t, "/v1/chat/completions", body)
	if after := e.generateCalls(k1) + e.generateCalls(k2); resp.StatusCode != 429 || after != calls {
		t.Errorf("status %d, upstream calls %d → %d", resp.StatusCode, calls, after)
	}
}

func TestUpstreamRequestErrorIsNotRetried(t *testing.T) {
	k1, k2 := testKey(1), testKey(2)
	e := newEnv(t, []string{k1, k2}, nil)
	e.fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Status: 400, ErrorMessage: "Penalty is not enabled for this model"}
	})
	resp := e.post(t, "/v1/chat/completions", `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != 400 {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	env := decodeEnvelope(t, resp)
	if !strings.Contains(env.Error.Message, "Penalty is not enabled") {
		t.Errorf("message = %q", env.Error.Message)
	}
	if got := e.generateCalls(k1) + e.generateCalls(k2); got != 1 {
		t.Errorf("upstream calls = %d; a request error must not rotate keys", got)
	}
}

func TestSuspendedKeyTextNeverReachesClient(t *testing.T) {
	k := testKey(1)
	e := newEnv(t, []string{k}, map[string]geminitest.Key{k: {Suspended: true}})
	resp := e.post(t, "/v1/chat/completions", `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]}`)
	body := readAll(t, resp.Body)
	if resp.StatusCode != 503 || strings.Contains(body, k) || strings.Contains(body, k[:12]) {
		t.Errorf("status %d body %s", resp.StatusCode, body)
	}
}

func TestPerIPLimit(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil, func(d *handlers.Deps) {
		d.IPLimiter = domain.NewClientLimiter(2, 0)
	})
	body := `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]}`
	for range 2 {
		if resp := e.post(t, "/v1/chat/completions", body); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	resp := e.post(t, "/v1/chat/completions", body)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "30" {
		t.Errorf("status %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	decodeEnvelope(t, resp)
}

func TestRemoteImageInlinedOrRefused(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	img := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	}))
	defer img.Close()
	body := `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":[{"type":"text","text":"what?"},{"type":"image_url","image_url":{"url":"` + img.URL + `/cat.png"}}]}]}`

	// The production fetcher refuses loopback addresses: no SSRF.
	e := newEnv(t, []string{testKey(1)}, nil, func(d *handlers.Deps) { d.Fetcher = productionFetcher() })
	resp := e.post(t, "/v1/chat/completions", body)
	if env := decodeEnvelope(t, resp); resp.StatusCode != 400 || !strings.Contains(env.Error.Message, "not allowed") {
		t.Errorf("loopback image: status %d %+v", resp.StatusCode, env.Error)
	}
	// Turned off: a clear 400.
	e = newEnv(t, []string{testKey(1)}, nil)
	resp = e.post(t, "/v1/chat/completions", body)
	if env := decodeEnvelope(t, resp); resp.StatusCode != 400 || !strings.Contains(env.Error.Message, "remote") {
		t.Errorf("disabled: status %d %+v", resp.StatusCode, env.Error)
	}
	// Allowed (the test fetcher trusts loopback): inlined.
	e = newEnv(t, []string{testKey(1)}, nil, func(d *handlers.Deps) { d.Fetcher = loopbackFetcher() })
	resp = e.post(t, "/v1/chat/completions", body)
	if resp.StatusCode != 200 {
		t.Fatalf("allowed: status %d %s", resp.StatusCode, readAll(t, resp.Body))
	}
	reqs := e.fake.Requests()
	if raw := string(reqs[len(reqs)-1].Raw); !strings.Contains(raw, `"inlineData":{"mimeType":"image/png"`) {
		t.Errorf("sent %s", raw)
	}
}
