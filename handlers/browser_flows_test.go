package handlers_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/openai/openai-go/v3"
)

// xssPayload would run, or add elements, if a key description reached the
// page unescaped.
const xssPayload = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">`

func scriptModes() []struct {
	name string
	on   bool
} {
	return []struct {
		name string
		on   bool
	}{{"js", true}, {"nojs", false}}
}

// TestBrowserAdminFlow: the admin signs in, creates a proxy key (shown
// once), the OpenAI client uses it, its usage shows, the admin disables it
// and /v1 refuses it. Once with htmx, once as plain HTML forms.
func TestBrowserAdminFlow(t *testing.T) {
	for _, mode := range scriptModes() {
		t.Run(mode.name, func(t *testing.T) {
			pe := newPortalEnv(t)
			ctx := newChrome(t, mode.on)
			dir, base := artefacts(t), pe.srv.URL
			browserLogin(t, ctx, base, adminSecret)

			navigate(t, ctx, base+"/manage/keys")
			if err := chromedp.Do(ctx, chromedp.SendKeys("#new-description", xssPayload, chromedp.NodeVisible)); err != nil {
				t.Fatal(err)
			}
			create := `#keys form[action="/manage/keys"] button[type=submit]`
			if mode.on {
				// htmx swaps the key list in place; no page load to wait for.
				if err := chromedp.Do(ctx, chromedp.Click(create, chromedp.NodeVisible), chromedp.WaitVisible("#new-secret")); err != nil {
					t.Fatal(err)
				}
			} else if status := submit(t, ctx, create); status != 200 {
				t.Fatalf("create: %d", status)
			}
			secret, err := chromedp.Run(ctx, chromedp.Value("#new-secret", chromedp.NodeVisible))
			if err != nil || !strings.HasPrefix(secret, "hk-") {
				t.Fatalf("new secret %q: %v", secret, err)
			}
			copyButton, _ := chromedp.Run(ctx, chromedp.OuterHTML("button[data-copy]", chromedp.NodeReady))
			if hidden := strings.Contains(copyButton, "hidden"); hidden == mode.on {
				t.Errorf("copy button %s with scripts %v", copyButton, mode.on)
			}
			if got := text(t, ctx, "tbody td.desc"); got != xssPayload {
				t.Errorf("description shows %q; want the payload as text", got)
			}
			cell, _ := chromedp.Run(ctx, chromedp.OuterHTML("tbody td.desc", chromedp.NodeReady))
			if strings.Contains(cell, "<script") || strings.Contains(cell, "<img") {
				t.Errorf("payload became markup: %s", cell)
			}
			shoot(t, ctx, dir, mode.name+"-keys-created")

			params := openai.ChatCompletionNewParams{Model: "gemini-2.5-flash",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello from the browser test")}}
			client := newClient(base, secret)
			if _, err := client.Chat.Completions.New(t.Context(), params); err != nil {
				t.Fatalf("the new key on /v1: %v", err)
			}
			keys, _ := pe.store.ListProxyKeys(t.Context())
			row := "#key-" + itoa(keys[0].ID)
			navigate(t, ctx, base+"/manage/keys")
			if got := text(t, ctx, row+" td.num"); !strings.HasPrefix(got, "1 req") {
				t.Errorf("usage today = %q; want 1 request", got)
			}

			toggle := row + ` form[action$="/toggle"] button`
			if mode.on {
				poll := `document.querySelector("` + row + ` .badge").textContent.trim() === "Disabled"`
				if err := chromedp.Do(ctx, chromedp.Click(toggle, chromedp.NodeVisible), chromedp.Poll[chromedp.Void](poll)); err != nil {
					t.Fatal(err)
				}
			} else {
				submit(t, ctx, toggle)
			}
			if got := text(t, ctx, row+" .badge"); got != "Disabled" {
				t.Errorf("state after disabling = %q", got)
			}
			if !v1Refuses(t, base, secret) {
				t.Error("/v1 still accepts the disabled key")
			}
			shoot(t, ctx, dir, mode.name+"-keys-disabled")

			for _, page := range []string{"/", "/manage/context", "/manage/gemini", "/manage/usage", "/me"} {
				if status := navigate(t, ctx, base+page); status != 200 {
					t.Errorf("%s: %d", page, status)
				}
				name := strings.Trim(strings.ReplaceAll(page, "/", "-"), "-")
				if name == "" {
					name = "status"
				}
				shoot(t, ctx, dir, mode.name+"-"+name)
			}
			if mode.on && *updateScreenshots {
				navigate(t, ctx, base+"/")
				png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				if err != nil {
					t.Fatal(err)
				}
				os.MkdirAll(filepath.Join("testdata", "screenshots"), 0o755)
				if err := os.WriteFile(filepath.Join("testdata", "screenshots", "dashboard.png"), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("screenshots in %s", dir)
		})
	}
}

// TestBrowserUserSeesOnlyOwnConversations: a PASSWORD user signs in and
// sees their conversation only; another owner's is a 404 even by URL.
func TestBrowserUserSeesOnlyOwnConversations(t *testing.T) {
	for _, mode := range scriptModes() {
		t.Run(mode.name, func(t *testing.T) {
			pe := newPortalEnv(t)
			mine := saveConversation(t, pe, ownerOf(t, pe, userSecret), "mine", "my own question "+xssPayload)
			theirs := saveConversation(t, pe, "key:42", "theirs", "someone else's question")
			ctx := newChrome(t, mode.on)
			base := pe.srv.URL
			browserLogin(t, ctx, base, userSecret)

			list := text(t, ctx, "#conversations tbody")
			if !strings.Contains(list, "mine") || strings.Contains(list, "someone else") {
				t.Errorf("conversation list = %q", list)
			}
			nav, _ := chromedp.Run(ctx, chromedp.OuterHTML("header nav", chromedp.NodeReady))
			if strings.Contains(nav, "/manage/keys") {
				t.Error("a user is offered the keys page")
			}
			dir := artefacts(t)
			shoot(t, ctx, dir, mode.name+"-user-context")
			// The same page at phone width.
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.WaitVisible("#conversations")); err != nil {
				t.Fatal(err)
			}
			shoot(t, ctx, dir, mode.name+"-user-context-phone")
			if err := chromedp.Do(ctx, chromedp.ResetViewport()); err != nil {
				t.Fatal(err)
			}

			if status := navigate(t, ctx, base+"/manage/context/"+itoa(theirs)); status != 404 {
				t.Errorf("another owner's conversation: %d; want 404", status)
			}
			if got := text(t, ctx, "h1"); got != "Not found" {
				t.Errorf("404 page title = %q", got)
			}
			navigate(t, ctx, base+"/manage/context/"+itoa(mine))
			if got := text(t, ctx, ".turn-user .text"); got != "my own question "+xssPayload {
				t.Errorf("own conversation shows %q", got)
			}
		})
	}
}
