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

const (
	testKey  = "AIzaSyA-test0000000000000000000000good"
	testKey2 = "AIzaSyB-test0000000000000000000000two0"
)

func newFake(t *testing.T, opts ...geminitest.Option) (*geminitest.Server, *Client) {
	t.Helper()
	fake := geminitest.New(t, append([]geminitest.Option{geminitest.WithKey(testKey, geminitest.Key{})}, opts...)...)
	return fake, &Client{HTTP: fake.Client(), BaseURL: fake.URL + "/"}
}

func userText(s string) *GenerateContentRequest {
	return &GenerateContentRequest{Contents: []Content{{Role: "user", Parts: []Part{{Text: s}}}}}
}

func TestGenerate(t *testing.T) {
	fake, c := newFake(t)
	resp, err := c.Generate(context.Background(), testKey, "gemini-2.5-flash", userText("hi <b>&"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := resp.Candidates[0].Content.Parts[0].Text, "echo: hi <b>&"; got != want {
		t.Errorf("text = %q; want %q", got, want)
	}
	if got := resp.Candidates[0].FinishReason; got != "STOP" {
		t.Errorf("finishReason = %q; want STOP", got)
	}
	if resp.UsageMetadata == nil || resp.UsageMetadata.TotalTokenCount == 0 {
		t.Errorf("usage = %+v; want counts", resp.UsageMetadata)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d; want 1", len(reqs))
	}
	r := reqs[0]
	if r.Path != "/v1beta/models/gemini-2.5-flash:generateContent" || r.Method != "POST" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	if r.Key != testKey || r.KeyInQuery || strings.Contains(r.URL, testKey) {
		t.Errorf("key: header %q, in query %v, URL %q", r.Key, r.KeyInQuery, r.URL)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

// TestKeyNeverInURL runs every kind of call and checks no key ever went
// into a URL.
func TestKeyNeverInURL(t *testing.T) {
	fake, c := newFake(t)
	ctx := context.Background()
	_, _ = c.Generate(ctx, testKey, "gemini-2.5-flash", userText("a"))
	if st, err := c.Stream(ctx, testKey, "gemini-2.5-flash", userText("a")); err == nil {
		for {
			if _, err := st.Next(); err != nil {
				break
			}
		}
		st.Close()
	}
	_, _ = c.ListModels(ctx, testKey)
	_ = c.CheckKey(ctx, "AIzaSyUnknown000000000000000000000000000")
	for _, r := range fake.Requests() {
		if r.KeyInQuery || strings.Contains(r.URL, "AIza") || r.Key == "" {
			t.Errorf("%s %s: key in query %v, header key %q", r.Method, r.URL, r.KeyInQuery, r.Key)
		}
	}
}

func TestModelIsPathEscaped(t *testing.T) {
	fake, c := newFake(t)
	_, err := c.Generate(context.Background(), testKey, "a b/c", userText("x"))
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Kind != KindNotFound {
		t.Fatalf("err = %v; want KindNotFound", err)
	}
	if r := fake.Requests()[0]; !strings.Contains(r.URL, "a%20b%2Fc:generateContent") {
		t.Errorf("URL = %q; want the model path-escaped", r.URL)
	}
}

func TestListModelsPages(t *testing.T) {
	fake, c := newFake(t)
	var models []map[string]any
	for i := range 2500 {
		models = append(models, map[string]any{"name": "models/m" + strings.Repeat("x", i%7) + string(rune('a'+i%26)),
			"supportedGenerationMethods": []string{"generateContent"}})
	}
	fake.SetModels(models)
	got, err := c.ListModels(context.Background(), testKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2500 {
		t.Errorf("models = %d; want 2500", len(got))
	}
	reqs := fake.Requests()
	if len(reqs) != 3 || !strings.Contains(reqs[0].URL, "pageSize=1000") || !strings.Contains(reqs[2].URL, "pageToken=") {
		t.Errorf("requests: %d, first %q", len(reqs), reqs[0].URL)
	}
}

func TestCheckKey(t *testing.T) {
	fake, c := newFake(t, geminitest.WithKey("AIzaSyLeaked0000000000000000000000000000", geminitest.Key{Leaked: true}))
	if err := c.CheckKey(context.Background(), testKey); err != nil {
		t.Errorf("CheckKey(good) = %v", err)
	}
	err := c.CheckKey(context.Background(), "AIzaSyLeaked0000000000000000000000000000")
	if !errors.Is(err, ErrKeyInvalid) {
		t.Errorf("CheckKey(leaked) = %v; want ErrKeyInvalid", err)
	}
	if r := fake.Requests()[0]; !strings.HasSuffix(r.URL, "/v1beta/models?pageSize=1") {
		t.Errorf("probe URL = %q", r.URL)
	}
}

func TestCancelReachesUpstream(t *testing.T) {
	fake, c := newFake(t)
	fake.Handle("", func(geminitest.Request) geminitest.Reply { return geminitest.Reply{Hang: true} })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.Generate(ctx, testKey, "gemini-2.5-flash", userText("x"))
	var ue *UpstreamError
	if !errors.Is(err, context.Canceled) || errors.As(err, &ue) {
		t.Errorf("err = %v; want the caller's context.Canceled, not an UpstreamError", err)
	}
	if !fake.Wait(5*time.Second, func() bool { return fake.Cancelled() == 1 && fake.InFlight() == 0 }) {
		t.Errorf("fake saw %d cancellations, %d in flight; want 1, 0", fake.Cancelled(), fake.InFlight())
	}
}

func TestCancelMidStream(t *testing.T) {
	fake, c := newFake(t)
	fake.Handle("", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Chunks: []string{"a", "b", "c"}, StallAfter: 1}
	})
	ctx, cancel := context.WithCancel(context.Background())
	st, err := c.Stream(ctx, testKey, "gemini-2.5-flash", userText("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Next(); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(30*time.Millisecond, cancel)
	if _, err := st.Next(); !errors.Is(err, context.Canceled) {
		t.Errorf("Next = %v; want context.Canceled", err)
	}
	if !fake.Wait(5*time.Second, func() bool { return fake.Cancelled() == 1 }) {
		t.Errorf("fake saw %d cancellations; want 1", fake.Cancelled())
	}
}

func TestTimeouts(t *testing.T) {
	fake := geminitest.New(t, geminitest.WithAnyKey())
	fake.Handle("", func(geminitest.Request) geminitest.Reply { return geminitest.Reply{Hang: true} })

	c := &Client{HTTP: NewHTTPClient(50 * time.Millisecond), BaseURL: fake.URL}
	_, err := c.Generate(context.Background(), testKey, "gemini-2.5-flash", userText("x"))
	if ue := asUpstream(t, err); ue.Kind != KindTimeout || !ue.Retryable() {
		t.Errorf("header timeout: %v; want retryable KindTimeout", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c = &Client{HTTP: NewHTTPClient(0), BaseURL: fake.URL}
	_, err = c.Generate(ctx, testKey, "gemini-2.5-flash", userText("x"))
	if ue := asUpstream(t, err); ue.Kind != KindTimeout {
		t.Errorf("ctx deadline: %v; want KindTimeout", err)
	}
}

func TestNetworkErrors(t *testing.T) {
	fake, c := newFake(t)
	fake.Handle("", func(geminitest.Request) geminitest.Reply { return geminitest.Reply{Abort: true} })
	_, err := c.Generate(context.Background(), testKey, "gemini-2.5-flash", userText("x"))
	if ue := asUpstream(t, err); ue.Kind != KindNetwork || ue.HTTPStatus != 200 {
		t.Errorf("body cut: %v; want KindNetwork after 200", err)
	}
	_, err = c.Stream(context.Background(), testKey, "gemini-2.5-flash", userText("x"))
	if ue := asUpstream(t, err); ue.Kind != KindNetwork {
		t.Errorf("connection killed: %v; want KindNetwork", err)
	}
	dead := &Client{BaseURL: "http://127.0.0.1:1"}
	_, err = dead.Generate(context.Background(), testKey, "gemini-2.5-flash", userText("x"))
	if ue := asUpstream(t, err); ue.Kind != KindNetwork || !errors.Is(err, domain.ErrUpstream) {
		t.Errorf("refused: %v; want KindNetwork", err)
	}
}

func asUpstream(t *testing.T, err error) *UpstreamError {
	t.Helper()
	var ue *UpstreamError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v (%T); want *UpstreamError", err, err)
	}
	if strings.Contains(ue.Error(), testKey) {
		t.Errorf("error leaks the key: %v", ue)
	}
	return ue
}
