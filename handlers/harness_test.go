package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
	"github.com/hagemi/hagemi/domain/media"
	"github.com/hagemi/hagemi/handlers"
)

const (
	userSecret  = "user-secret-0123456789"
	adminSecret = "admin-secret-0123456789"
)

// testKey makes a key shaped like Google's (AIza + 35 characters).
func testKey(i int) string { return fmt.Sprintf("AIzaSyTEST%029d", i) }

// env is a real Hagemi handler on an httptest server, calling a fake Gemini.
type env struct {
	fake   *geminitest.Server
	srv    *httptest.Server
	pool   *domain.Pool
	deps   handlers.Deps
	client openai.Client
	// upstream is the HTTP client Hagemi calls Gemini with.
	upstream *http.Client
}

type envOption func(*handlers.Deps)

// newEnv starts Hagemi over a fake with the given keys, in order.
func newEnv(t *testing.T, keys []string, fakeKeys map[string]geminitest.Key, opts ...envOption) *env {
	t.Helper()
	return startEnv(t, geminitest.New(t), keys, fakeKeys, opts...)
}

// newBenchEnv is newEnv over a fake that records nothing and answers
// benchFake's reply.
func newBenchEnv(b *testing.B) *env {
	return startEnv(b, benchFake(b), []string{testKey(1), testKey(2)}, nil)
}

func startEnv(t testing.TB, fake *geminitest.Server, keys []string, fakeKeys map[string]geminitest.Key, opts ...envOption) *env {
	t.Helper()
	var specs []domain.KeySpec
	for _, k := range keys {
		fake.AddKey(k, fakeKeys[k])
		specs = append(specs, domain.KeySpec{Secret: k})
	}
	pool := domain.NewPool(specs, time.Now)
	upstream := gemini.NewHTTPClient(30 * time.Second)
	client := &gemini.Client{HTTP: upstream, BaseURL: fake.URL}
	catalog := gemini.NewCatalog(client, func() []string { return keys })
	if err := catalog.Refresh(context.Background()); err != nil {
		t.Logf("model list not loaded (model names go unchecked): %v", err)
	}
	d := handlers.Deps{
		Log:             slog.New(slog.NewTextHandler(io.Discard, nil)),
		Upstream:        client,
		Catalog:         catalog,
		Pool:            pool,
		Credentials:     handlers.NewCredentials(adminSecret, []string{userSecret}, nil),
		KeyLimiter:      domain.NewClientLimiter(0, 0),
		Signatures:      domain.NewSignatureCache(time.Hour, 1000, time.Now),
		MaxBodyBytes:    1 << 20,
		RequestTimeout:  30 * time.Second,
		Heartbeat:       15 * time.Second,
		SafetyThreshold: "BLOCK_NONE",
	}
	for _, o := range opts {
		o(&d)
	}
	srv := httptest.NewServer(handlers.New(d))
	t.Cleanup(srv.Close)
	return &env{fake: fake, srv: srv, pool: pool, deps: d, client: newClient(srv.URL, userSecret), upstream: upstream}
}

func newClient(base, key string) openai.Client {
	return openai.NewClient(option.WithBaseURL(base+"/v1"), option.WithAPIKey(key), option.WithMaxRetries(0))
}

// post sends a raw JSON body to path with the user credential.
func (e *env) post(t testing.TB, path, body string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+userSecret)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readAll(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func productionFetcher() handlers.MediaFetcher {
	return media.NewFetcher(media.FetcherOptions{})
}

func loopbackFetcher() handlers.MediaFetcher {
	return media.NewFetcher(media.FetcherOptions{AllowHosts: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
}

// generateCalls counts the chat calls (not model listings) the fake got
// with key.
func (e *env) generateCalls(key string) int {
	n := 0
	for _, r := range e.fake.Requests() {
		if r.Key == key && (r.Action == "generateContent" || r.Action == "streamGenerateContent") {
			n++
		}
	}
	return n
}
