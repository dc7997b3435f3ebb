package gemini

import (
	"net/http"
	"strings"
)

// errorKindFor classifies by HTTP code, google.rpc status and ErrorInfo
// reason; the message is only consulted where Google sends nothing
// structured (leaked keys, context length, payload size, region).
func errorKindFor(code int, status, reason, msg string) Kind {
	switch reason {
	case "API_KEY_INVALID", "API_KEY_EXPIRED", "CONSUMER_SUSPENDED", "SERVICE_DISABLED",
		"BILLING_DISABLED", "API_KEY_SERVICE_BLOCKED", "API_KEY_HTTP_REFERRER_BLOCKED",
		"API_KEY_IP_ADDRESS_BLOCKED", "API_KEY_ANDROID_APP_BLOCKED", "API_KEY_IOS_APP_BLOCKED":
		return KindKeyInvalid
	}
	has := func(s string) bool { return strings.Contains(msg, s) }
	switch {
	case code == http.StatusTooManyRequests || status == "RESOURCE_EXHAUSTED":
		return KindRateLimited
	case code == http.StatusUnauthorized || status == "UNAUTHENTICATED":
		return KindAuthScheme
	case code == http.StatusForbidden || status == "PERMISSION_DENIED":
		switch {
		case has("unregistered callers"):
			return KindAuthScheme // no key reached Google: our bug, not the key's
		case has("reported as leaked"), has("has been suspended"), has("API key expired"),
			has("has not been used in project"):
			return KindKeyInvalid
		}
		return KindPermission
	case code == http.StatusNotFound || status == "NOT_FOUND":
		return KindNotFound
	case code == http.StatusRequestEntityTooLarge || has("Request payload size exceeds"):
		return KindTooLarge
	case code == http.StatusRequestTimeout:
		return KindTimeout
	case code >= 500 || code == 499 || code < 400:
		return KindServer
	case has("API key not valid"), has("API Key not found"), has("API key expired"):
		return KindKeyInvalid
	case has("input token count") && has("exceeds"), has("exceeds the maximum number of tokens"):
		return KindContextLength
	case status == "FAILED_PRECONDITION" && (has("location") || has("country") || has("region")),
		has("User location is not supported"):
		return KindRegion
	}
	return KindBadRequest
}

// codeForStatus maps a google.rpc status to its HTTP code, for errors inside
// a stream whose envelope left out "code".
func codeForStatus(status string) int {
	switch status {
	case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE":
		return 400
	case "UNAUTHENTICATED":
		return 401
	case "PERMISSION_DENIED":
		return 403
	case "NOT_FOUND":
		return 404
	case "ABORTED", "ALREADY_EXISTS":
		return 409
	case "RESOURCE_EXHAUSTED":
		return 429
	case "CANCELLED":
		return 499
	case "UNIMPLEMENTED":
		return 501
	case "UNAVAILABLE":
		return 503
	case "DEADLINE_EXCEEDED":
		return 504
	}
	return 500
}
