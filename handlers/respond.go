package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/openai"
)

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":{"message":"internal error","type":"server_error","param":null,"code":null}}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// apiError is one /v1 error: its status, the OpenAI envelope fields and the
// retry headers the official SDKs read.
type apiError struct {
	Status      int
	Type        string
	Code        string
	Param       string
	Message     string
	RetryAfter  time.Duration
	ShouldRetry *bool
}

// statusFor maps any error to what the client sees. Upstream text reaches
// the client only for request problems, with keys masked.
func statusFor(err error) apiError {
	var fe *domain.FieldError
	var ue *gemini.UpstreamError
	var ra *domain.RetryAfterError
	no := false
	switch {
	case errors.As(err, &fe):
		return apiError{Status: 400, Type: "invalid_request_error", Param: fe.Param, Message: fe.Error()}
	case errors.As(err, &ra) && errors.Is(err, domain.ErrRateLimited):
		e := apiError{Status: 429, Type: "requests", Code: "rate_limit_exceeded", RetryAfter: ra.RetryAfter,
			Message: "Rate limit reached; retry after " + retryText(ra.RetryAfter) + "."}
		if ra.Daily {
			e.Type, e.Code, e.ShouldRetry = "insufficient_quota", "insufficient_quota", &no
			e.Message = "Daily quota exhausted; it resets at midnight Pacific time, in " + retryText(ra.RetryAfter) + "."
		}
		return e
	case errors.As(err, &ue):
		return upstreamStatus(ue)
	case errors.Is(err, domain.ErrNoKeys):
		return apiError{Status: 503, Type: "server_error", Code: "no_available_key", ShouldRetry: &no,
			Message: "No Gemini key is available to serve this request; the operator must add or fix keys."}
	case errors.Is(err, domain.ErrModelNotFound):
		return apiError{Status: 404, Type: "invalid_request_error", Code: "model_not_found", Param: "model", Message: err.Error()}
	case errors.Is(err, domain.ErrContextLength):
		return apiError{Status: 400, Type: "invalid_request_error", Code: "context_length_exceeded", Param: "messages", Message: err.Error()}
	case errors.Is(err, domain.ErrTooLarge):
		return apiError{Status: 413, Type: "invalid_request_error", Code: "request_too_large", Message: err.Error()}
	case errors.Is(err, domain.ErrInvalid):
		return apiError{Status: 400, Type: "invalid_request_error", Message: err.Error()}
	case errors.Is(err, domain.ErrUnauthorized):
		return apiError{Status: 401, Type: "invalid_request_error", Code: "invalid_api_key", Message: err.Error()}
	case errors.Is(err, domain.ErrForbidden):
		return apiError{Status: 403, Type: "permission_denied", Message: err.Error()}
	case errors.Is(err, domain.ErrUnavailable):
		return apiError{Status: 503, Type: "server_error", Message: err.Error()}
	case errors.Is(err, context.DeadlineExceeded):
		return apiError{Status: 504, Type: "server_error", Message: "The request took longer than this gateway allows."}
	case errors.Is(err, domain.ErrUpstream):
		return apiError{Status: 502, Type: "server_error", Message: "Gemini did not answer properly; try again."}
	}
	return apiError{Status: 500, Type: "server_error", Message: "Internal error."}
}

// upstreamStatus maps a classified Gemini failure (spec D.9).
func upstreamStatus(ue *gemini.UpstreamError) apiError {
	no := false
	msg := gemini.RedactKeys(ue.Message)
	switch ue.Kind {
	case gemini.KindBadRequest:
		return apiError{Status: 400, Type: "invalid_request_error", Message: "Gemini rejected the request: " + msg}
	case gemini.KindContextLength:
		return apiError{Status: 400, Type: "invalid_request_error", Code: "context_length_exceeded", Param: "messages", Message: "Gemini: " + msg}
	case gemini.KindTooLarge:
		return apiError{Status: 413, Type: "invalid_request_error", Code: "request_too_large", Message: "Gemini: " + msg}
	case gemini.KindNotFound:
		return apiError{Status: 404, Type: "invalid_request_error", Code: "model_not_found", Param: "model", Message: "Gemini: " + msg}
	case gemini.KindRegion:
		return apiError{Status: 403, Type: "invalid_request_error", Code: "unsupported_country_region_territory", Message: "Gemini is not available from this server's location."}
	case gemini.KindPermission:
		return apiError{Status: 403, Type: "permission_denied", Message: "Gemini: " + msg}
	case gemini.KindKeyInvalid, gemini.KindAuthScheme:
		return apiError{Status: 503, Type: "server_error", Code: "no_available_key", ShouldRetry: &no,
			Message: "No working Gemini key is left to serve this request."}
	case gemini.KindRateLimited:
		d := ue.RetryDelay
		if d <= 0 {
			d = domain.DefaultQuotaCooldown
		}
		if ue.Daily() {
			// Hours until the reset: tell the SDKs to stop retrying.
			return apiError{Status: 429, Type: "insufficient_quota", Code: "insufficient_quota", ShouldRetry: &no, RetryAfter: ue.RetryDelay,
				Message: "The daily Gemini quota of every key is used up for this model; it resets at midnight Pacific time."}
		}
		return apiError{Status: 429, Type: "requests", Code: "rate_limit_exceeded", RetryAfter: d,
			Message: "Every Gemini key is rate limited for this model; retry after " + retryText(d) + "."}
	case gemini.KindTimeout:
		return apiError{Status: 504, Type: "server_error", Message: "Gemini did not answer in time."}
	case gemini.KindServer:
		if ue.HTTPStatus == 504 || ue.Status == "DEADLINE_EXCEEDED" {
			return apiError{Status: 504, Type: "server_error", Message: "Gemini did not answer in time."}
		}
		if ue.HTTPStatus == 503 || ue.Status == "UNAVAILABLE" {
			return apiError{Status: 503, Type: "server_error", Message: "Gemini is overloaded; try again shortly."}
		}
	}
	return apiError{Status: 502, Type: "server_error", Message: "Gemini failed to answer; try again."}
}

func retryText(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds()))) + "s"
}

// writeAPIError writes e in the OpenAI envelope with its headers.
func writeAPIError(w http.ResponseWriter, e apiError) {
	h := w.Header()
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
		h.Set("Retry-After-Ms", strconv.FormatInt(e.RetryAfter.Milliseconds(), 10))
	}
	if e.ShouldRetry != nil {
		h.Set("X-Should-Retry", strconv.FormatBool(*e.ShouldRetry))
	}
	if e.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="hagemi"`)
	}
	writeJSON(w, e.Status, errorEnvelope(e))
}

func errorEnvelope(e apiError) openai.ErrorEnvelope {
	env := openai.ErrorEnvelope{Error: openai.ErrorBody{Message: e.Message, Type: e.Type}}
	if e.Param != "" {
		env.Error.Param = &e.Param
	}
	if e.Code != "" {
		env.Error.Code = &e.Code
	}
	return env
}
