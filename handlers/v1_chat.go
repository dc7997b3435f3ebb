package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/openai"
)

// chatCall is one chat request, decoded, checked and converted.
type chatCall struct {
	req       openai.ChatRequest
	model     string // bare upstream id
	converted *gemini.Converted
	// inputTokens estimates the prompt before sending, for quota checks.
	inputTokens int
	// conv is the server-side memory; nil when off.
	conv *conversation
	opts gemini.ResponseOptions
}

func handleChat(d *Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if d.RequestTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d.RequestTimeout)
			defer cancel()
		}
		call, err := prepareChat(ctx, d, w, r)
		if err != nil {
			writeAPIError(w, statusFor(err))
			return
		}
		if call.req.Stream {
			serveStream(ctx, d, w, call)
			return
		}
		serveUnary(ctx, d, w, call)
	})
}

// prepareChat decodes and validates the body and converts it for Gemini.
// Nothing upstream is called yet.
func prepareChat(ctx context.Context, d *Deps, w http.ResponseWriter, r *http.Request) (*chatCall, error) {
	call := &chatCall{}
	if err := decodeBody(w, r, d.MaxBodyBytes, &call.req); err != nil {
		return nil, err
	}
	model, err := gemini.ModelID(call.req.Model)
	if err != nil {
		return nil, err
	}
	if !principalFrom(ctx).Allows(model) {
		return nil, fmt.Errorf("%w: this key may not use model %s", domain.ErrForbidden, model)
	}
	info, known := d.Catalog.Lookup(model)
	if d.Catalog.Loaded() && (!known || !info.Supports("generateContent")) {
		return nil, fmt.Errorf("%w: the model '%s' does not exist or cannot chat", domain.ErrModelNotFound, model)
	}
	if len(call.req.Messages) == 0 {
		return nil, domain.Invalid("messages", "messages must be a non-empty array")
	}
	opts := gemini.ConvertOptions{
		Model:           model,
		SafetyThreshold: d.SafetyThreshold,
		MaxOutputTokens: info.OutputTokenLimit,
	}
	if d.Signatures != nil {
		opts.Signature = d.Signatures.Get
	}
	if urls := gemini.RemoteMediaURLs(&call.req); len(urls) > 0 && d.Fetcher != nil {
		images, err := d.Fetcher.FetchAll(ctx, urls)
		if err != nil {
			return nil, err
		}
		opts.Media = make(map[string]gemini.Blob, len(images))
		for u, img := range images {
			opts.Media[u] = gemini.Blob{MimeType: img.MimeType, Data: base64.StdEncoding.EncodeToString(img.Data)}
		}
	}
	if call.converted, err = gemini.ConvertRequest(&call.req, opts); err != nil {
		return nil, err
	}
	if call.conv, err = joinConversation(ctx, d, r, call, info.InputTokenLimit); err != nil {
		return nil, err
	}
	call.model = model
	recordOf(ctx).model = model
	call.inputTokens = estimateInput(call.converted.Request)
	call.opts = gemini.ResponseOptions{
		ID:              "chatcmpl-" + randomID(),
		Model:           call.req.Model,
		Created:         d.Now().Unix(),
		IncludeThoughts: call.converted.IncludeThoughts,
		ToolNames:       call.converted.ToolNames,
	}
	return call, nil
}

// decodeBody reads a JSON body of at most limit bytes.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	body := http.MaxBytesReader(w, r.Body, limit)
	err := json.NewDecoder(body).Decode(v)
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return fmt.Errorf("%w: the body is over the %d MB limit", domain.ErrTooLarge, limit>>20)
	case errors.Is(err, io.EOF):
		return domain.Invalid("", "the request body is empty; send a JSON object")
	case errors.As(err, &syntax):
		return domain.Invalid("", fmt.Sprintf("the body is not valid JSON (at byte %d)", syntax.Offset))
	case errors.As(err, &typ):
		return domain.Invalid(typ.Field, fmt.Sprintf("expected %s, got a JSON %s", typ.Type, typ.Value))
	}
	return domain.Invalid("", "the body could not be read as a chat request: "+err.Error())
}

// serveUnary answers a non-stream request, trying keys in turn.
func serveUnary(ctx context.Context, d *Deps, w http.ResponseWriter, call *chatCall) {
	var tried domain.Tried
	var last error
	for range d.attempts() {
		lease, err := d.Pool.AcquireContext(ctx, call.model, call.inputTokens, &tried)
		if err != nil {
			last = finalError(last, err)
			break
		}
		resp, err := d.Upstream.Generate(ctx, lease.Secret, call.model, call.converted.Request)
		if err == nil {
			out, reply, cerr := gemini.ConvertResponse(resp, call.opts)
			if cerr == nil {
				succeeded(ctx, d, lease, reply)
				call.conv.save(ctx, d, reply, true)
				writeJSON(w, http.StatusOK, out)
				return
			}
			// An answer without candidates and without a block reason is an
			// upstream glitch (a retryable error): another key may do better.
			err = cerr
		}
		if clientLeft(ctx, d, lease) {
			return
		}
		report(ctx, d, lease, outcomeOf(err))
		logAttempt(d, lease, call.model, err)
		last = err
		if !retryable(err) || ctx.Err() != nil {
			break
		}
	}
	writeAPIError(w, statusFor(last))
}

// clientLeft reports whether the client went away; the attempt then says
// nothing about the key, but the pool must still hear that it ended.
func clientLeft(ctx context.Context, d *Deps, lease domain.Lease) bool {
	if !errors.Is(ctx.Err(), context.Canceled) {
		return false
	}
	report(ctx, d, lease, domain.Outcome{Kind: domain.OutcomeNeutral})
	return true
}

// succeeded records a successful attempt: the key's usage, the caller's
// usage, and the thought signatures to replay.
func succeeded(ctx context.Context, d *Deps, lease domain.Lease, reply *gemini.Reply) {
	o := okOutcome(reply)
	report(ctx, d, lease, o)
	rec := recordOf(ctx)
	rec.tokensIn, rec.tokensOut = o.InputTokens, o.OutputTokens
	if p := principalFrom(ctx); d.Usage != nil && p.KeyID != 0 {
		d.Usage.Add(p.KeyID, o.InputTokens, o.OutputTokens)
	}
	if d.Signatures != nil && reply != nil {
		for _, s := range reply.Signatures {
			d.Signatures.Put(s.ToolCallID, s.Value)
		}
	}
}

// randomID is 24 base62 characters from crypto/rand.
func randomID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [24]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}
