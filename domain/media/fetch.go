package media

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"
)

const (
	defaultMaxBytes     = 20 << 20
	defaultTimeout      = 20 * time.Second
	defaultMaxRedirects = 5
	// parallel bounds FetchAll so one request with many images cannot open
	// an unbounded number of outbound connections.
	parallel = 4
)

// FetcherOptions configures a Fetcher. Zero values mean the defaults.
type FetcherOptions struct {
	MaxBytes     int64         // largest accepted body; default 20 MiB
	Timeout      time.Duration // whole download including redirects and body; default 20 s
	MaxRedirects int           // default 5; negative follows none
	// AllowHosts is a test hook: address ranges allowed despite being
	// private or loopback. Leave it empty in production.
	AllowHosts []netip.Prefix
}

// Fetcher downloads remote images for inlining, refusing anything that could
// reach inside our network. It is safe for concurrent use.
type Fetcher struct {
	client       *http.Client
	maxBytes     int64
	timeout      time.Duration
	maxRedirects int
	allow        []netip.Prefix
}

// Image is one downloaded image, ready to become Gemini inlineData.
type Image struct {
	MimeType string
	Data     []byte
}

// NewFetcher returns a Fetcher with o's limits, filling in defaults.
func NewFetcher(o FetcherOptions) *Fetcher {
	f := &Fetcher{
		maxBytes:     o.MaxBytes,
		timeout:      o.Timeout,
		maxRedirects: o.MaxRedirects,
		allow:        append([]netip.Prefix(nil), o.AllowHosts...),
	}
	if f.maxBytes <= 0 {
		f.maxBytes = defaultMaxBytes
	}
	if f.timeout <= 0 {
		f.timeout = defaultTimeout
	}
	if f.maxRedirects == 0 {
		f.maxRedirects = defaultMaxRedirects
	} else if f.maxRedirects < 0 {
		f.maxRedirects = 0
	}
	d := &net.Dialer{Timeout: 10 * time.Second, ControlContext: f.control}
	f.client = &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil, // a proxy would dial for us and bypass control
			DialContext:            d.DialContext,
			ForceAttemptHTTP2:      true,
			TLSHandshakeTimeout:    10 * time.Second,
			MaxIdleConns:           16,
			IdleConnTimeout:        90 * time.Second,
			MaxResponseHeaderBytes: 64 << 10,
		},
		CheckRedirect: f.checkRedirect,
	}
	return f
}

// checkRedirect counts hops and re-checks each target's URL; its address is
// checked when dialed.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.maxRedirects {
		return invalid("too many redirects")
	}
	return checkURL(req.URL)
}

// Fetch downloads rawURL and returns its image MIME type and bytes. Errors
// match domain.ErrInvalid, except when ctx itself ends: then the error wraps
// ctx.Err(), because the caller gave up rather than the URL being bad.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (mimeType string, data []byte, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", nil, invalid("invalid url")
	}
	if err := checkURL(u); err != nil {
		return "", nil, err
	}
	tctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(tctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", nil, invalid("invalid url")
	}
	req.Header.Set("Accept", "image/png, image/jpeg, image/webp, image/heic, image/heif")
	resp, err := f.client.Do(req)
	if err != nil {
		return "", nil, failure(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil, invalid(fmt.Sprintf("upstream status %d", resp.StatusCode))
	}
	// Refuse a declared oversize body before reading; the LimitReader below
	// catches bodies that lie or stream without a length.
	if resp.ContentLength > f.maxBytes {
		return "", nil, f.tooLarge()
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return "", nil, failure(ctx, err)
	}
	if int64(len(data)) > f.maxBytes {
		return "", nil, f.tooLarge()
	}
	if len(data) == 0 {
		return "", nil, invalid("empty body")
	}
	mimeType, err = imageType(resp.Header.Get("Content-Type"), data)
	if err != nil {
		return "", nil, err
	}
	return mimeType, data, nil
}

// FetchAll downloads urls concurrently, at most a few at a time, and returns
// the images keyed by URL. The first error cancels the remaining downloads
// and is returned alone.
func (f *Fetcher) FetchAll(ctx context.Context, urls []string) (map[string]Image, error) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		first error
		out   = make(map[string]Image, len(urls))
		sem   = make(chan struct{}, parallel)
		seen  = make(map[string]bool, len(urls))
	)
	for _, u := range urls {
		if seen[u] {
			continue
		}
		seen[u] = true
		select {
		case sem <- struct{}{}:
		case <-cctx.Done():
		}
		if cctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			mt, data, err := f.Fetch(cctx, u)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if first == nil {
					first = err
					cancel()
				}
				return
			}
			out[u] = Image{MimeType: mt, Data: data}
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("remote image: %w", err)
	}
	return out, nil
}
