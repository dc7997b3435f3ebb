package gemini

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ParseError classifies a non-200 answer (or an error block inside a stream,
// with httpStatus 200) from Google's {"error":{…}} envelope. It tolerates a
// JSON array of envelopes and bodies that are not JSON at all (HTML from a
// load balancer), and never returns nil.
func ParseError(httpStatus int, body []byte) *UpstreamError {
	st, ok := decodeErrorStatus(body)
	if !ok {
		code := httpStatus
		if code == http.StatusOK {
			code = 0 // an undecodable block inside a stream: nothing says what went wrong
		}
		return &UpstreamError{Kind: errorKindFor(code, "", "", ""), HTTPStatus: httpStatus,
			Message: RedactKeys(describeBody(httpStatus, body))}
	}
	return upstreamFromStatus(httpStatus, st)
}

func decodeErrorStatus(body []byte) (*ErrorStatus, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, false
	}
	var envs []ErrorResponse
	if body[0] == '[' {
		if json.Unmarshal(body, &envs) != nil {
			return nil, false
		}
	} else {
		envs = make([]ErrorResponse, 1)
		if json.Unmarshal(body, &envs[0]) != nil {
			return nil, false
		}
	}
	for i := range envs {
		if st := &envs[i].Error; st.Code != 0 || st.Status != "" || st.Message != "" {
			return st, true
		}
	}
	return nil, false
}

// upstreamFromStatus builds the error from a decoded google.rpc.Status.
func upstreamFromStatus(httpStatus int, st *ErrorStatus) *UpstreamError {
	code := httpStatus
	if code == 0 || code == http.StatusOK { // inside a stream the envelope has the real code
		code = st.Code
		if code == 0 {
			code = codeForStatus(st.Status)
		}
	}
	e := &UpstreamError{HTTPStatus: httpStatus, Status: st.Status, Message: RedactKeys(st.Message)}
	readErrorDetails(e, st.Details)
	readQuotaText(e, st.Message)
	e.Kind = errorKindFor(code, st.Status, e.Reason, st.Message)
	return e
}

// readErrorDetails picks ErrorInfo, RetryInfo and QuotaFailure out of
// details by @type; unknown types are skipped.
func readErrorDetails(e *UpstreamError, details []map[string]any) {
	for _, d := range details {
		t, _ := d["@type"].(string)
		switch t[strings.LastIndexByte(t, '/')+1:] {
		case "google.rpc.ErrorInfo":
			e.Reason, _ = d["reason"].(string)
		case "google.rpc.RetryInfo":
			if s, ok := d["retryDelay"].(string); ok {
				if dur, err := time.ParseDuration(s); err == nil && dur > 0 {
					e.RetryDelay = dur
				}
			}
		case "google.rpc.QuotaFailure":
			vs, _ := d["violations"].([]any)
			for _, raw := range vs {
				m, ok := raw.(map[string]any)
				if !ok {
					continue
				}
				v := QuotaViolation{}
				v.QuotaMetric, _ = m["quotaMetric"].(string)
				v.QuotaID, _ = m["quotaId"].(string)
				if dims, ok := m["quotaDimensions"].(map[string]any); ok {
					v.Model, _ = dims["model"].(string)
				}
				v.Value, v.HasValue = quotaValue(m["quotaValue"])
				e.Violations = append(e.Violations, v)
			}
		}
	}
}

// quotaValue reads quotaValue, an int64 that proto JSON sends as a string.
func quotaValue(x any) (int64, bool) {
	switch v := x.(type) {
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	case float64:
		return int64(v), true
	}
	return 0, false
}

var (
	quotaLineRE   = regexp.MustCompile(`Quota exceeded for metric: ([^,\s]+), limit: (\d+)(?:, model: ([^\s,]+))?`)
	retryInTextRE = regexp.MustCompile(`(?i)retry in ((?:[0-9][0-9.]*(?:ns|us|µs|ms|s|m|h))+)`)
)

// readQuotaText falls back to the message when the structured details are
// missing: "* Quota exceeded for metric: …, limit: 10, model: …" and
// "Please retry in 37.2s.".
func readQuotaText(e *UpstreamError, msg string) {
	if e.RetryDelay == 0 {
		if m := retryInTextRE.FindStringSubmatch(msg); m != nil {
			if d, err := time.ParseDuration(m[1]); err == nil && d > 0 {
				e.RetryDelay = d
			}
		}
	}
	for _, m := range quotaLineRE.FindAllStringSubmatch(msg, -1) {
		n, err := strconv.ParseInt(m[2], 10, 64)
		if err != nil {
			continue
		}
		found := false
		for i := range e.Violations {
			if v := &e.Violations[i]; v.QuotaMetric == m[1] && (m[3] == "" || v.Model == "" || v.Model == m[3]) {
				found = true
				if !v.HasValue {
					v.Value, v.HasValue = n, true
				}
			}
		}
		if !found {
			e.Violations = append(e.Violations, QuotaViolation{QuotaMetric: m[1], Model: m[3], Value: n, HasValue: true})
		}
	}
}

// transportError classifies a failed round trip or body read. When our own
// caller cancelled ctx, that is what gets reported (wrapped), so the caller
// can tell "the client left" from "Google failed"; an expired ctx deadline
// is a KindTimeout like any other.
func transportError(ctx context.Context, httpStatus int, err error) error {
	switch ctx.Err() {
	case context.Canceled:
		return &callerGone{err: context.Canceled}
	case context.DeadlineExceeded: // the caller's time budget, not a departed client
		return &UpstreamError{Kind: KindTimeout, HTTPStatus: httpStatus, Message: "deadline exceeded: " + RedactKeys(err.Error())}
	}
	var ue *UpstreamError
	if errors.As(err, &ue) {
		return ue
	}
	kind := KindNetwork
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()) {
		kind = KindTimeout
	}
	return &UpstreamError{Kind: kind, HTTPStatus: httpStatus, Message: RedactKeys(err.Error())}
}

// callerGone wraps the caller's ctx error; errors.Is(err, context.Canceled)
// holds.
type callerGone struct{ err error }

func (e *callerGone) Error() string { return "gemini: request abandoned: " + e.err.Error() }
func (e *callerGone) Unwrap() error { return e.err }

// describeBody turns a body that is not Google's envelope (an HTML error
// page from a load balancer, plain text) into a short message.
func describeBody(status int, body []byte) string {
	s := string(body)
	if i := strings.Index(s, "<title>"); i >= 0 {
		if j := strings.Index(s[i:], "</title>"); j > 0 {
			s = s[i+len("<title>") : i+j]
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	if s == "" {
		s = http.StatusText(status)
	}
	return s
}
