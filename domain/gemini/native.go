package gemini

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// forwardedHeaders are the client headers a native request keeps. A
// whitelist, because everything else either carries our own credential
// (Authorization, x-goog-api-key, cookies), says who the client is
// (X-Forwarded-For) or would change how the body comes back
// (Accept-Encoding: the transport negotiates gzip itself and hands us plain
// bytes that we can scan for usage).
var forwardedHeaders = [...]string{"Content-Type", "Accept", "User-Agent", "X-Goog-Api-Client"}

// ForwardError is a non-2xx answer to Forward. Err classifies it for the
// pool; Body is Google's answer with every API key masked, to be passed
// through to a native client with StatusCode and ContentType.
type ForwardError struct {
	Err         *UpstreamError
	StatusCode  int
	ContentType string
	Body        []byte
}

// Error describes the failure; it never holds a full key.
func (e *ForwardError) Error() string { return e.Err.Error() }

// Unwrap returns the classified failure, so errors.As finds the
// *UpstreamError and errors.Is its sentinel.
func (e *ForwardError) Unwrap() error { return e.Err }

// Forward sends a native Gemini request as the client sent it, with key.
// pathAndQuery is the upstream path with its ":action" suffix and the
// client's raw query; both are kept byte for byte except that any key=
// parameter is dropped, and the pool's key goes in the x-goog-api-key
// header. Of hdr only a few harmless headers are kept (see
// forwardedHeaders). A 2xx answer is returned as is, with a body whose read
// errors are classified like every other upstream failure; the caller must
// close it. Anything else is a *ForwardError.
func (c *Client) Forward(ctx context.Context, key, method, pathAndQuery string, body io.Reader, hdr http.Header) (*http.Response, error) {
	path, query, _ := strings.Cut(pathAndQuery, "?")
	u := c.base() + path
	if q := withoutKeyParam(query); q != "" {
		u += "?" + q
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, &UpstreamError{Kind: KindBadRequest, Message: "bad upstream URL: " + RedactKeys(err.Error())}
	}
	for _, h := range forwardedHeaders {
		if v := hdr.Values(h); len(v) > 0 {
			req.Header[h] = v
		}
	}
	req.Header.Set("x-goog-api-key", key)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, transportError(ctx, 0, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		resp.Body = &classifiedBody{ReadCloser: resp.Body, ctx: ctx}
		return resp, nil
	}
	defer drainClose(resp.Body)
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil && len(b) == 0 {
		return nil, transportError(ctx, resp.StatusCode, err)
	}
	return nil, &ForwardError{Err: ParseError(resp.StatusCode, b), StatusCode: resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"), Body: []byte(RedactKeys(string(b)))}
}

// withoutKeyParam drops every key= parameter from a raw query and keeps
// the rest exactly as sent (order, escaping, alt=sse).
func withoutKeyParam(q string) string {
	if q == "" || !containsFold(q, "key") {
		return q
	}
	var b strings.Builder
	for part := range strings.SplitSeq(q, "&") {
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil && n == "key" || name == "key" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(part)
	}
	return b.String()
}

// classifiedBody turns a failed read of a 2xx body into the *UpstreamError
// (or the caller's cancellation) that transportError makes of it.
type classifiedBody struct {
	io.ReadCloser
	ctx context.Context
}

func (b *classifiedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = transportError(b.ctx, http.StatusOK, err)
	}
	return n, err
}
