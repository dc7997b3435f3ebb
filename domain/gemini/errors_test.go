package gemini

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain"
)

func envelope(code int, status, msg, details string) string {
	if details != "" {
		details = `,"details":[` + details + `]`
	}
	return `{"error":{"code":` + strconv.Itoa(code) + `,"message":"` + msg + `","status":"` + status + `"` + details + `}}`
}

const errorInfo = `{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"%s","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}`

func info(reason string) string { return strings.Replace(errorInfo, "%s", reason, 1) }

func TestParseErrorKinds(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		kind     Kind
		sentinel error
		retry    bool
	}{
		{"key invalid", 400, envelope(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", info("API_KEY_INVALID")), KindKeyInvalid, ErrKeyInvalid, true},
		{"key expired, no details", 400, envelope(400, "INVALID_ARGUMENT", "API key expired. Please renew the API key.", ""), KindKeyInvalid, ErrKeyInvalid, true},
		{"leaked", 403, envelope(403, "PERMISSION_DENIED", "Your API key was reported as leaked. Please use another API key.", ""), KindKeyInvalid, ErrKeyInvalid, true},
		{"suspended", 403, envelope(403, "PERMISSION_DENIED", "Permission denied: Consumer 'api_key:AIzaSyA-abcdefghijklmnopqrstuvwxyz0wxyz' has been suspended.", info("CONSUMER_SUSPENDED")), KindKeyInvalid, ErrKeyInvalid, true},
		{"service disabled", 403, envelope(403, "PERMISSION_DENIED", "Generative Language API has not been used in project 1 before or it is disabled.", info("SERVICE_DISABLED")), KindKeyInvalid, ErrKeyInvalid, true},
		{"no key", 403, envelope(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", ""), KindAuthScheme, domain.ErrForbidden, false},
		{"file of another project", 403, envelope(403, "PERMISSION_DENIED", "You do not have permission to access the File abc or it may not exist.", ""), KindPermission, domain.ErrForbidden, false},
		{"caller lacks permission", 403, envelope(403, "PERMISSION_DENIED", "The caller does not have permission", ""), KindPermission, domain.ErrForbidden, false},
		{"oauth expected", 401, envelope(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.", ""), KindAuthScheme, domain.ErrForbidden, false},
		{"model", 404, envelope(404, "NOT_FOUND", "models/gemini-foo is not found for API version v1beta, or is not supported for generateContent.", ""), KindNotFound, domain.ErrModelNotFound, false},
		{"region", 400, envelope(400, "FAILED_PRECONDITION", "User location is not supported for the API use.", ""), KindRegion, domain.ErrForbidden, false},
		{"payload", 400, envelope(400, "INVALID_ARGUMENT", "Request payload size exceeds the limit: 20971520 bytes.", ""), KindTooLarge, domain.ErrTooLarge, false},
		{"413", 413, "Request Entity Too Large", KindTooLarge, domain.ErrTooLarge, false},
		{"context old form", 400, envelope(400, "INVALID_ARGUMENT", "The input token count (1300000) exceeds the maximum number of tokens allowed (1048575).", ""), KindContextLength, domain.ErrContextLength, false},
		{"context new form", 400, envelope(400, "INVALID_ARGUMENT", "The input token count exceeds the maximum number of tokens allowed (1048576).", ""), KindContextLength, domain.ErrContextLength, false},
		{"bad request", 400, envelope(400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unknown name \\\"foo\\\" at 'generation_config': Cannot find field.", ""), KindBadRequest, domain.ErrInvalid, false},
		{"429 bare", 429, envelope(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", ""), KindRateLimited, domain.ErrRateLimited, true},
		{"500", 500, envelope(500, "INTERNAL", "Internal error encountered.", ""), KindServer, domain.ErrUpstream, true},
		{"503", 503, envelope(503, "UNAVAILABLE", "The model is overloaded. Please try again later.", ""), KindServer, domain.ErrUpstream, true},
		{"504", 504, envelope(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", ""), KindServer, domain.ErrUpstream, true},
		{"502 html", 502, "<!DOCTYPE html><html><title>Error 502 (Server Error)!!1</title><p>oops</p></html>", KindServer, domain.ErrUpstream, true},
		{"empty 500", 500, "", KindServer, domain.ErrUpstream, true},
		{"array body", 503, "[" + envelope(503, "UNAVAILABLE", "The service is currently unavailable.", "") + "]", KindServer, domain.ErrUpstream, true},
		{"in stream", 200, envelope(503, "UNAVAILABLE", "The model is overloaded.", ""), KindServer, domain.ErrUpstream, true},
		{"in stream, status only", 200, `{"error":{"message":"quota","status":"RESOURCE_EXHAUSTED"}}`, KindRateLimited, domain.ErrRateLimited, true},
		{"in stream, garbage", 200, `{"candidates": [`, KindServer, domain.ErrUpstream, true},
		{"error is a string", 400, `{"error":"bad"}`, KindBadRequest, domain.ErrInvalid, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ParseError(tt.status, []byte(tt.body))
			if e.Kind != tt.kind || e.HTTPStatus != tt.status {
				t.Errorf("kind %v, status %d; want %v, %d (%v)", e.Kind, e.HTTPStatus, tt.kind, tt.status, e)
			}
			if !errors.Is(e, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", e, tt.sentinel)
			}
			if e.Retryable() != tt.retry {
				t.Errorf("Retryable = %v; want %v", e.Retryable(), tt.retry)
			}
			if strings.Contains(e.Error(), "abcdefghijklmnopqrstuvwxyz0wxyz") {
				t.Errorf("key not masked: %v", e)
			}
		})
	}
}

func TestParseErrorQuota(t *testing.T) {
	msg := `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 250, model: gemini-2.5-flash\nPlease retry in 37.2s.`
	quota := `{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier","quotaDimensions":{"location":"global","model":"gemini-2.5-flash"},"quotaValue":"250"}]}`
	help := `{"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]}`
	retry := `{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"5.803s"}`
	unknown := `{"@type":"type.googleapis.com/google.rpc.Future","what":[1,2]}`

	full := ParseError(429, []byte(envelope(429, "RESOURCE_EXHAUSTED", msg, quota+","+help+","+unknown+","+retry)))
	want := []QuotaViolation{{QuotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
		QuotaID: "GenerateRequestsPerDayPerProjectPerModel-FreeTier", Model: "gemini-2.5-flash", Value: 250, HasValue: true}}
	if diff := cmp.Diff(want, full.Violations); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	if full.RetryDelay != 5803*time.Millisecond || !full.Daily() || full.ZeroQuota() || full.Kind != KindRateLimited {
		t.Errorf("delay %v, daily %v, zero %v, kind %v", full.RetryDelay, full.Daily(), full.ZeroQuota(), full.Kind)
	}

	// Without details, the message still says the limit and the delay.
	bare := ParseError(429, []byte(envelope(429, "RESOURCE_EXHAUSTED", strings.Replace(msg, "limit: 250", "limit: 0", 1), "")))
	if bare.RetryDelay != 37200*time.Millisecond || !bare.ZeroQuota() || len(bare.Violations) != 1 || bare.Violations[0].Model != "gemini-2.5-flash" {
		t.Errorf("fallback: delay %v, violations %+v", bare.RetryDelay, bare.Violations)
	}

	for text, want := range map[string]time.Duration{"Please retry in 1m2.5s.": 62500 * time.Millisecond, "retry in 450ms": 450 * time.Millisecond} {
		if got := ParseError(429, []byte(envelope(429, "RESOURCE_EXHAUSTED", text, ""))).RetryDelay; got != want {
			t.Errorf("%q: RetryDelay = %v; want %v", text, got, want)
		}
	}

	// A violation without quotaValue takes the message's limit.
	noValue := strings.Replace(quota, `,"quotaValue":"250"`, "", 1)
	partial := ParseError(429, []byte(envelope(429, "RESOURCE_EXHAUSTED", msg, noValue)))
	if len(partial.Violations) != 1 || partial.Violations[0].Value != 250 || !partial.Violations[0].HasValue {
		t.Errorf("merged violations = %+v", partial.Violations)
	}
}

func TestKindString(t *testing.T) {
	if got := KindRateLimited.String(); got != "rate_limited" {
		t.Errorf("String = %q", got)
	}
	if got := Kind(0).String(); got != "unknown" {
		t.Errorf("String = %q", got)
	}
	if got := Kind(99).String(); got != "kind(99)" {
		t.Errorf("String = %q", got)
	}
}
