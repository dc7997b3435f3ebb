package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/genai"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
	"github.com/hagemi/hagemi/handlers"
)

type geminiEnvelope struct {
	Error struct {
		Code    int              `json:"code"`
		Message string           `json:"message"`
		Status  string           `json:"status"`
		Details []map[string]any `json:"details"`
	} `json:"error"`
}

func decodeGeminiError(t *testing.T, resp *http.Response) geminiEnvelope {
	t.Helper()
	var env geminiEnvelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("error body is not Gemini's envelope: %v", err)
	}
	if env.Error.Code != resp.StatusCode || env.Error.Status == "" || env.Error.Message == "" {
		t.Errorf("envelope = %+v for HTTP %d", env.Error, resp.StatusCode)
	}
	return env
}

func TestNativeErrorsUseGeminiEnvelope(t *testing.T) {
	const gen = "/v1beta/models/gemini-2.5-flash:generateContent"
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		rpc                      string
		msg                      string
	}{
		{"no credential", "POST", gen, nativeBody, []string{"x-goog-api-key", ""}, 401, "UNAUTHENTICATED", "Invalid API key"},
		{"wrong credential", "POST", gen, nativeBody, []string{"x-goog-api-key", "AIzaSyNotOurs"}, 401, "UNAUTHENTICATED", "Invalid API key"},
		{"unknown model", "POST", "/v1beta/models/gemini-9-ultra:generateContent", nativeBody, nil, 404, "NOT_FOUND", "gemini-9-ultra"},
		{"chat model cannot embed", "POST", "/v1beta/models/gemini-2.5-flash:embedContent", `{"content":{"parts":[{"text":"x"}]}}`, nil, 404, "NOT_FOUND", "embedContent"},
		{"method not served", "POST", "/v1beta/models/gemini-2.5-flash:predict", `{}`, nil, 404, "NOT_FOUND", "predict"},
		{"no method", "POST", "/v1beta/models/gemini-2.5-flash", `{}`, nil, 404, "NOT_FOUND", "names no method"},
		{"bad model name", "POST", "/v1beta/models/..%2Ffiles:generateContent", nativeBody, nil, 400, "INVALID_ARGUMENT", "model"},
		{"not json", "POST", gen, `{"contents":`, nil, 400, "INVALID_ARGUMENT", "Invalid JSON"},
		{"too large", "POST", gen, `{"contents":[{"parts":[{"text":"` + strings.Repeat("x", 1<<20) + `"}]}]}`, nil, 413, "INVALID_ARGUMENT", "limit"},
		{"google rejects the body", "POST", gen, `{"contents":[]}`, nil, 400, "INVALID_ARGUMENT", "contents is not specified"},
		{"unknown model get", "GET", "/v1beta/models/gemini-9-ultra", "", nil, 404, "NOT_FOUND", "gemini-9-ultra"},
		{"bad page size", "GET", "/v1beta/models?pageSize=x", "", nil, 400, "INVALID_ARGUMENT", "page_size"},
	}
	e := newEnv(t, []string{testKey(1)}, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.native(t, tt.method, tt.path, tt.body, tt.header...)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d; want %d (%s)", resp.StatusCode, tt.status, readAll(t, resp.Body))
			}
			env := decodeGeminiError(t, resp)
			if env.Error.Status != tt.rpc || !strings.Contains(env.Error.Message, tt.msg) {
				t.Errorf("error = %+v; want %s mentioning %q", env.Error, tt.rpc, tt.msg)
			}
		})
	}
	if n := modelCalls(e, testKey(1)); n != 1 { // only the body Google itself had to judge
		t.Errorf("%d calls reached Gemini; want 1", n)
	}
}

func TestNativeKeyFailuresNeverLookLikeTheClientsKey(t *testing.T) {
	e := newEnv(t, []string{testKey(1), testKey(2)}, map[string]geminitest.Key{
		testKey(1): {Invalid: true}, testKey(2): {Suspended: true}})
	resp := e.native(t, "POST", "/v1beta/models/gemini-2.5-flash:generateContent", nativeBody)
	if resp.StatusCode != 503 {
		t.Fatalf("status = %d; want 503", resp.StatusCode)
	}
	env := decodeGeminiError(t, resp)
	if env.Error.Status != "UNAVAILABLE" || strings.Contains(env.Error.Message, "API key not valid") || strings.Contains(env.Error.Message, "AIza") {
		t.Errorf("error = %+v", env.Error)
	}
}

func TestNativeRateLimitsAnswer429(t *testing.T) {
	t.Run("every key limited upstream", func(t *testing.T) {
		e := newEnv(t, []string{testKey(1)}, map[string]geminitest.Key{testKey(1): {RPM: 1}})
		e.native(t, "POST", "/v1beta/models/gemini-2.5-flash:generateContent", nativeBody)
		resp := e.native(t, "POST", "/v1beta/models/gemini-2.5-flash:generateContent", nativeBody)
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if env := decodeGeminiError(t, resp); env.Error.Status != "RESOURCE_EXHAUSTED" || len(env.Error.Details) == 0 {
			t.Errorf("error = %+v; want RESOURCE_EXHAUSTED with details", env.Error)
		}
	})
	t.Run("per-IP limit", func(t *testing.T) {
		e := newEnv(t, []string{testKey(1)}, nil, func(d *handlers.Deps) { d.IPLimiter = domain.NewClientLimiter(1, 0) })
		e.native(t, "POST", "/v1beta/models/gemini-2.5-flash:countTokens", nativeBody)
		resp := e.native(t, "POST", "/v1beta/models/gemini-2.5-flash:countTokens", nativeBody)
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if env := decodeGeminiError(t, resp); env.Error.Status != "RESOURCE_EXHAUSTED" {
			t.Errorf("error = %+v", env.Error)
		}
	})
}

func TestNativeErrorsReachTheSDK(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	c := genaiClient(t, e.srv.URL, "not-our-key", "v1beta")
	_, err := c.Models.GenerateContent(context.Background(), "gemini-2.5-flash", genai.Text("hi"), nil)
	var apiErr genai.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 401 || apiErr.Status != "UNAUTHENTICATED" {
		t.Errorf("err = %#v; want a 401 genai.APIError", err)
	}
}
