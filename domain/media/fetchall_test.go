package media

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestFetchAll(t *testing.T) {
	pngBytes := encode(t, false)
	var (
		mu             sync.Mutex
		inFlight, peak int
	)
	full := make(chan struct{})
	var once sync.Once
	s := serveOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		n := inFlight
		peak = max(peak, n)
		mu.Unlock()
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		// Hold the first requests until the pool is full, so the peak shows
		// the real bound rather than how fast the server happens to answer.
		if n >= parallel {
			once.Do(func() { close(full) })
		}
		select {
		case <-full:
		case <-time.After(2 * time.Second):
		}
		w.Header().Set("Content-Type", "image/png")
		fmt.Fprintf(w, "%s%s", pngBytes, r.URL.Path) // a body per URL proves the keying
	}))

	var urls []string
	for i := range 10 {
		urls = append(urls, fmt.Sprintf("%s/%d", s.URL, i))
	}
	urls = append(urls, urls[0]) // duplicates are fetched once

	f := NewFetcher(FetcherOptions{AllowHosts: loopback})
	got, err := f.FetchAll(t.Context(), urls)
	if err != nil {
		t.Fatalf("FetchAll: %v", err)
	}
	if len(got) != 10 {
		t.Errorf("len(result) = %d; want 10", len(got))
	}
	for i, u := range urls[:10] {
		want := append(append([]byte{}, pngBytes...), fmt.Sprintf("/%d", i)...)
		if img := got[u]; img.MimeType != "image/png" || !bytes.Equal(img.Data, want) {
			t.Errorf("result[%s] = %s, %d bytes; want image/png, %d bytes ending /%d", u, img.MimeType, len(img.Data), len(want), i)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if p := peak; p != parallel {
		t.Errorf("peak concurrency = %d; want %d", p, parallel)
	}
}

func TestFetchAllError(t *testing.T) {
	pngBytes := encode(t, false)
	s := serveOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Write(pngBytes)
	}))
	f := NewFetcher(FetcherOptions{AllowHosts: loopback})
	got, err := f.FetchAll(t.Context(), []string{s.URL + "/a", s.URL + "/missing", s.URL + "/b"})
	wantInvalid(t, err, "remote image: upstream status 404")
	if got != nil {
		t.Errorf("result = %v; want nil on error", got)
	}
}

func TestFetchAllEmpty(t *testing.T) {
	got, err := NewFetcher(FetcherOptions{}).FetchAll(t.Context(), nil)
	if err != nil || len(got) != 0 {
		t.Errorf("FetchAll(nil) = %v, %v; want empty, nil", got, err)
	}
}
