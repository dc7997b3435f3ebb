package gemini

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hagemi/hagemi/domain"
)

// ErrKeyInvalid is what an UpstreamError of KindKeyInvalid unwraps to: the
// upstream key itself is unusable (invalid, expired, leaked, suspended, API
// disabled) and should be taken out of the pool; another key may work.
var ErrKeyInvalid = errors.New("gemini: api key invalid")

// Kind classifies an upstream failure by what the caller should do about it.
type Kind int

// The kinds of upstream failure. The zero Kind is unknown.
const (
	KindKeyInvalid    Kind = iota + 1 // 400 API_KEY_INVALID, 403 leaked / suspended / API disabled
	KindRateLimited                   // 429 RESOURCE_EXHAUSTED
	KindServer                        // 5xx, or an unreadable answer
	KindBadRequest                    // other 400/4xx: our request is wrong
	KindContextLength                 // 400 "The input token count … exceeds …"
	KindTooLarge                      // 400 "Request payload size exceeds the limit", 413
	KindNotFound                      // 404 model unknown or retired
	KindRegion                        // 400 FAILED_PRECONDITION: location not supported
	KindPermission                    // 403 about a resource (a file of another project), not the key
	KindAuthScheme                    // 401, or no key sent: a configuration bug
	KindNetwork                       // dial, TLS or read failure
	KindTimeout                       // no answer in time
	KindTruncated                     // the stream ended without a finishReason
)

var kindNames = [...]string{"unknown", "key_invalid", "rate_limited", "server", "bad_request",
	"context_length", "too_large", "not_found", "region", "permission", "auth_scheme", "network",
	"timeout", "truncated"}

// String returns the kind's snake_case name, for logs and metrics.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// UpstreamError is a classified failure of a call to Google.
type UpstreamError struct {
	Kind       Kind
	HTTPStatus int              // upstream HTTP status; 200 for errors inside a stream, 0 if none came
	Status     string           // google.rpc status, e.g. RESOURCE_EXHAUSTED
	Message    string           // upstream message with every API key masked
	Reason     string           // ErrorInfo.reason, e.g. API_KEY_INVALID
	RetryDelay time.Duration    // RetryInfo.retryDelay (or "Please retry in …"); 0 if absent
	Violations []QuotaViolation // QuotaFailure violations (or "limit: N" lines) of a 429
}

// QuotaViolation is one QuotaFailure violation of a 429.
type QuotaViolation struct {
	QuotaMetric string // generativelanguage.googleapis.com/generate_content_free_tier_requests
	QuotaID     string // GenerateRequestsPerDayPerProjectPerModel-FreeTier
	Model       string // quotaDimensions.model
	Value       int64  // quotaValue: the limit that was hit (sent as a string)
	HasValue    bool   // quotaValue was present; Value 0 then means no quota at all
}

// PerDay reports a daily quota, which resets at midnight America/Los_Angeles.
// Ids are matched loosely because new ones keep appearing.
func (v QuotaViolation) PerDay() bool { return strings.Contains(v.QuotaID, "PerDay") }

// PerMinute reports a per-minute quota (RPM or TPM).
func (v QuotaViolation) PerMinute() bool { return strings.Contains(v.QuotaID, "PerMinute") }

// TokenBased reports an input-token quota (TPM) rather than a request count.
func (v QuotaViolation) TokenBased() bool {
	return strings.Contains(strings.ToLower(v.QuotaMetric), "token") || strings.Contains(v.QuotaID, "Token")
}

// Error describes the failure; the message never holds a full key.
func (e *UpstreamError) Error() string {
	var b strings.Builder
	b.WriteString("gemini: ")
	b.WriteString(e.Kind.String())
	if e.HTTPStatus != 0 {
		b.WriteString(": ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
	}
	if e.Status != "" {
		b.WriteString(" ")
		b.WriteString(e.Status)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Unwrap returns the sentinel the handlers map to a status: ErrKeyInvalid,
// domain.ErrRateLimited, ErrUpstream, ErrInvalid, ErrContextLength,
// ErrTooLarge, ErrModelNotFound or ErrForbidden.
func (e *UpstreamError) Unwrap() error {
	switch e.Kind {
	case KindKeyInvalid:
		return ErrKeyInvalid
	case KindRateLimited:
		return domain.ErrRateLimited
	case KindBadRequest:
		return domain.ErrInvalid
	case KindContextLength:
		return domain.ErrContextLength
	case KindTooLarge:
		return domain.ErrTooLarge
	case KindNotFound:
		return domain.ErrModelNotFound
	case KindRegion, KindPermission, KindAuthScheme:
		return domain.ErrForbidden
	default:
		return domain.ErrUpstream
	}
}

// Retryable reports whether the same request may succeed with another key
// (or the same one a little later). Request problems are never retried.
func (e *UpstreamError) Retryable() bool {
	switch e.Kind {
	case KindKeyInvalid, KindRateLimited, KindServer, KindNetwork, KindTimeout, KindTruncated:
		return true
	}
	return false
}

// Daily reports a 429 on a daily quota: waiting minutes will not help.
func (e *UpstreamError) Daily() bool {
	for _, v := range e.Violations {
		if v.PerDay() {
			return true
		}
	}
	return false
}

// ZeroQuota reports a 429 whose limit is 0: the model has no (free) quota
// for this project at all, so the key×model pair is unusable for the day.
func (e *UpstreamError) ZeroQuota() bool {
	for _, v := range e.Violations {
		if v.HasValue && v.Value == 0 {
			return true
		}
	}
	return false
}

// Truncated returns the error for a stream that ended without a
// finishReason; Stream.Next cannot tell, its caller can.
func Truncated() *UpstreamError {
	return &UpstreamError{Kind: KindTruncated, HTTPStatus: http.StatusOK,
		Message: "stream ended without a finish reason"}
}
