package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/memory"
)

// nativeCall is one native POST, checked and ready to send.
type nativeCall struct {
	model  string // bare upstream id
	action string
	// poolModel is what the pool tracks the call under: countTokens has
	// its own quota at Google, so it must neither use up nor clear the
	// model's generation quota.
	poolModel   string
	target      string // upstream path and query, key= removed later
	body        []byte
	inputTokens int
	stream      bool
}

func handleNative(d *Deps, fwd Forwarder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fwd == nil {
			writeGeminiError(w, apiError{Status: http.StatusNotImplemented, Message: "This gateway was built without native Gemini pass-through."})
			return
		}
		ctx := r.Context()
		if d.RequestTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d.RequestTimeout)
			defer cancel()
		}
		call, err := prepareNative(d, w, r)
		if err != nil {
			writeGeminiError(w, statusFor(err))
			return
		}
		serveNative(ctx, d, fwd, w, r, call)
	})
}

// prepareNative checks the model and method and reads the body. Nothing
// upstream is called yet.
func prepareNative(d *Deps, w http.ResponseWriter, r *http.Request) (*nativeCall, error) {
	rest := r.PathValue("rest")
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return nil, fmt.Errorf("%w: POST %s names no method; use models/{model}:generateContent and the like", domain.ErrModelNotFound, r.URL.Path)
	}
	action := rest[i+1:]
	if _, ok := nativeActions[action]; !ok {
		return nil, fmt.Errorf("%w: method %s is not served here; this gateway serves generateContent, streamGenerateContent, countTokens, embedContent and batchEmbedContents", domain.ErrModelNotFound, action)
	}
	model, err := gemini.ModelID(rest[:i])
	if err != nil {
		return nil, err
	}
	if !principalFrom(r.Context()).Allows(model) {
		return nil, fmt.Errorf("%w: this key may not use model %s", domain.ErrForbidden, model)
	}
	if info, known := d.Catalog.Lookup(model); d.Catalog.Loaded() && (!known || !supportsNative(info, action)) {
		return nil, fmt.Errorf("%w: models/%s is not found, or is not supported for %s", domain.ErrModelNotFound, model, nativeActions[action])
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, d.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, fmt.Errorf("%w: the body is over the %d MB limit", domain.ErrTooLarge, d.MaxBodyBytes>>20)
	} else if err != nil {
		return nil, fmt.Errorf("%w: reading the body: %v", domain.ErrInvalid, err)
	}
	recordOf(r.Context()).model = model
	call := &nativeCall{model: model, action: action, poolModel: model, body: body,
		stream: action == "streamGenerateContent", target: "/v1beta/models/" + model + ":" + action}
	// Google's v1 and v1beta take the same bodies for these methods, and
	// v1beta is the superset, so both client prefixes go to v1beta.
	if r.URL.RawQuery != "" {
		call.target += "?" + r.URL.RawQuery
	}
	// A rough size for the quota pre-check; only generation bodies are
	// parsed for a better one.
	call.inputTokens = min(len(body)/4, 1<<21)
	switch action {
	case "countTokens":
		call.poolModel = model + ":countTokens"
	case "generateContent", "streamGenerateContent":
		if err := readPrompt(d, call); err != nil {
			return nil, err
		}
	}
	return call, nil
}

// readPrompt estimates a generation body's input tokens (media at their
// fixed costs, not by base64 length) and adds the gateway's safety policy
// when the client chose none.
func readPrompt(d *Deps, call *nativeCall) error {
	var p gemini.NativePrompt
	err := json.Unmarshal(call.body, &p)
	var syntax *json.SyntaxError
	switch {
	case len(bytes.TrimSpace(call.body)) == 0:
		return nil // Google answers an empty body itself
	case errors.As(err, &syntax):
		return domain.Invalid("", fmt.Sprintf("Invalid JSON payload received (at byte %d).", syntax.Offset))
	case err != nil:
		return nil // a wrongly typed field: Google names it better than we could
	}
	call.inputTokens = memory.Estimate(p.Contents)
	if s := p.System(); s != nil {
		call.inputTokens += memory.Estimate([]gemini.Content{*s})
	}
	if !p.HasSafety() {
		call.body = gemini.WithSafetySettings(call.body, d.SafetyThreshold)
	}
	return nil
}

// serveNative tries keys in turn until one answers. A failure is retried
// on the next key only while nothing has reached the client.
func serveNative(ctx context.Context, d *Deps, fwd Forwarder, w http.ResponseWriter, r *http.Request, call *nativeCall) {
	var tried domain.Tried
	var last error
	for range d.attempts() {
		lease, err := d.Pool.AcquireContext(ctx, call.poolModel, call.inputTokens, &tried)
		if err != nil {
			last = finalError(last, err)
			break
		}
		started, err := attemptNative(ctx, d, fwd, w, r, lease, call)
		if err == nil || clientLeft(ctx, d, lease) {
			return
		}
		if errors.Is(err, errClientGone) { // a write failed before ctx said so
			report(ctx, d, lease, domain.Outcome{Kind: domain.OutcomeNeutral})
			return
		}
		report(ctx, d, lease, outcomeOf(err))
		logAttempt(d, lease, call.model, err)
		if started {
			return // the stream carried Google's error, or ends cut short
		}
		last = err
		if !retryable(err) || ctx.Err() != nil {
			break
		}
	}
	writeNativeFailure(w, last)
}

// attemptNative sends the call with one key and relays a 2xx answer.
func attemptNative(ctx context.Context, d *Deps, fwd Forwarder, w http.ResponseWriter, r *http.Request, lease domain.Lease, call *nativeCall) (bool, error) {
	resp, err := fwd.Forward(ctx, lease.Secret, http.MethodPost, call.target, bytes.NewReader(call.body), r.Header)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if call.stream {
		return relayStream(ctx, d, w, lease, resp)
	}
	return false, relayUnary(ctx, d, w, lease, resp)
}
