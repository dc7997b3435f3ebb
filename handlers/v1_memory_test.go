package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/memory"
	"github.com/hagemi/hagemi/handlers"
	"github.com/hagemi/hagemi/sqlstore"
)

// withStore backs the env with a real SQLite file in t.TempDir().
func withStore(t testing.TB) (envOption, *sqlstore.Store) {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "hagemi.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	usage, err := handlers.NewKeyUsage(context.Background(), store, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	return func(d *handlers.Deps) {
		d.Credentials = handlers.NewCredentials(adminSecret, []string{userSecret}, handlers.StoreKeys{Store: store, Now: time.Now})
		d.Keys, d.Conversations, d.Settings, d.Usage = store, store, store, usage
		d.Memory = handlers.MemoryConfig{SaveStreamed: true, DefaultMaxTokens: 30000, SafetyMargin: 200}
	}, store
}

func TestProxyKeyLifecycleOnV1(t *testing.T) {
	opt, store := withStore(t)
	e := newEnv(t, []string{testKey(1)}, nil, opt)
	ctx := context.Background()
	key, secret, err := store.CreateProxyKey(ctx, domain.ProxyKeySpec{Description: "ci", Enabled: true, MemoryEnabled: true, RPMLimit: 2})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(e.srv.URL, secret)
	params := openai.ChatCompletionNewParams{Model: "gemini-2.5-flash", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}}
	if _, err := c.Chat.Completions.New(ctx, params); err != nil {
		t.Fatalf("fresh proxy key: %v", err)
	}
	if got := e.deps.Usage.Today(key.ID); got.Requests != 1 || got.TokensIn == 0 {
		t.Errorf("usage today = %+v", got)
	}

	// Per-key RPM 2: the third request in the minute is refused.
	c.Chat.Completions.New(ctx, params)
	_, err = c.Chat.Completions.New(ctx, params)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Response.Header.Get("Retry-After") == "" {
		t.Fatalf("over the key's RPM: %v", err)
	}

	// Disabled, then expired: refused with a message saying which.
	store.SetProxyKeyEnabled(ctx, key.ID, false)
	_, err = c.Models.List(ctx)
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || !strings.Contains(apiErr.Message, "disabled") {
		t.Errorf("disabled key: %v", err)
	}
	spec := domain.ProxyKeySpec{Enabled: true, MemoryEnabled: true, ExpiresAt: time.Now().Add(-time.Minute)}
	store.UpdateProxyKey(ctx, key.ID, spec)
	_, err = c.Models.List(ctx)
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || !strings.Contains(apiErr.Message, "expired") {
		t.Errorf("expired key: %v", err)
	}
	// An unknown key reveals nothing.
	unknown := newClient(e.srv.URL, "hk-"+strings.Repeat("x", 40))
	_, err = unknown.Models.List(ctx)
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || strings.Contains(apiErr.Message, "disabled") || strings.Contains(apiErr.Message, "expired") {
		t.Errorf("unknown key: %v", err)
	}
}

func storedExchanges(t *testing.T, store *sqlstore.Store, owner, name string) int {
	t.Helper()
	contents, err := store.LoadConversation(context.Background(), owner, name, 0)
	if err != nil {
		t.Fatalf("load %s/%s: %v", owner, name, err)
	}
	return memory.Exchanges(contents)
}

func TestMemoryFullHistoryClientIsNotDuplicated(t *testing.T) {
	opt, store := withStore(t)
	e := newEnv(t, []string{testKey(1)}, nil, opt)
	ctx := context.Background()
	var msgs []openai.ChatCompletionMessageParamUnion
	for i := range 5 {
		msgs = append(msgs, openai.UserMessage("question "+string(rune('A'+i))))
		resp, err := e.client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "gemini-2.5-flash", Messages: msgs})
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, resp.Choices[0].Message.ToParam())
	}
	owner := handlers.NewCredentials("", []string{userSecret}, nil)
	p, _ := owner.Authenticate(ctx, userSecret)
	if n := storedExchanges(t, store, p.Owner, "default"); n != 5 {
		t.Errorf("stored exchanges = %d; want 5", n)
	}
	reqs := e.fake.Requests()
	var last struct{ Contents []json.RawMessage }
	json.Unmarshal(reqs[len(reqs)-1].Raw, &last)
	if len(last.Contents) != 9 {
		t.Errorf("last upstream request has %d contents; want 9 (no duplicated history)", len(last.Contents))
	}
}

