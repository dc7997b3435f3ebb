package geminitest

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Server is a fake Gemini API on an httptest.Server. All methods are safe
// for concurrent use.
type Server struct {
	// URL is the base URL to put in gemini.Client.BaseURL.
	URL string

	srv      *httptest.Server
	tls      bool
	tb       testing.TB
	inFlight atomic.Int64
	seq      atomic.Int64 // responseId counter

	mu         sync.Mutex
	keys       map[string]Key
	anyKey     bool
	responders map[string]Responder // by model; "" answers every model
	models     []map[string]any
	now        func() time.Time
	usage      map[quotaKey]*quotaUsage
	reqs       []Request
	record     bool
	calls      map[string]int
	cancelled  int
	maxBody    int64
	lf         bool
}

// Key configures how the fake treats one API key.
type Key struct {
	// Project groups keys: keys of one project share quota counters, as on
	// Google. Default: the key itself.
	Project string
	// Invalid answers 400 INVALID_ARGUMENT, ErrorInfo API_KEY_INVALID.
	Invalid bool
	// Suspended answers 403 PERMISSION_DENIED, ErrorInfo CONSUMER_SUSPENDED,
	// with the full key in the message as Google does (test your masking).
	Suspended bool
	// Leaked answers 403 "Your API key was reported as leaked…", no details.
	Leaked bool
	// Disabled answers 403 PERMISSION_DENIED, ErrorInfo SERVICE_DISABLED.
	Disabled bool
	// RPM and RPD limit requests per project×model per minute (sliding
	// window) and per Pacific day; TPM limits estimated input tokens per
	// minute. 0 means unlimited. Going over answers 429 RESOURCE_EXHAUSTED
	// with QuotaFailure, Help and RetryInfo, like Google's free tier.
	RPM, RPD, TPM int
	// Fail answers every call with this HTTP status in Google's envelope
	// (500 INTERNAL, 503 UNAVAILABLE, 429 without details, 502 as an HTML
	// page like Google's front end…).
	Fail int
}

// Option configures New.
type Option func(*Server)

// WithKey adds a key, as AddKey does.
func WithKey(key string, k Key) Option { return func(s *Server) { s.keys[key] = k } }

// WithAnyKey accepts every key nobody added, with no limits.
func WithAnyKey() Option { return func(s *Server) { s.anyKey = true } }

// WithClock sets the clock used for quota windows and Pacific days.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithoutRecording keeps Requests empty (Calls and Cancelled still count),
// so load tests do not hold every body in memory.
func WithoutRecording() Option { return func(s *Server) { s.record = false } }

// WithMaxBody sets the request size limit (default 100 MiB, Google's since
// January 2026); a larger body gets Google's "Request payload size exceeds
// the limit" 400.
func WithMaxBody(n int64) Option { return func(s *Server) { s.maxBody = n } }

// WithLF frames SSE events with "\n\n" instead of Google's "\r\n\r\n".
func WithLF() Option { return func(s *Server) { s.lf = true } }

// New starts a fake and closes it when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{
		tb:         tb,
		keys:       map[string]Key{},
		responders: map[string]Responder{},
		models:     DefaultModels(),
		now:        time.Now,
		usage:      map[quotaKey]*quotaUsage{},
		record:     true,
		calls:      map[string]int{},
		maxBody:    100 << 20,
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if s.tls {
		s.srv.EnableHTTP2 = true
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
	return s
}

// WithTLS serves HTTPS with HTTP/2, as Google does, so that many streams
// share a few connections. Clients must trust Certificate (Client does;
// another process can through SSL_CERT_FILE and CertificatePEM).
func WithTLS() Option { return func(s *Server) { s.tls = true } }

// CertificatePEM is the TLS certificate in PEM, for SSL_CERT_FILE; nil
// without WithTLS.
func (s *Server) CertificatePEM() []byte {
	if !s.tls {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

// Close stops the server, cutting open connections first so a test that
// leaked a stream cannot hang its cleanup.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Client returns an http.Client for this server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// AddKey adds or replaces a key. Keys the fake does not know get 400
// API_KEY_INVALID, exactly as Google answers a wrong key.
func (s *Server) AddKey(key string, k Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[key] = k
}

// SetClock replaces the clock used for quota windows and Pacific days.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Handle scripts the replies for model's generateContent and
// streamGenerateContent (and failures of its other calls); model "" scripts
// every model without a responder of its own. A handled model is known to
// the fake even when it is not in the model list.
func (s *Server) Handle(model string, r Responder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.responders[model] = r
}

// SetModels replaces the model list served by GET /v1beta/models. Each entry
// is a Google model resource ("name": "models/<id>", …).
func (s *Server) SetModels(models []map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models = models
}

// Requests returns everything received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Calls counts the requests that carried key (in the header or the query).
func (s *Server) Calls(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[key]
}

// Cancelled counts requests whose context ended (the client went away)
// before the fake finished its reply.
func (s *Server) Cancelled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancelled
}

// InFlight counts requests being served now; it drops to 0 once every
// upstream call of a test has ended, which makes leaks visible.
func (s *Server) InFlight() int { return int(s.inFlight.Load()) }

// Wait polls cond until it holds or d passes, and reports whether it held.
// The fake learns of cancellations asynchronously, so assertions on
// Cancelled and InFlight need it.
func (s *Server) Wait(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

func (s *Server) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) markCancelled(idx int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancelled++
	if idx >= 0 && idx < len(s.reqs) {
		s.reqs[idx].Cancelled = true
	}
}
