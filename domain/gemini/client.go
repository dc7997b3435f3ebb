package gemini

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is Google's Gemini API endpoint, used when Client.BaseURL
// is empty.
const DefaultBaseURL = "https://generativelanguage.googleapis.com"

const (
	maxErrorBody   = 1 << 20 // error envelopes are small; cap what a broken upstream can make us buffer
	maxModelPages  = 100     // ListModels stops following nextPageToken after this many pages
	maxPooledBytes = 4 << 20 // request buffers above this are left to the GC, not pooled
)

// Client calls the Gemini API. It is the only code that talks to Google.
// The key always travels in the x-goog-api-key header, never in a URL, so
// it cannot leak through logged URLs or url.Error texts.
type Client struct {
	HTTP    *http.Client // nil means http.DefaultClient; NewHTTPClient is tuned for this use
	BaseURL string       // e.g. DefaultBaseURL or an httptest URL; a trailing slash is fine
}

// NewHTTPClient returns an http.Client tuned for many concurrent calls to
// one host. timeout bounds the wait for response headers (Gemini sends them
// only when the first output is ready); bodies are not bounded, so long
// streams survive: bound a whole call with its context.
func NewHTTPClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256, // the default 2 would make every burst redial TLS
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: timeout,
		// A model may think for minutes before its first event; ping an idle
		// HTTP/2 connection so a dead one fails instead of hanging the stream.
		HTTP2: &http.HTTP2Config{SendPingTimeout: 30 * time.Second, PingTimeout: 15 * time.Second},
	}}
}

// Generate calls generateContent.
func (c *Client) Generate(ctx context.Context, key, model string, req *GenerateContentRequest) (*GenerateContentResponse, error) {
	resp, err := c.post(ctx, key, c.modelURL(model, ":generateContent"), req)
	if err != nil {
		return nil, err
	}
	defer drainClose(resp.Body)
	var out GenerateContentResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, bodyError(ctx, err)
	}
	return &out, nil
}

// Stream calls streamGenerateContent?alt=sse. It returns once Google
// answered: a non-200 status is an *UpstreamError, and a 200 gives a Stream
// the caller must Close.
func (c *Client) Stream(ctx context.Context, key, model string, req *GenerateContentRequest) (*Stream, error) {
	resp, err := c.post(ctx, key, c.modelURL(model, ":streamGenerateContent")+"?alt=sse", req)
	if err != nil {
		return nil, err
	}
	return newStream(ctx, resp.Body), nil
}

// ListModels returns every model, following nextPageToken.
func (c *Client) ListModels(ctx context.Context, key string) ([]Model, error) {
	var all []Model
	token := ""
	for range maxModelPages {
		q := url.Values{"pageSize": {"1000"}}
		if token != "" {
			q.Set("pageToken", token)
		}
		var page ModelList
		if err := c.get(ctx, key, c.base()+"/v1beta/models?"+q.Encode(), &page); err != nil {
			return nil, err
		}
		all = append(all, page.Models...)
		if page.NextPageToken == "" || page.NextPageToken == token {
			return all, nil
		}
		token = page.NextPageToken
	}
	return nil, fmt.Errorf("gemini: model list has more than %d pages", maxModelPages)
}

// CheckKey probes a key cheaply (one model listed). It returns nil when the
// key works and the *UpstreamError (or transport error) otherwise.
func (c *Client) CheckKey(ctx context.Context, key string) error {
	return c.get(ctx, key, c.base()+"/v1beta/models?pageSize=1", nil)
}

func (c *Client) base() string {
	if c.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

func (c *Client) modelURL(model, action string) string {
	return c.base() + "/v1beta/models/" + url.PathEscape(model) + action
}

// get decodes a 200 answer into out (nil: discard it).
func (c *Client) get(ctx context.Context, key, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("gemini: %w", err)
	}
	resp, err := c.do(req, key)
	if err != nil {
		return err
	}
	defer drainClose(resp.Body)
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return bodyError(ctx, err)
	}
	return nil
}

// post sends body as JSON from a pooled buffer.
func (c *Client) post(ctx context.Context, key, u string, body any) (*http.Response, error) {
	rb := newPooledBody()
	defer rb.release() // our own reference; readers the transport still holds keep the buffer
	enc := json.NewEncoder(rb.buf)
	enc.SetEscapeHTML(false) // "<" and "&" in prompts stay one byte each
	if err := enc.Encode(body); err != nil {
		return nil, fmt.Errorf("gemini: encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return nil, fmt.Errorf("gemini: %w", err)
	}
	req.Body, _ = rb.reader()
	req.GetBody = rb.reader
	req.ContentLength = int64(rb.buf.Len())
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, key)
}

// do sends req with the key and turns a non-200 answer into *UpstreamError.
func (c *Client) do(req *http.Request, key string) (*http.Response, error) {
	req.Header.Set("x-goog-api-key", key)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, transportError(req.Context(), 0, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer drainClose(resp.Body)
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil && len(body) == 0 {
		return nil, transportError(req.Context(), resp.StatusCode, err)
	}
	return nil, ParseError(resp.StatusCode, body)
}

// bodyError classifies a failure to decode a 200 body: a read failure is a
// transport error, bad JSON an upstream fault.
func bodyError(ctx context.Context, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &te) {
		return &UpstreamError{Kind: KindServer, HTTPStatus: http.StatusOK, Message: "malformed response: " + err.Error()}
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF // an empty or cut body, not a clean end
	}
	return transportError(ctx, http.StatusOK, err)
}
