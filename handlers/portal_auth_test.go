package handlers_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/hagemi/hagemi/handlers"
)

func TestPortalLoginAndLogout(t *testing.T) {
	pe := newPortalEnv(t)
	b := pe.browser(t)

	resp, _ := b.get("/manage/keys")
	wantRedirect(t, "anonymous", resp, "/login?next=%2Fmanage%2Fkeys")

	resp, body := b.post("/login", url.Values{"secret": {"wrong"}, "next": {"/manage/keys"}})
	wantStatus(t, "wrong secret", resp, http.StatusUnprocessableEntity)
	if got := doc(t, body).Find("#err-secret").Text(); got == "" || strings.Contains(strings.ToLower(got), "password") {
		t.Errorf("failure message %q: want one that does not say which part was wrong", got)
	}
	if b.cookie("hagemi_session") != "" {
		t.Error("a failed login set a session cookie")
	}

	resp, _ = b.post("/login", url.Values{"secret": {adminSecret}, "next": {"/manage/keys"}})
	wantRedirect(t, "admin login", resp, "/manage/keys")
	cookie := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"hagemi_session=", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("Set-Cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("Set-Cookie %q is Secure over plain HTTP", cookie)
	}
	token := b.cookie("hagemi_session")
	resp, _ = b.get("/manage/keys")
	wantStatus(t, "signed in", resp, http.StatusOK)

	resp, _ = b.post("/logout", nil)
	wantRedirect(t, "logout", resp, "/login?out=1")
	resp, _ = b.get("/manage/keys")
	wantRedirect(t, "after logout", resp, "/login?next=%2Fmanage%2Fkeys")

	// The old token is dead server-side, not just forgotten by the browser.
	replay := pe.browser(t)
	u, _ := url.Parse(pe.srv.URL)
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "hagemi_session", Value: token}})
	resp, _ = replay.get("/manage/keys")
	wantRedirect(t, "replayed token", resp, "/login?next=%2Fmanage%2Fkeys")
}

func TestPortalLoginRenewsTheToken(t *testing.T) {
	pe := newPortalEnv(t)
	b := pe.browser(t)
	b.post("/lang", url.Values{"lang": {"en"}}) // no session yet: nothing to fixate
	// A session that exists before login (a planted one) must not survive it.
	b.login(userSecret)
	before := b.cookie("hagemi_session")
	b.login(adminSecret)
	if after := b.cookie("hagemi_session"); after == "" || after == before {
		t.Errorf("token not renewed at login: %q → %q", before, after)
	}
}

func TestPortalRedirectAfterLoginStaysLocal(t *testing.T) {
	pe := newPortalEnv(t)
	for _, next := range []string{"//evil.example/x", "https://evil.example", `/\evil.example`, "/\t/evil.example"} {
		b := pe.browser(t)
		resp, _ := b.post("/login", url.Values{"secret": {userSecret}, "next": {next}})
		wantRedirect(t, next, resp, "/manage/context")
	}
}

func TestPortalLoginThrottlesGuessing(t *testing.T) {
	pe := newPortalEnv(t)
	// Signing in often costs nothing: only failures are counted.
	for range 10 {
		pe.browser(t).login(userSecret)
	}
	b := pe.browser(t)
	for i := range 5 {
		resp, _ := b.post("/login", url.Values{"secret": {"guess"}})
		wantStatus(t, "guess "+string(rune('1'+i)), resp, http.StatusUnprocessableEntity)
	}
	resp, body := b.post("/login", url.Values{"secret": {"guess"}})
	wantStatus(t, "sixth guess", resp, http.StatusTooManyRequests)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if doc(t, body).Find(".error-page").Length() != 1 {
		t.Error("429 is not the portal's error page")
	}
	// While refused, even the right secret is not checked.
	resp, _ = b.post("/login", url.Values{"secret": {adminSecret}})
	wantStatus(t, "right secret while throttled", resp, http.StatusTooManyRequests)
}

