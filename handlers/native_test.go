package handlers_test

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/genai"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

// genaiClient is Google's own Go SDK pointed at Hagemi, as a user would
// configure it, with one of our credentials as its "API key".
func genaiClient(t *testing.T, base, secret, version string) *genai.Client {
	t.Helper()
	c, err := genai.NewClient(context.Background(), &genai.ClientConfig{APIKey: secret, Backend: genai.BackendGeminiAPI,
		HTTPOptions: genai.HTTPOptions{BaseURL: base, APIVersion: version}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNativeGenAISDK drives generate, stream, count tokens, embed and the
// model list through the genai SDK with a proxy key, over a pool whose
// first key is invalid and second key is always rate limited, so that keys
// rotate underneath the calls.
func TestNativeGenAISDK(t *testing.T) {
	for _, version := range []string{"v1beta", "v1"} {
		t.Run(version, func(t *testing.T) {
			bad, limited, good := testKey(1), testKey(2), testKey(3)
			opt, store := withStore(t)
			e := newEnv(t, []string{bad, limited, good}, map[string]geminitest.Key{bad: {Invalid: true}, limited: {Fail: 429}}, opt)
			ctx := context.Background()
			key, secret, err := store.CreateProxyKey(ctx, domain.ProxyKeySpec{Description: "sdk", Enabled: true})
			if err != nil {
				t.Fatal(err)
			}
			c := genaiClient(t, e.srv.URL, secret, version)
			const model = "gemini-2.5-flash"

			resp, err := c.Models.GenerateContent(ctx, model, genai.Text("hello there"), nil)
			if err != nil {
				t.Fatalf("GenerateContent: %v", err)
			}
			if got := resp.Text(); got != "echo: hello there" {
				t.Errorf("Text() = %q", got)
			}
			var streamed strings.Builder
			events := 0
			for r, err := range c.Models.GenerateContentStream(ctx, model, genai.Text("a streamed answer please"), nil) {
				if err != nil {
					t.Fatalf("stream: %v", err)
				}
				streamed.WriteString(r.Text())
				events++
			}
			if streamed.String() != "echo: a streamed answer please" || events < 2 {
				t.Errorf("stream = %q in %d events", streamed.String(), events)
			}
			n, err := c.Models.CountTokens(ctx, model, genai.Text("count these words"), nil)
			if err != nil || n.TotalTokens == 0 {
				t.Fatalf("CountTokens = %+v, %v", n, err)
			}
			dims := int32(768)
			emb, err := c.Models.EmbedContent(ctx, "gemini-embedding-001", append(genai.Text("one"), genai.Text("two")...),
				&genai.EmbedContentConfig{OutputDimensionality: &dims})
			if err != nil {
				t.Fatalf("EmbedContent: %v", err)
			}
			if len(emb.Embeddings) != 2 || len(emb.Embeddings[0].Values) != 768 {
				t.Errorf("embeddings: %d", len(emb.Embeddings))
			}
			checkSDKModels(t, c)

			// Rotation: the invalid key was tried once and taken out; the
			// rate-limited key answered 429 and the calls moved on.
			if n := modelCalls(e, bad); n != 1 {
				t.Errorf("invalid key called %d times; want 1", n)
			}
			if n := modelCalls(e, limited); n == 0 {
				t.Error("the rate-limited key was never tried")
			}
			st := e.pool.Status()
			if !st[0].Invalid || st[1].Invalid || len(st[1].Cooling) == 0 || st[2].Invalid {
				t.Errorf("pool status = %+v; want the first key invalid, the second cooling", st)
			}
			checkUpstreamRequests(t, e, secret)

			// Usage came from the answers' usageMetadata.
			u := e.deps.Usage.Today(key.ID)
			if u.Requests != 4 || u.TokensIn == 0 || u.TokensOut == 0 {
				t.Errorf("usage today = %+v; want 4 requests with tokens both ways", u)
			}
		})
	}
}

// modelCalls counts the calls the fake got with key, model listings aside.
func modelCalls(e *env, key string) int {
	n := 0
	for _, r := range e.fake.Requests() {
		if r.Key == key && r.Model != "" && r.Action != "getModel" {
			n++
		}
	}
	return n
}

func checkSDKModels(t *testing.T, c *genai.Client) {
	t.Helper()
	ctx := context.Background()
	var names []string
	for m, err := range c.Models.All(ctx) {
		if err != nil {
			t.Fatalf("Models.All: %v", err)
		}
		names = append(names, m.Name)
	}
	joined := strings.Join(names, " ")
	if !strings.Contains(joined, "models/gemini-2.5-flash ") || !strings.Contains(joined, "models/gemini-embedding-001") || strings.Contains(joined, "imagen") {
		t.Errorf("models = %v", names)
	}
	m, err := c.Models.Get(ctx, "gemini-2.5-pro", nil)
	if err != nil || m.Name != "models/gemini-2.5-pro" || m.InputTokenLimit == 0 {
		t.Errorf("Models.Get = %+v, %v", m, err)
	}
}

// checkUpstreamRequests checks what reached Google: pooled keys only, in
// the header, and our safety policy on generation calls that had none.
func checkUpstreamRequests(t *testing.T, e *env, secret string) {
	t.Helper()
	for _, r := range e.fake.Requests() {
		if r.KeyInQuery || r.Bearer || r.Key == secret || !strings.HasPrefix(r.Key, "AIza") {
			t.Errorf("%s %s: key %q in query %v, bearer %v", r.Method, r.URL, r.Key, r.KeyInQuery, r.Bearer)
		}
		if !strings.HasPrefix(r.Path, "/v1beta/") {
			t.Errorf("upstream path %s; want v1beta", r.Path)
		}
		if r.Action == "generateContent" || r.Action == "streamGenerateContent" {
			if s, _ := r.Body["safetySettings"].([]any); len(s) != 5 {
				t.Errorf("%s: safetySettings = %v; want the five categories", r.Action, r.Body["safetySettings"])
			}
		}
		if r.Action == "streamGenerateContent" && !r.SSE {
			t.Errorf("the SDK's alt=sse was lost: %s", r.URL)
		}
	}
}