func TestMemoryNewTurnClientGetsHistory(t *testing.T) {
	opt, _ := withStore(t)
	e := newEnv(t, []string{testKey(1)}, nil, opt)
	ctx := context.Background()
	conv := option.WithHeader("X-Conversation-ID", "trip")
	for _, q := range []string{"my name is Ada", "what is my name?"} {
		_, err := e.client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
			Model: "gemini-2.5-flash", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(q)},
		}, conv)
		if err != nil {
			t.Fatal(err)
		}
	}
	reqs := e.fake.Requests()
	raw := string(reqs[len(reqs)-1].Raw)
	if !strings.Contains(raw, "my name is Ada") || !strings.Contains(raw, `"role":"model"`) {
		t.Errorf("history not prepended: %s", raw)
	}
	// Another conversation of the same credential starts empty, and
	// X-Context: off skips memory.
	for _, o := range []option.RequestOption{option.WithHeader("X-Conversation-ID", "other"), option.WithHeader("X-Context", "off")} {
		e.client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
			Model: "gemini-2.5-flash", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("fresh")},
		}, o)
		reqs = e.fake.Requests()
		if raw := string(reqs[len(reqs)-1].Raw); strings.Contains(raw, "Ada") {
			t.Errorf("history leaked: %s", raw)
		}
	}
}

func TestMemoryStreamedReplyAndSignatureStored(t *testing.T) {
	opt, store := withStore(t)
	e := newEnv(t, []string{testKey(1)}, nil, opt)
	e.fake.Handle("gemini-3-flash-preview", toolResponder)
	params := openai.ChatCompletionNewParams{
		Model:    "gemini-3-flash-preview",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Weather in Paris?")},
		Tools:    []openai.ChatCompletionToolUnionParam{weatherTool()},
	}
	msg, _ := complete(t, e, params, true)
	p, _ := handlers.NewCredentials("", []string{userSecret}, nil).Authenticate(context.Background(), userSecret)
	contents, err := store.LoadConversation(context.Background(), p.Owner, "default", 0)
	if err != nil {
		t.Fatal(err)
	}
	last := contents[len(contents)-1]
	if last.Role != "model" || len(last.Parts) == 0 || last.Parts[0].FunctionCall == nil || last.Parts[0].ThoughtSignature == "" {
		t.Fatalf("stored reply = %+v", last)
	}
	// The stored signature goes back to Gemini with the call, even with the
	// in-memory signature cache gone.
	e.deps.Signatures = nil
	params.Messages = append(params.Messages, msg.ToParam(), openai.ToolMessage("sunny", msg.ToolCalls[0].ID))
	if _, finish := complete(t, e, params, true); finish != "stop" {
		t.Errorf("finish = %q", finish)
	}
	reqs := e.fake.Requests()
	if raw := string(reqs[len(reqs)-1].Raw); !strings.Contains(raw, last.Parts[0].ThoughtSignature) {
		t.Errorf("stored signature not replayed: %s", raw)
	}
}

func TestMemoryContextTooLong(t *testing.T) {
	opt, _ := withStore(t)
	e := newEnv(t, []string{testKey(1)}, nil, opt, func(d *handlers.Deps) { d.Memory.DefaultMaxTokens = 300 })
	e.fake.SetModels([]map[string]any{{"name": "models/gemini-2.5-flash", "inputTokenLimit": 1000,
		"outputTokenLimit": 100, "supportedGenerationMethods": []string{"generateContent"}}})
	e.deps.Catalog.(interface{ Refresh(context.Context) error }).Refresh(context.Background())
	resp := e.post(t, "/v1/chat/completions", `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"`+strings.Repeat("word ", 2000)+`"}]}`)
	env := decodeEnvelope(t, resp)
	if resp.StatusCode != 400 || deref(env.Error.Code) != "context_length_exceeded" {
		t.Errorf("status %d %+v", resp.StatusCode, env.Error)
	}
}

func TestMemorySwitchOfPasswordUser(t *testing.T) {
	opt, store := withStore(t)
	e := newEnv(t, []string{testKey(1)}, nil, opt)
	p, _ := handlers.NewCredentials("", []string{userSecret}, nil).Authenticate(context.Background(), userSecret)
	if err := store.SetSetting(context.Background(), "memory_enabled:"+p.Owner, "off"); err != nil {
		t.Fatal(err)
	}
	if resp := e.post(t, "/v1/chat/completions", `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]}`); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if _, err := store.LoadConversation(context.Background(), p.Owner, "default", 0); err == nil {
		t.Error("a conversation was stored with the user's memory switched off")
	}
}

// TestMemoryNewChatWithoutIDDoesNotInheritTheLastOne is the client that
// resends whole conversations opening a new chat: its first request has no
// model turn and must not get the previous chat prepended.
func TestMemoryNewChatWithoutIDDoesNotInheritTheLastOne(t *testing.T) {
	for _, appendUnnamed := range []bool{false, true} {
		opt, _ := withStore(t)
		e := newEnv(t, []string{testKey(1)}, nil, opt, func(d *handlers.Deps) { d.Memory.AppendUnnamed = appendUnnamed })
		for _, q := range []string{"secret plan A", "new task"} {
			if resp := e.post(t, "/v1/chat/completions", `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"`+q+`"}]}`); resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
		reqs := e.fake.Requests()
		leaked := strings.Contains(string(reqs[len(reqs)-1].Raw), "secret plan A")
		if leaked != appendUnnamed {
			t.Errorf("AppendUnnamed=%v: previous chat prepended = %v", appendUnnamed, leaked)
		}
	}
}
