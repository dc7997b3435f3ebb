package handlers_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/hagemi/hagemi/domain"
)

// createKey issues a proxy key straight in the store.
func createKey(t *testing.T, pe *portalEnv, desc string) (domain.ProxyKey, string) {
	t.Helper()
	k, secret, err := pe.store.CreateProxyKey(t.Context(), domain.ProxyKeySpec{Description: desc, Enabled: true, MemoryEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return k, secret
}

func TestPortalProxyKeyLifecycle(t *testing.T) {
	pe := newPortalEnv(t)
	b := pe.browser(t)
	b.login(adminSecret)

	resp, _ := b.post("/manage/keys", url.Values{"description": {scriptPayload}, "enabled": {"on"}, "memory": {"on"}, "rpm": {"60"}})
	wantRedirect(t, "create", resp, "/manage/keys")
	resp, body := b.get("/manage/keys")
	wantStatus(t, "list", resp, http.StatusOK)
	d := doc(t, body)
	secret := d.Find("#new-secret").AttrOr("value", "")
	if !strings.HasPrefix(secret, "hk-") {
		t.Fatalf("new secret = %q", secret)
	}
	if d.Find("main script").Length() != 0 || d.Find("tbody .desc").Text() != scriptPayload {
		t.Errorf("description not escaped: %q", d.Find("tbody .desc").Text())
	}
	_, body = b.get("/manage/keys")
	if strings.Contains(body, secret) {
		t.Error("the secret is shown a second time")
	}

	// The key works on /v1 and its use shows in the table.
	c := newClient(pe.srv.URL, secret)
	params := openai.ChatCompletionNewParams{Model: "gemini-2.5-flash", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}}
	if _, err := c.Chat.Completions.New(t.Context(), params); err != nil {
		t.Fatalf("new key on /v1: %v", err)
	}
	keys, _ := pe.store.ListProxyKeys(t.Context())
	id := itoa(keys[0].ID)
	_, body = b.get("/manage/keys")
	if got := doc(t, body).Find("#key-" + id + " td.num").Text(); !strings.HasPrefix(got, "1 req") {
		t.Errorf("usage today = %q; want 1 request", got)
	}

	// Disable with htmx: the row comes back alone, and /v1 refuses the key.
	resp, body = b.post("/manage/keys/"+id+"/toggle", nil, "HX-Request", "true")
	wantStatus(t, "toggle", resp, http.StatusOK)
	if d := doc(t, "<table>"+body+"</table>"); d.Find("tr#key-"+id).Length() != 1 || d.Find("header").Length() != 0 {
		t.Errorf("toggle fragment = %q", body)
	}
	_, err := c.Models.List(t.Context())
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled key on /v1: %v", err)
	}

	// Edit: invalid limits re-render with 422 and keep what was typed.
	resp, body = b.post("/manage/keys/"+id+"/edit", url.Values{"description": {"kept"}, "rpm": {"-1"}, "expires": {"soon"}})
	wantStatus(t, "invalid edit", resp, http.StatusUnprocessableEntity)
	d = doc(t, body)
	if d.Find("#err-limits").Length() != 1 || d.Find("#err-expires").Length() != 1 {
		t.Errorf("inline errors missing: %s", d.Find(".field-error").Text())
	}
	if got := d.Find(`input[name="description"]`).AttrOr("value", ""); got != "kept" {
		t.Errorf("typed description lost: %q", got)
	}
	// Set then clear an expiry; unchecked boxes mean false.
	b.post("/manage/keys/"+id+"/edit", url.Values{"description": {"x"}, "expires": {"2099-01-02T03:04"}, "enabled": {"on"}})
	k, _ := pe.store.GetProxyKey(t.Context(), keys[0].ID)
	if k.ExpiresAt.Year() != 2099 || !k.Enabled || k.MemoryEnabled {
		t.Errorf("after edit: expires %v enabled %v memory %v", k.ExpiresAt, k.Enabled, k.MemoryEnabled)
	}
	resp, _ = b.post("/manage/keys/"+id+"/edit", url.Values{"description": {"x"}, "expires": {""}, "enabled": {"on"}})
	wantRedirect(t, "clear expiry", resp, "/manage/keys")
	if k, _ = pe.store.GetProxyKey(t.Context(), keys[0].ID); !k.ExpiresAt.IsZero() {
		t.Errorf("expiry not cleared: %v", k.ExpiresAt)
	}

	// Regenerate: a new secret, shown once; the old one is dead.
	resp, _ = b.post("/manage/keys/"+id+"/regenerate", nil)
	wantRedirect(t, "regenerate", resp, "/manage/keys")
	_, body = b.get("/manage/keys")
	if fresh := doc(t, body).Find("#new-secret").AttrOr("value", ""); fresh == "" || fresh == secret {
		t.Errorf("regenerated secret = %q", fresh)
	}

	resp, _ = b.post("/manage/keys/"+id+"/delete", nil)
	wantRedirect(t, "delete", resp, "/manage/keys")
	resp, _ = b.get("/manage/keys/" + id)
	wantStatus(t, "deleted key", resp, http.StatusNotFound)
}

func TestPortalKeyCreateWithHTMX(t *testing.T) {
	pe := newPortalEnv(t)
	b := pe.browser(t)
	b.login(adminSecret)
	resp, body := b.post("/manage/keys", url.Values{"description": {strings.Repeat("x", 201)}}, "HX-Request", "true")
	wantStatus(t, "too long", resp, http.StatusUnprocessableEntity)
	if d := doc(t, body); d.Find("#keys #err-description").Length() != 1 || d.Find("header").Length() != 0 {
		t.Errorf("422 fragment: %s", body)
	}
	resp, body = b.post("/manage/keys", url.Values{"description": {"ok"}, "enabled": {"on"}}, "HX-Request", "true")
	wantStatus(t, "create", resp, http.StatusOK)
	if d := doc(t, body); !strings.HasPrefix(d.Find("#new-secret").AttrOr("value", ""), "hk-") || d.Find("tbody tr").Length() != 1 {
		t.Errorf("fragment lacks the secret or the row: %s", body)
	}
}

func TestPortalAdminPagesRefuseUsers(t *testing.T) {
	pe := newPortalEnv(t)
	k, _ := createKey(t, pe, "k")
	b := pe.browser(t)
	b.login(userSecret)
	for _, path := range []string{"/manage/keys", "/manage/keys/" + itoa(k.ID), "/manage/gemini", "/manage/usage"} {
		resp, _ := b.get(path)
		wantStatus(t, path, resp, http.StatusForbidden)
	}
	for _, path := range []string{"/manage/keys", "/manage/keys/" + itoa(k.ID) + "/toggle", "/manage/keys/" + itoa(k.ID) + "/delete", "/manage/gemini/add"} {
		resp, _ := b.post(path, url.Values{"description": {"x"}})
		wantStatus(t, "POST "+path, resp, http.StatusForbidden)
	}
	if got, _ := pe.store.GetProxyKey(t.Context(), k.ID); !got.Enabled {
		t.Error("a user disabled a key")
	}
	for _, path := range []string{"/manage/context", "/me", "/"} {
		resp, _ := b.get(path)
		wantStatus(t, path, resp, http.StatusOK)
	}
}
