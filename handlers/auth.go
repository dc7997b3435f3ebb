package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/hagemi/hagemi/domain"
)

// Role is what a credential may do.
type Role int

// Roles.
const (
	RoleUser Role = iota
	RoleAdmin
)

// Principal is the authenticated caller of one request.
type Principal struct {
	Role Role
	// Owner is a stable, non-secret identity for memory and usage:
	// "admin", "user:<hash prefix>" or "key:<id>".
	Owner string
	// Label is safe to log and show.
	Label string
	// KeyID is the proxy key's id, 0 for static credentials.
	KeyID int64
	// Per-credential limits; 0 means none.
	RPM, RPD int
	TPD      int64
	// AllowedModels restricts the models; empty means all.
	AllowedModels []string
	// NoMemory turns conversation memory off for this credential.
	NoMemory bool
}

// Allows reports whether the principal may use model.
func (p Principal) Allows(model string) bool {
	if len(p.AllowedModels) == 0 {
		return true
	}
	for _, m := range p.AllowedModels {
		if m == model {
			return true
		}
	}
	return false
}

// ProxyKeys authenticates issued proxy keys. It is the seam the store fills
// in; a nil ProxyKeys means only the static credentials exist. It returns
// domain.ErrNotFound for an unknown key and a domain.ErrUnauthorized-wrapped
// error saying why for a known but unusable one (disabled, expired).
type ProxyKeys interface {
	AuthenticateProxyKey(ctx context.Context, secret string) (Principal, error)
}

// Credentials checks /v1 bearer tokens against the configured PASSWORD
// values, ADMIN_API_KEY, and issued proxy keys.
type Credentials struct {
	admin     *domain.SecretSet
	passwords *domain.SecretSet
	owners    []string // by password index
	keys      ProxyKeys
}

// NewCredentials builds the static credential set.
func NewCredentials(adminKey string, passwords []string, keys ProxyKeys) *Credentials {
	c := &Credentials{admin: domain.NewSecretSet(adminKey), passwords: domain.NewSecretSet(passwords...), keys: keys}
	for _, pw := range passwords {
		if pw != "" {
			sum := sha256.Sum256([]byte("hagemi-owner:" + pw))
			c.owners = append(c.owners, "user:"+hex.EncodeToString(sum[:6]))
		}
	}
	return c
}

// Configured reports whether any credential could ever authenticate. Proxy
// keys are issued by an admin, so without a static credential there are none.
func (c *Credentials) Configured() bool { return c.admin.Len()+c.passwords.Len() > 0 }

var errBadCredential = errors.New("invalid API key")

// Authenticate resolves token to a principal.
func (c *Credentials) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, errBadCredential
	}
	if c.admin.Index(token) >= 0 {
		return Principal{Role: RoleAdmin, Owner: "admin", Label: "admin"}, nil
	}
	if i := c.passwords.Index(token); i >= 0 {
		return Principal{Role: RoleUser, Owner: c.owners[i], Label: c.owners[i]}, nil
	}
	if c.keys != nil {
		p, err := c.keys.AuthenticateProxyKey(ctx, token)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, domain.ErrNotFound) {
			return Principal{}, err
		}
	}
	return Principal{}, errBadCredential
}

// tokenSource says where a request carried its credential.
type tokenSource int

// Token sources. Gemini's SDKs send x-goog-api-key (older ones and curl
// examples ?key=); OpenAI's send a bearer token.
const (
	tokenNone tokenSource = iota
	tokenBearer
	tokenGoogHeader
	tokenKeyParam
)

// gemini reports a credential sent the way Gemini clients send theirs, so
// that shared routes (/v1/models) can answer in Gemini's shape.
func (s tokenSource) gemini() bool { return s == tokenGoogHeader || s == tokenKeyParam }

// clientToken reads the caller's credential and where it came from:
// x-goog-api-key, then ?key=, then "Authorization: Bearer <token>". The
// value is always one of our credentials, never forwarded upstream.
func clientToken(r *http.Request) (string, tokenSource) {
	if v := strings.TrimSpace(r.Header.Get("x-goog-api-key")); v != "" {
		return v, tokenGoogHeader
	}
	if r.URL.RawQuery != "" { // parse only when there is something to parse
		if v := r.URL.Query().Get("key"); v != "" {
			return v, tokenKeyParam
		}
	}
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		if v := strings.TrimSpace(h[7:]); v != "" {
			return v, tokenBearer
		}
	}
	return "", tokenNone
}

type principalKey struct{}

func withPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

func principalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}
