package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/handlers"
	"github.com/hagemi/hagemi/static"
)

func TestPortalSecurityHeaders(t *testing.T) {
	pe := newPortalEnv(t)
	b := pe.browser(t)
	for _, path := range []string{"/", "/login", "/nope", "/static/app.css"} {
		resp, _ := b.get(path)
		h := resp.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s = %q; want %q", path, name, got, want)
			}
		}
	}
	// /v1 is untouched by the portal: no session, its own JSON errors.
	resp, body := b.get("/v1/nope")
	if resp.Header.Get("Set-Cookie") != "" || !strings.Contains(body, `"error"`) {
		t.Errorf("/v1 404: cookie %q body %q", resp.Header.Get("Set-Cookie"), body)
	}
}

func TestPortalNotFoundPage(t *testing.T) {
	pe := newPortalEnv(t)
	resp, body := pe.browser(t).get("/no/such/page")
	wantStatus(t, "unknown path", resp, http.StatusNotFound)
	if d := doc(t, body); d.Find(".error-page").Length() != 1 || d.Find("header nav").Length() != 1 {
		t.Error("404 is not in the portal's look")
	}
}

func TestPortalStaticAssetsAreCacheBusted(t *testing.T) {
	pe := newPortalEnv(t)
	b := pe.browser(t)
	resp, body := b.get(static.Path("htmx.min.js"))
	wantStatus(t, "htmx", resp, http.StatusOK)
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned asset Cache-Control = %q", cc)
	}
	if !strings.Contains(resp.Header.Get("Content-Type"), "javascript") || !strings.Contains(body, "htmx") {
		t.Errorf("htmx served as %q", resp.Header.Get("Content-Type"))
	}
	resp, _ = b.get("/static/app.css?v=old")
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("stale version Cache-Control = %q", cc)
	}
	_, page := b.get("/login")
	if !strings.Contains(page, static.Path("app.css")) {
		t.Error("pages do not link the versioned stylesheet")
	}
	resp, _ = b.get("/static/nope.js")
	wantStatus(t, "missing asset", resp, http.StatusNotFound)
}

func TestPortalLanguage(t *testing.T) {
	pe := newPortalEnv(t)
	b := pe.browser(t)
	_, body := b.get("/login", "Accept-Language", "fr;q=1, zh-CN;q=0.9, en;q=0.5")
	if got := doc(t, body).Find("h1").Text(); got != "登录" {
		t.Errorf("zh-CN page title = %q", got)
	}
	resp, _ := b.post("/lang", url.Values{"lang": {"en"}, "next": {"/login"}})
	wantRedirect(t, "switch", resp, "/login")
	_, body = b.get("/login", "Accept-Language", "zh-CN")
	if got := doc(t, body).Find("h1").Text(); got != "Sign in" {
		t.Errorf("remembered choice ignored: %q", got)
	}
	resp, _ = b.post("/lang", url.Values{"lang": {"en"}, "next": {"//evil.example"}})
	wantRedirect(t, "foreign next", resp, "/")
}

func TestPortalStatusPage(t *testing.T) {
	pe := newPortalEnv(t, portalOption{before: func(_ *handlers.Deps, pc *handlers.PortalConfig) { pc.ProtectStatus = true }})
	b := pe.browser(t)
	_, body := b.get("/")
	if d := doc(t, body); d.Find("#live").Length() != 0 || !strings.Contains(d.Find(".lead").Text(), "test") {
		t.Error("protected status page shows details to strangers (or hides the version)")
	}
	b.login(userSecret)
	_, body = b.get("/")
	if got := doc(t, body).Find("#live .tile dd").First().Text(); got != "2" {
		t.Errorf("configured keys = %q; want 2", got)
	}
	// Polling gets the numbers alone and never touches the session.
	resp, body := b.get("/", "HX-Request", "true", "HX-Target", "live")
	d := doc(t, body)
	if d.Find("header").Length() != 0 || d.Find("#live").Length() != 1 {
		t.Errorf("poll answer is not the live fragment: %s", body)
	}
	if resp.Header.Get("Set-Cookie") != "" {
		t.Error("polling refreshed the session cookie")
	}
}

