package handlers

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/hagemi/hagemi/domain/gemini"
)

// geminiEnvelope is Google's error body, {"error":{"code","message",
// "status"}}, which the genai SDKs parse into their APIError.
type geminiEnvelope struct {
	Error geminiStatus `json:"error"`
}

type geminiStatus struct {
	Code    int              `json:"code"`
	Message string           `json:"message"`
	Status  string           `json:"status"`
	Details []map[string]any `json:"details,omitempty"`
}

// writeGeminiError writes e in Google's envelope, with the same retry
// headers as the OpenAI routes. A wait goes in a RetryInfo detail too,
// where Gemini clients look for it.
func writeGeminiError(w http.ResponseWriter, e apiError) {
	setRetryHeaders(w.Header(), e)
	st := geminiStatus{Code: e.Status, Message: e.Message, Status: rpcStatus(e.Status)}
	if e.RetryAfter > 0 {
		st.Details = []map[string]any{{"@type": "type.googleapis.com/google.rpc.RetryInfo",
			"retryDelay": strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))) + "s"}}
	}
	writeJSON(w, e.Status, geminiEnvelope{Error: st})
}

// setRetryHeaders sets what SDKs read before retrying (spec C.5).
func setRetryHeaders(h http.Header, e apiError) {
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
		h.Set("Retry-After-Ms", strconv.FormatInt(e.RetryAfter.Milliseconds(), 10))
	}
	if e.ShouldRetry != nil {
		h.Set("X-Should-Retry", strconv.FormatBool(*e.ShouldRetry))
	}
}

// rpcStatus is the google.rpc status Google pairs with an HTTP code.
func rpcStatus(code int) string {
	switch code {
	case 400, 413:
		return "INVALID_ARGUMENT"
	case 401:
		return "UNAUTHENTICATED"
	case 403:
		return "PERMISSION_DENIED"
	case 404:
		return "NOT_FOUND"
	case 409:
		return "ABORTED"
	case 429:
		return "RESOURCE_EXHAUSTED"
	case 499:
		return "CANCELLED"
	case 501:
		return "UNIMPLEMENTED"
	case 502, 503:
		return "UNAVAILABLE"
	case 504:
		return "DEADLINE_EXCEEDED"
	}
	return "INTERNAL"
}

// writeNativeFailure answers a native call that no key could serve. A
// request problem Google itself reported (bad argument, unknown model, a
// file of another project, a quota) goes back as Google sent it, keys
// masked, so native SDKs see Google's own message and details. Failures
// that are about our keys (invalid, leaked, wrong auth scheme) never do:
// the client would think its own key was refused; those, pool verdicts
// and non-JSON pages get our own envelope.
func writeNativeFailure(w http.ResponseWriter, err error) {
	var fe *gemini.ForwardError
	if errors.As(err, &fe) && passThrough(fe) {
		h := w.Header()
		h.Set("Content-Type", fe.ContentType)
		if fe.Err.Kind == gemini.KindRateLimited && fe.Err.RetryDelay > 0 {
			setRetryHeaders(h, apiError{RetryAfter: fe.Err.RetryDelay})
		}
		h.Set("Content-Length", strconv.Itoa(len(fe.Body)))
		w.WriteHeader(fe.StatusCode)
		w.Write(fe.Body)
		return
	}
	writeGeminiError(w, statusFor(err))
}

func passThrough(fe *gemini.ForwardError) bool {
	switch fe.Err.Kind {
	case gemini.KindKeyInvalid, gemini.KindAuthScheme:
		return false
	}
	return strings.Contains(fe.ContentType, "json") && len(fe.Body) > 0
}
