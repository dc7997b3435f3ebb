package handlers_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hagemi/hagemi/handlers"
	"github.com/hagemi/hagemi/sqlstore"
)

// portalEnv is the whole handler (API and portal) over a fake Gemini and a
// real SQLite store in t.TempDir().
type portalEnv struct {
	*env
	store *sqlstore.Store
	path  string // the database file
}

// portalOption changes the wiring: before runs ahead of NewPortalDeps,
// after on its result.
type portalOption struct {
	before func(*handlers.Deps, *handlers.PortalConfig)
	after  func(*handlers.PortalDeps)
}

func newPortalEnv(t *testing.T, opts ...portalOption) *portalEnv {
	t.Helper()
	pe := &portalEnv{path: filepath.Join(t.TempDir(), "hagemi.db")}
	pe.store = openStore(t, pe.path)
	pe.env = newEnv(t, []string{testKey(1), testKey(2)}, nil, func(d *handlers.Deps) {
		pc := handlers.PortalConfig{SecretKey: "portal-test-secret", Version: "test", AdminConfigured: true}
		for _, o := range opts {
			if o.before != nil {
				o.before(d, &pc)
			}
		}
		wireStore(t, d, pe.store, pc)
		for _, o := range opts {
			if o.after != nil {
				o.after(d.Portal)
			}
		}
	})
	return pe
}

func openStore(t *testing.T, path string) *sqlstore.Store {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// wireStore is what main does: the store behind proxy keys, memory and
// settings, and the portal's sessions in the same database.
func wireStore(t *testing.T, d *handlers.Deps, store *sqlstore.Store, pc handlers.PortalConfig) {
	t.Helper()
	ctx := context.Background()
	usage, err := handlers.NewKeyUsage(ctx, store, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	d.Credentials = handlers.NewCredentials(adminSecret, []string{userSecret}, handlers.StoreKeys{Store: store, Now: time.Now})
	d.Keys, d.Conversations, d.Settings, d.Usage = store, store, store, usage
	d.Memory = handlers.MemoryConfig{SaveStreamed: true, DefaultMaxTokens: 30000, SafetyMargin: 200}
	d.Started = time.Now()
	if d.Portal, err = handlers.NewPortalDeps(ctx, store.DB(), pc); err != nil {
		t.Fatal(err)
	}
}

// browser is a cookie-keeping client that does not follow redirects, so
// tests see every 303.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (pe *portalEnv) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: pe.srv.URL, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request; header holds name, value pairs.
func (b *browser) do(method, path string, form url.Values, header ...string) (*http.Response, string) {
	b.t.Helper()
	var req *http.Request
	if form != nil {
		req, _ = http.NewRequest(method, b.base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, _ = http.NewRequest(method, b.base+path, nil)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp, readAll(b.t, resp.Body)
}

func (b *browser) get(path string, header ...string) (*http.Response, string) {
	return b.do("GET", path, nil, header...)
}

func (b *browser) post(path string, form url.Values, header ...string) (*http.Response, string) {
	if form == nil {
		form = url.Values{}
	}
	return b.do("POST", path, form, header...)
}

// login signs in with secret and expects the redirect of a success.
func (b *browser) login(secret string) {
	b.t.Helper()
	resp, body := b.post("/login", url.Values{"secret": {secret}})
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
}

// cookie returns the jar's value of name for the server.
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func doc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func wantStatus(t *testing.T, what string, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: status %d; want %d", what, resp.StatusCode, want)
	}
}

func wantRedirect(t *testing.T, what string, resp *http.Response, to string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != to {
		t.Fatalf("%s: %d to %q; want 303 to %q", what, resp.StatusCode, resp.Header.Get("Location"), to)
	}
}