func TestPortalGeminiPage(t *testing.T) {
	// The second key fails its re-check.
	check := func(_ context.Context, secret string) error {
		if secret == testKey(2) {
			return fmt.Errorf("%w: API_KEY_INVALID", domain.ErrKeyRejected)
		}
		return nil
	}
	pe := newPortalEnv(t, portalOption{after: func(p *handlers.PortalDeps) { p.CheckKey = check }})
	b := pe.browser(t)
	b.login(adminSecret)
	resp, body := b.get("/manage/gemini")
	wantStatus(t, "gemini", resp, http.StatusOK)
	d := doc(t, body)
	if got := d.Find(".gemini-keys > li").Length(); got != 2 {
		t.Errorf("%d keys listed; want 2", got)
	}
	if strings.Contains(body, testKey(1)) {
		t.Error("a Gemini key is shown in full")
	}
	resp, body = b.post("/manage/gemini/add", url.Values{"keys": {" , "}})
	wantStatus(t, "empty paste", resp, http.StatusUnprocessableEntity)
	if doc(t, body).Find("#err-keys").Length() != 1 {
		t.Error("no inline error for an empty paste")
	}
	resp, _ = b.post("/manage/gemini/add", url.Values{"keys": {testKey(3)}})
	wantRedirect(t, "add", resp, "/manage/gemini")
	resp, _ = b.post("/manage/gemini/nosuchkey/delete", nil)
	wantStatus(t, "unknown key", resp, http.StatusNotFound)

	checks := d.Find(`form[action$="/check"]`)
	if checks.Length() != 2 {
		t.Fatalf("%d re-check buttons; want 2", checks.Length())
	}
	resp, _ = b.post(checks.Eq(1).AttrOr("action", ""), nil)
	wantRedirect(t, "re-check", resp, "/manage/gemini")
	_, body = b.get("/manage/gemini")
	d = doc(t, body)
	if got := d.Find("#flash").Text(); !strings.Contains(got, "API_KEY_INVALID") {
		t.Errorf("flash after a failed re-check = %q", got)
	}
	if got := d.Find(".gemini-keys .badge.bad").Length(); got != 1 {
		t.Errorf("%d keys shown invalid; want 1", got)
	}
}

func TestPortalUsageAndMePages(t *testing.T) {
	pe := newPortalEnv(t)
	k, secret := createKey(t, pe, "charted")
	c := newClient(pe.srv.URL, secret)
	if _, err := c.Models.List(t.Context()); err != nil {
		t.Fatal(err)
	}
	_ = k
	admin := pe.browser(t)
	admin.login(adminSecret)
	resp, body := admin.get("/manage/usage")
	wantStatus(t, "usage", resp, http.StatusOK)
	if n := doc(t, body).Find("figure.chart").Length(); n != 5 {
		t.Errorf("%d charts; want 5", n)
	}

	user := pe.browser(t)
	user.login(secret)
	resp, body = user.get("/me")
	wantStatus(t, "me", resp, http.StatusOK)
	if doc(t, body).Find(`form[action="/me/memory"]`).Length() != 1 {
		t.Error("no memory switch")
	}
	resp, _ = user.post("/me/memory", url.Values{"memory": {"off"}})
	wantRedirect(t, "memory off", resp, "/me")
	if got, _ := pe.store.GetProxyKey(t.Context(), k.ID); got.MemoryEnabled || got.Description != "charted" || !got.Enabled {
		t.Errorf("after turning memory off: %+v", got)
	}
}

func TestPortalUsageChartsThePoolHistory(t *testing.T) {
	var pe *portalEnv
	pe = newPortalEnv(t, portalOption{after: func(p *handlers.PortalDeps) {
		p.KeyUsageHistory = func(ctx context.Context, from string) ([]domain.KeyUsageDay, error) {
			return pe.store.KeyUsageDailySince(ctx, from)
		}
	}})
	yesterday := domain.PTDay(time.Now().Add(-24 * time.Hour))
	err := pe.store.AddKeyUsageDaily(t.Context(), []domain.KeyUsageDay{
		{KeyID: "k1", Model: "gemini-2.5-flash", Day: yesterday, DayTotals: domain.DayTotals{Requests: 40, InputTokens: 900, OutputTokens: 100}},
		{KeyID: "k2", Model: "gemini-2.5-pro", Day: yesterday, DayTotals: domain.DayTotals{Requests: 2}},
	})
	if err != nil {
		t.Fatal(err)
	}
	b := pe.browser(t)
	b.login(adminSecret)
	_, body := b.get("/manage/usage")
	d := doc(t, body)
	first := d.Find("figure.chart").First()
	if got := first.Find("figcaption").Text(); got != "Requests per day (30 days)" {
		t.Errorf("first chart = %q; want all traffic", got)
	}
	if !strings.Contains(first.Find("svg title").Text(), yesterday[5:]+": 42") {
		t.Errorf("yesterday's bar missing: %q", first.Find("svg title").Text())
	}
	// The per-model chart covers the same 30 days, not only today.
	perModel := d.Find("figure.chart").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find("figcaption").Text() == "Requests per model (30 days)"
	})
	if got := perModel.Find("svg").Text(); !strings.Contains(got, "gemini-2.5-flash") || !strings.Contains(got, "gemini-2.5-pro") {
		t.Errorf("per-model chart = %q; want yesterday's models", got)
	}
}
