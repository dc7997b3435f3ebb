package media

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// counter serves a PNG and counts requests, so a test can prove a refused
// URL never reached the server.
func counter(t *testing.T, hits *atomic.Int64) http.HandlerFunc {
	data := encode(t, false)
	return func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(data)
	}
}

func port(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func TestFetchRefusesInternalAddresses(t *testing.T) {
	var hits atomic.Int64
	p := port(t, serveOn(t, "127.0.0.1:0", counter(t, &hits)).URL)
	urls := []string{
		"http://127.0.0.1:" + p + "/a.png",
		"http://127.1.2.3:" + p + "/a.png",
		"http://localhost:" + p + "/a.png",
		"http://LOCALHOST.:" + p + "/a.png",
		"http://img.localhost:" + p + "/a.png",
		"http://0.0.0.0:" + p + "/a.png", // Linux connects this to the local host
		"http://[::ffff:127.0.0.1]:" + p + "/a.png",
		"http://[::ffff:7f00:1]:" + p + "/a.png",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::ffff:169.254.169.254]/latest/meta-data/",
		"http://10.0.0.1:" + p + "/a.png",
		"http://172.16.0.1:" + p + "/a.png",
		"http://192.168.1.1:" + p + "/a.png",
		"http://100.64.0.1/a.png",
		"https://224.0.0.1/a.png",
		"http://[fd00::1]/a.png",
		"http://[fe80::1%25lo]:" + p + "/a.png",
	}
	f := NewFetcher(FetcherOptions{})
	for _, u := range urls {
		t.Run(u, func(t *testing.T) {
			_, _, err := f.Fetch(t.Context(), u)
			wantInvalid(t, err, "remote image: address not allowed")
		})
	}
	t.Run("[::1]", func(t *testing.T) {
		var hits6 atomic.Int64
		s6 := serveOn(t, "[::1]:0", counter(t, &hits6))
		_, _, err := f.Fetch(t.Context(), s6.URL+"/a.png")
		wantInvalid(t, err, "remote image: address not allowed")
		if got := hits6.Load(); got != 0 {
			t.Errorf("[::1] server hits = %d; want 0", got)
		}
	})
	if got := hits.Load(); got != 0 {
		t.Errorf("server hits = %d; want 0", got)
	}
}

// redirector answers /hop/N with a redirect to /hop/N-1 and /hop/0 with a
// PNG; /to?u=… redirects anywhere.
func redirector(t *testing.T, hits *atomic.Int64) http.HandlerFunc {
	final := counter(t, new(atomic.Int64))
	return func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/to" {
			http.Redirect(w, r, r.URL.Query().Get("u"), http.StatusFound)
			return
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		if n > 0 {
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
			return
		}
		final(w, r)
	}
}

func TestFetchRedirects(t *testing.T) {
	var hits atomic.Int64
	s := serveOn(t, "127.0.0.1:0", redirector(t, &hits))
	tests := []struct {
		name     string
		max      int
		path     string
		want     string // "" means success
		wantHits int64
	}{
		{"within limit", 3, "/hop/3", "", 4},
		{"over limit", 3, "/hop/4", "remote image: too many redirects", 4},
		{"default limit", 0, "/hop/6", "remote image: too many redirects", 6},
		{"none allowed", -1, "/hop/1", "remote image: too many redirects", 1},
		{"to localhost", 5, "/to?u=" + url.QueryEscape("http://localhost:"+port(t, s.URL)+"/hop/0"), "remote image: address not allowed", 1},
		{"to file", 5, "/to?u=" + url.QueryEscape("file:///etc/passwd"), "remote image: unsupported scheme", 1},
		{"to userinfo", 5, "/to?u=" + url.QueryEscape("http://u:p@"+s.Listener.Addr().String()+"/hop/0"), "remote image: credentials in url not allowed", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			f := NewFetcher(FetcherOptions{MaxRedirects: tt.max, AllowHosts: loopback})
			_, _, err := f.Fetch(t.Context(), s.URL+tt.path)
			if tt.want == "" {
				if err != nil {
					t.Errorf("Fetch: %v", err)
				}
			} else {
				wantInvalid(t, err, tt.want)
			}
			if got := hits.Load(); got != tt.wantHits {
				t.Errorf("hits = %d; want %d", got, tt.wantHits)
			}
		})
	}
}

// An allowed host must not be able to bounce us to a forbidden address:
// the dial check runs again on every hop.
func TestFetchRedirectToForbiddenAddress(t *testing.T) {
	var hitsA, hitsB atomic.Int64
	a := serveOn(t, "127.0.0.1:0", redirector(t, &hitsA))
	b := serveOn(t, "127.0.0.2:0", counter(t, &hitsB)) // skips where only 127.0.0.1 binds
	f := NewFetcher(FetcherOptions{AllowHosts: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})

	if _, _, err := f.Fetch(t.Context(), a.URL+"/hop/1"); err != nil {
		t.Fatalf("Fetch from allowed host: %v", err)
	}
	_, _, err := f.Fetch(t.Context(), a.URL+"/to?u="+url.QueryEscape(b.URL+"/a.png"))
	wantInvalid(t, err, "remote image: address not allowed")
	if got := hitsB.Load(); got != 0 {
		t.Errorf("forbidden server hits = %d; want 0", got)
	}
}

func TestFetchBadURL(t *testing.T) {
	tests := []struct{ url, want string }{
		{"ftp://example.com/a.png", "remote image: unsupported scheme"},
		{"file:///etc/passwd", "remote image: unsupported scheme"},
		{"gopher://127.0.0.1:70/", "remote image: unsupported scheme"},
		{"http://user:pass@127.0.0.1/a.png", "remote image: credentials in url not allowed"},
		{"http:///a.png", "remote image: invalid url"},
		{"http://a b/", "remote image: invalid url"},
		{"a.png", "remote image: unsupported scheme"},
	}
	f := NewFetcher(FetcherOptions{AllowHosts: loopback})
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, _, err := f.Fetch(t.Context(), tt.url)
			wantInvalid(t, err, tt.want)
		})
	}
}
