package geminitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// apiError is an answer in Google's error envelope.
type apiError struct {
	code    int
	status  string
	message string
	details []map[string]any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.code, e.status, e.message) }

// ErrorJSON renders Google's error envelope, pretty-printed with two-space
// indents as Google sends it. Use it for Reply.ErrorBody.
func ErrorJSON(code int, status, message string, details ...map[string]any) string {
	inner := map[string]any{"code": code, "message": message, "status": status}
	if len(details) > 0 {
		inner["details"] = details
	}
	b, _ := json.MarshalIndent(map[string]any{"error": inner}, "", "  ")
	return string(b) + "\n"
}

// statusFor gives the google.rpc status and the stock message Google uses
// for an HTTP code.
func statusFor(code int) (status, message string) {
	switch code {
	case 400:
		return "INVALID_ARGUMENT", "Request contains an invalid argument."
	case 401:
		return "UNAUTHENTICATED", "Request had invalid authentication credentials."
	case 403:
		return "PERMISSION_DENIED", "The caller does not have permission"
	case 404:
		return "NOT_FOUND", "Requested entity was not found."
	case 429:
		return "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."
	case 499:
		return "CANCELLED", "The operation was cancelled."
	case 500:
		return "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
	case 503:
		return "UNAVAILABLE", "The model is overloaded. Please try again later."
	case 504:
		return "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."
	}
	return "UNKNOWN", http.StatusText(code)
}

// codeFor maps a google.rpc status name to its HTTP code.
func codeFor(status string) int {
	for _, c := range []int{400, 401, 403, 404, 429, 499, 500, 503, 504} {
		if st, _ := statusFor(c); st == status {
			return c
		}
	}
	if status == "FAILED_PRECONDITION" {
		return 400
	}
	return 500
}

// failure is the stock error for an HTTP code.
func failure(code int) *apiError {
	st, msg := statusFor(code)
	return &apiError{code: code, status: st, message: msg}
}

// invalid is a 400 INVALID_ARGUMENT whose field violations are listed in a
// BadRequest detail, the way Google reports request problems.
func invalid(vs ...violation) *apiError {
	msgs := make([]string, len(vs))
	fvs := make([]any, len(vs))
	for i, v := range vs {
		msgs[i] = v.desc
		fvs[i] = map[string]any{"field": v.field, "description": v.desc}
	}
	return &apiError{code: 400, status: "INVALID_ARGUMENT", message: strings.Join(msgs, "\n"),
		details: []map[string]any{{"@type": typeBadRequest, "fieldViolations": fvs}}}
}

// plain is a 400 INVALID_ARGUMENT without details (what Google sends for
// most semantic checks).
func plain(format string, args ...any) *apiError {
	return &apiError{code: 400, status: "INVALID_ARGUMENT", message: fmt.Sprintf(format, args...)}
}

// violation is one problem at one field path.
type violation struct{ field, desc string }

const (
	typeBadRequest = "type.googleapis.com/google.rpc.BadRequest"
	typeErrorInfo  = "type.googleapis.com/google.rpc.ErrorInfo"
	typeLocalized  = "type.googleapis.com/google.rpc.LocalizedMessage"
	typeQuota      = "type.googleapis.com/google.rpc.QuotaFailure"
	typeHelp       = "type.googleapis.com/google.rpc.Help"
	typeRetry      = "type.googleapis.com/google.rpc.RetryInfo"
	service        = "generativelanguage.googleapis.com"
)

func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	if e.code == http.StatusBadGateway { // Google's front end answers 502 with HTML
		writeHTML(w, e.code, "Error 502 (Server Error)!!1", "The server encountered a temporary error and could not complete your request.")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.code)
	_, _ = w.Write([]byte(ErrorJSON(e.code, e.status, e.message, e.details...)))
}

// writeHTML answers like Google's front end does for unknown paths and
// gateway failures: an HTML page, not JSON.
func writeHTML(w http.ResponseWriter, code int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(code)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>%s</title>\n"+
		"  <p><b>%d.</b> <ins>That’s an error.</ins>\n  <p>%s  <ins>That’s all we know.</ins>\n", title, code, text)
}

// keyError is the answer for a key the fake rejects, or nil.
func keyError(key string, k Key, known bool) *apiError {
	switch {
	case !known || k.Invalid:
		msg := "API key not valid. Please pass a valid API key."
		return &apiError{code: 400, status: "INVALID_ARGUMENT", message: msg, details: []map[string]any{
			{"@type": typeErrorInfo, "reason": "API_KEY_INVALID", "domain": "googleapis.com",
				"metadata": map[string]any{"service": service}},
			{"@type": typeLocalized, "locale": "en-US", "message": msg},
		}}
	case k.Suspended:
		return &apiError{code: 403, status: "PERMISSION_DENIED",
			message: "Permission denied: Consumer 'api_key:" + key + "' has been suspended.",
			details: []map[string]any{{"@type": typeErrorInfo, "reason": "CONSUMER_SUSPENDED", "domain": "googleapis.com",
				"metadata": map[string]any{"consumer": "projects/" + projectNumber(key, k), "service": service}}}}
	case k.Leaked:
		return &apiError{code: 403, status: "PERMISSION_DENIED", message: "Your API key was reported as leaked. Please use another API key."}
	case k.Disabled:
		p := projectNumber(key, k)
		return &apiError{code: 403, status: "PERMISSION_DENIED",
			message: "Generative Language API has not been used in project " + p + " before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview?project=" + p + " then retry.",
			details: []map[string]any{{"@type": typeErrorInfo, "reason": "SERVICE_DISABLED", "domain": "googleapis.com",
				"metadata": map[string]any{"consumer": "projects/" + p, "service": service}}}}
	case k.Fail != 0:
		return failure(k.Fail)
	}
	return nil
}

// projectNumber is a stable, made-up project number for a key's project.
func projectNumber(key string, k Key) string {
	p := k.Project
	if p == "" {
		p = key
	}
	h := uint32(2166136261)
	for i := 0; i < len(p); i++ {
		h = (h ^ uint32(p[i])) * 16777619
	}
	return fmt.Sprintf("%d", 100000000000+uint64(h))
}
