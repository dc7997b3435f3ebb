package views_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"github.com/hagemi/hagemi/views"
)

const payload = `<script>alert("x")</script><img src=x onerror=alert(1)>`

// render renders c and parses it.
func render(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func admin() views.PageMeta {
	return views.PageMeta{Lang: views.English, User: &views.User{Admin: true, Label: "admin"}, Path: "/manage/keys", Version: "test"}
}

// assertNoInline checks the page keeps to the Content-Security-Policy: no
// inline script, no style element or attribute, no event handler.
func assertNoInline(t *testing.T, doc *goquery.Document) {
	t.Helper()
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("src"); !ok || strings.TrimSpace(s.Text()) != "" {
			t.Errorf("inline script: %s", s.Text())
		}
	})
	if n := doc.Find("style, [style]").Length(); n > 0 {
		t.Errorf("%d inline styles", n)
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("event handler attribute %s on <%s>", a.Key, s.Nodes[0].Data)
			}
		}
	})
}

func TestKeyRowEscapesDescription(t *testing.T) {
	row := views.KeyRow{ID: 7, Prefix: "hk-abcde", Description: payload, Enabled: true, Created: time.Now()}
	doc := render(t, views.KeysPage(views.KeysView{Meta: admin(), Keys: []views.KeyRow{row}}))
	assertNoInline(t, doc)
	if got := doc.Find("#key-7 .desc").Text(); got != payload {
		t.Errorf("description = %q; want the payload as text", got)
	}
	if n := doc.Find("#key-7 script, #key-7 img").Length(); n != 0 {
		t.Errorf("payload became %d elements", n)
	}
	if got := doc.Find(`#key-7 form[action="/manage/keys/7/toggle"]`).AttrOr("hx-target", ""); got != "closest tr" {
		t.Errorf("toggle hx-target = %q", got)
	}
}

func TestSecretPanelHasCopyButtonHiddenWithoutScript(t *testing.T) {
	doc := render(t, views.KeysPage(views.KeysView{Meta: admin(), Secret: &views.NewSecret{KeyID: 1, Secret: "hk-secret", Description: payload}}))
	if got := doc.Find("#new-secret").AttrOr("value", ""); got != "hk-secret" {
		t.Errorf("secret = %q", got)
	}
	b := doc.Find("button[data-copy=new-secret]")
	if _, hidden := b.Attr("hidden"); !hidden {
		t.Error("copy button visible without script")
	}
	if !strings.Contains(doc.Find("#secret-h").Text(), payload) {
		t.Errorf("heading = %q", doc.Find("#secret-h").Text())
	}
}

func TestConversationPageEscapesEveryPart(t *testing.T) {
	v := views.ConversationView{Meta: admin(), ShowOwner: true,
		Info: views.ConversationRow{ID: 3, Owner: payload, Name: payload},
		Turns: []views.Turn{
			{Role: "user", Parts: []views.Part{{Kind: views.PartText, Text: payload},
				{Kind: views.PartImage, MIME: "image/png", Image: templ.SafeURL("data:image/png;base64,iVBORw0KGgo="), Bytes: 8}}},
			{Role: "model", Parts: []views.Part{{Kind: views.PartCall, Name: payload, Text: `{"a":"` + payload + `"}`},
				{Kind: views.PartThought, Text: payload}}},
			{Role: "tool", Parts: []views.Part{{Kind: views.PartResponse, Name: "f", Text: payload}}},
		}}
	doc := render(t, views.ConversationPage(v))
	assertNoInline(t, doc)
	if n := doc.Find("main script").Length(); n != 0 {
		t.Errorf("%d script elements in main", n)
	}
	imgs := doc.Find("main img")
	if imgs.Length() != 1 || !strings.HasPrefix(imgs.AttrOr("src", ""), "data:image/png;base64,") {
		t.Errorf("images: %d, src %q", imgs.Length(), imgs.AttrOr("src", ""))
	}
	if got := doc.Find(".turn-user .text").First().Text(); got != payload {
		t.Errorf("text = %q", got)
	}
	if got := doc.Find(".turn-tool .role").Text(); got != "Tool result" {
		t.Errorf("tool role = %q", got)
	}
	if got := doc.Find("h1").Text(); got != payload {
		t.Errorf("title = %q", got)
	}
}