func TestPortalRefusesCrossOriginPosts(t *testing.T) {
	pe := newPortalEnv(t)
	b := pe.browser(t)
	b.login(adminSecret)
	form := url.Values{"description": {"csrf"}, "enabled": {"on"}}
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Origin", "http://evil.example"},
	} {
		resp, body := b.post("/manage/keys", form, h...)
		wantStatus(t, h[0], resp, http.StatusForbidden)
		if doc(t, body).Find(".error-page").Length() != 1 {
			t.Errorf("%s: refusal is not the portal's 403 page", h[0])
		}
	}
	// A cross-site login (login CSRF) is refused too.
	resp, _ := pe.browser(t).post("/login", url.Values{"secret": {userSecret}}, "Sec-Fetch-Site", "cross-site")
	wantStatus(t, "cross-site login", resp, http.StatusForbidden)
	keys, _ := pe.store.ListProxyKeys(t.Context())
	if len(keys) != 0 {
		t.Fatalf("%d keys created by cross-origin posts", len(keys))
	}
	resp, _ = b.post("/manage/keys", form, "Sec-Fetch-Site", "same-origin", "Origin", pe.srv.URL)
	wantRedirect(t, "same-origin", resp, "/manage/keys")
}

func TestPortalSecureCookieBehindTrustedProxy(t *testing.T) {
	pe := newPortalEnv(t, portalOption{before: func(d *handlers.Deps, _ *handlers.PortalConfig) {
		d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}})
	b := pe.browser(t)
	resp, _ := b.post("/login", url.Values{"secret": {userSecret}}, "X-Forwarded-Proto", "https")
	if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, "Secure") || !strings.Contains(c, "HttpOnly") {
		t.Errorf("Set-Cookie over HTTPS = %q; want Secure and HttpOnly", c)
	}
	resp, _ = b.post("/lang", url.Values{"lang": {"zh-CN"}}, "X-Forwarded-Proto", "https")
	if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, "Secure") {
		t.Errorf("language cookie over HTTPS = %q", c)
	}
}

func TestPortalSessionsSurviveRestart(t *testing.T) {
	pe := newPortalEnv(t)
	b := pe.browser(t)
	b.login(adminSecret)
	token := b.cookie("hagemi_session")

	// A second server on the same database file, as after a restart.
	for _, tc := range []struct {
		secret string
		want   int
	}{{"portal-test-secret", http.StatusOK}, {"another-secret", http.StatusSeeOther}} {
		store := openStore(t, pe.path)
		next := newEnv(t, []string{testKey(1)}, nil, func(d *handlers.Deps) {
			wireStore(t, d, store, handlers.PortalConfig{SecretKey: tc.secret, Version: "test"})
		})
		nb := &browser{t: t, base: next.srv.URL, c: b.c}
		u, _ := url.Parse(next.srv.URL)
		nb.c.Jar.SetCookies(u, []*http.Cookie{{Name: "hagemi_session", Value: token}})
		resp, _ := nb.get("/manage/keys")
		wantStatus(t, "SECRET_KEY "+tc.secret, resp, tc.want)
	}
}

func TestPortalDisabledProxyKeyEndsItsSession(t *testing.T) {
	pe := newPortalEnv(t)
	k, secret := createKey(t, pe, "laptop")
	b := pe.browser(t)
	b.login(secret)
	resp, body := b.get("/me")
	wantStatus(t, "key user", resp, http.StatusOK)
	if got := doc(t, body).Find(".who").Text(); got != "key #"+itoa(k.ID) {
		t.Errorf("signed in as %q", got)
	}
	pe.store.SetProxyKeyEnabled(t.Context(), k.ID, false)
	resp, _ = b.get("/me")
	wantRedirect(t, "after the key was disabled", resp, "/login?next=%2Fme")
	resp, _ = b.post("/login", url.Values{"secret": {secret}})
	wantStatus(t, "disabled key login", resp, http.StatusUnprocessableEntity)
}
