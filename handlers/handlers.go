package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/media"
)

// Upstream is the Gemini API as the chat handlers use it; *gemini.Client
// implements it.
type Upstream interface {
	Generate(ctx context.Context, key, model string, req *gemini.GenerateContentRequest) (*gemini.GenerateContentResponse, error)
	Stream(ctx context.Context, key, model string, req *gemini.GenerateContentRequest) (*gemini.Stream, error)
}

// Catalog is the cached upstream model list; *gemini.Catalog implements it.
type Catalog interface {
	Loaded() bool
	Lookup(id string) (gemini.Model, bool)
	Models(method string) []gemini.Model
}

// MediaFetcher downloads remote images; *media.Fetcher implements it.
type MediaFetcher interface {
	FetchAll(ctx context.Context, urls []string) (map[string]media.Image, error)
}

// HealthCheck is one backend's check for /healthz. An Optional backend's
// failure shows as "degraded" but keeps the answer 200: the replica still
// serves without it (Redis), and a balancer taking every replica out at
// once would be the worse outage.
type HealthCheck struct {
	Check    func(context.Context) error
	Optional bool
}

// Deps is everything the handlers use. Nil optional fields turn their
// feature off.
type Deps struct {
	Log         *slog.Logger
	Upstream    Upstream
	Catalog     Catalog
	Pool        *domain.Pool
	Credentials *Credentials
	// IPLimiter limits each client address (MAX_REQUESTS_PER_MINUTE / _PER_DAY_PER_IP).
	IPLimiter domain.RequestLimiter
	// KeyLimiter applies per-credential limits.
	KeyLimiter domain.RequestLimiter
	// Fetcher inlines http(s) image URLs; nil refuses them (ALLOW_REMOTE_IMAGES=false).
	Fetcher    MediaFetcher
	Signatures *domain.SignatureCache
	// Keys, Conversations and Settings are the store; nil Keys means only
	// static credentials, nil Conversations turns memory off.
	Keys          ProxyKeyStore
	Conversations ConversationStore
	Settings      SettingsStore
	// Memory configures conversation memory.
	Memory MemoryConfig
	// Portal serves the browser pages; nil serves only the API.
	Portal *PortalDeps

	TrustedProxies  []netip.Prefix
	MaxBodyBytes    int64
	MaxRetries      int // 0 = every active key, capped at 5
	RequestTimeout  time.Duration
	Heartbeat       time.Duration
	SafetyThreshold string // BLOCK_NONE or OFF
	Started         time.Time
	Now             func() time.Time
	// Usage counts proxy keys' use; nil when there is no key store.
	Usage *KeyUsage
	// Access receives one line per request; nil logs none.
	Access *slog.Logger
	// Metrics records Prometheus series; nil records none. MetricsToken
	// opens /metrics beyond loopback.
	Metrics      *Metrics
	MetricsToken string
	// Health checks the backends for /healthz, by name ("database",
	// "redis"); Replica names this process there.
	Health  map[string]HealthCheck
	Replica string

	ttlCache *ttlCache
}

// New returns the whole HTTP surface.
func New(d Deps) http.Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	dp := &d
	dp.ttlCache = &ttlCache{}
	addRoutes(mux, dp)
	return recoverPanics(dp.Log, observe(dp, mux))
}

// attempts is how many keys one request may try.
func (d *Deps) attempts() int {
	if d.MaxRetries > 0 {
		return d.MaxRetries
	}
	return min(max(d.Pool.Active(), 1), 5)
}

// MemoryConfig is how server-side conversation memory behaves.
type MemoryConfig struct {
	// SaveStreamed stores streamed replies too (STREAM_SAVE_REPLY).
	SaveStreamed bool
	// DefaultMaxTokens bounds history for models of unknown context size
	// (DEFAULT_MAX_CONTEXT_TOKENS); SafetyMargin is kept free
	// (CONTEXT_TOKEN_SAFETY_MARGIN).
	DefaultMaxTokens int
	SafetyMargin     int
	// AppendUnnamed prepends the default conversation's history to requests
	// that name no conversation and carry only new turns, as the original
	// did (MEMORY_APPEND_WITHOUT_ID). Off, only named conversations
	// (X-Conversation-ID) grow that way.
	AppendUnnamed bool
}