func TestLayoutNavigationByRole(t *testing.T) {
	user := views.PageMeta{Lang: views.Chinese, User: &views.User{Label: "user:ab12…"}, Path: "/manage/context"}
	for _, tc := range []struct {
		name    string
		meta    views.PageMeta
		keys    bool
		current string
	}{
		{"admin", admin(), true, "/manage/keys"},
		{"user", user, false, "/manage/context"},
		{"anonymous", views.PageMeta{Lang: views.English, Path: "/"}, false, "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := render(t, views.ErrorPage(views.ErrorView{Meta: tc.meta, Status: 404}))
			assertNoInline(t, doc)
			if got := doc.Find(`nav a[href="/manage/keys"]`).Length() == 1; got != tc.keys {
				t.Errorf("keys link = %v; want %v", got, tc.keys)
			}
			if got := doc.Find(`nav a[aria-current="page"]`).AttrOr("href", ""); got != tc.current {
				t.Errorf("current = %q; want %q", got, tc.current)
			}
			if got := doc.Find("html").AttrOr("lang", ""); got != string(tc.meta.Lang) {
				t.Errorf("lang = %q", got)
			}
			if got := doc.Find(`meta[name="htmx-config"]`).AttrOr("content", ""); !strings.Contains(got, `"includeIndicatorStyles":false`) {
				t.Errorf("htmx-config = %q", got)
			}
		})
	}
}

func TestLoginFailureIsInlineAndVague(t *testing.T) {
	doc := render(t, views.LoginPage(views.LoginView{Meta: views.PageMeta{Lang: views.English}, Failed: true, Next: "/me"}))
	if got := doc.Find("#secret").AttrOr("aria-describedby", ""); got != "err-secret" {
		t.Errorf("aria-describedby = %q", got)
	}
	if got := doc.Find("#err-secret").Text(); strings.Contains(strings.ToLower(got), "password") {
		t.Errorf("error %q hints at which secret was wrong", got)
	}
	if doc.Find(`label[for="secret"]`).Length() != 1 {
		t.Error("secret input has no label")
	}
	if got := doc.Find(`form[action="/login"] input[name="next"]`).AttrOr("value", ""); got != "/me" {
		t.Errorf("next = %q", got)
	}
}

func TestEveryInputHasALabel(t *testing.T) {
	pages := map[string]templ.Component{
		"keys":    views.KeysPage(views.KeysView{Meta: admin(), Keys: []views.KeyRow{{ID: 1}}, Form: views.KeyForm{Errors: views.FormErrors{"limits": "err.limits"}}}),
		"keyedit": views.KeyEditPage(views.KeyEditView{Meta: admin(), Key: views.KeyRow{ID: 2}, Form: views.KeyForm{ID: 2}}),
		"gemini":  views.GeminiPage(views.GeminiView{Meta: admin(), Keys: []views.GeminiKey{{ID: "abc", Masked: "AIza…1234", Models: []views.ModelUsage{{Model: "gemini-x", Meters: []views.Meter{{Label: "RPD", Used: 5, Limit: 10}}}}}}}),
		"context": views.ContextPage(views.ContextView{Meta: admin(), TTL: views.TTLForm{CanEdit: true, Days: "7"}, Total: 1, Rows: []views.ConversationRow{{ID: 1}}}),
		"me":      views.MePage(views.MeView{Meta: admin(), MemoryAvailable: true}),
	}
	for name, c := range pages {
		doc := render(t, c)
		assertNoInline(t, doc)
		doc.Find("input:not([type=hidden]), textarea, select, meter").Each(func(_ int, s *goquery.Selection) {
			id, _ := s.Attr("id")
			wrapped := s.ParentsFiltered("label").Length() > 0
			if !wrapped && (id == "" || doc.Find(`label[for="`+id+`"]`).Length() == 0) && s.AttrOr("aria-label", "") == "" {
				t.Errorf("%s: <%s name=%q id=%q> has no label", name, s.Nodes[0].Data, s.AttrOr("name", ""), id)
			}
		})
	}
}

func TestStatusProtectedHidesNumbers(t *testing.T) {
	v := views.StatusView{Meta: views.PageMeta{Lang: views.English, Path: "/"}, Version: "1.2.3", Protected: true}
	doc := render(t, views.StatusPage(v))
	if doc.Find("#live").Length() != 0 {
		t.Error("protected status page shows the live numbers")
	}
	v.Protected, v.Keys = false, views.KeyCounts{Configured: 3, Active: 2, Invalid: 1}
	doc = render(t, views.StatusPage(v))
	live := doc.Find("#live")
	if got := live.AttrOr("hx-trigger", ""); !strings.HasPrefix(got, "every ") {
		t.Errorf("hx-trigger = %q", got)
	}
	if got := live.Find(".tile.bad dd").First().Text(); got != "1" {
		t.Errorf("invalid tile = %q", got)
	}
}
