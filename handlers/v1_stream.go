package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/openai"
)

// serveStream answers a streaming request. Keys are tried in turn until one
// produces content; only then is content sent, so a failure before that is
// retried on the next key and, if every key fails before any heartbeat went
// out, answered with a real HTTP status. After content was sent, a failure
// becomes an error event and the stream ends without a clean stop.
func serveStream(ctx context.Context, d *Deps, w http.ResponseWriter, call *chatCall) {
	sw := newSSEWriter(w, d.Heartbeat)
	defer sw.close()
	includeUsage := call.req.StreamOptions != nil && call.req.StreamOptions.IncludeUsage

	var tried domain.Tried
	var last error
	for range d.attempts() {
		lease, err := d.Pool.AcquireContext(ctx, call.model, call.inputTokens, &tried)
		if err != nil {
			last = finalError(last, err)
			break
		}
		conv := gemini.NewStreamConverter(call.opts, includeUsage)
		started, err := pump(ctx, d, sw, lease, call, conv)
		if err == nil || clientLeft(ctx, d, lease) {
			return
		}
		report(ctx, d, lease, outcomeOf(err))
		logAttempt(d, lease, call.model, err)
		if started {
			sw.errorEvent(statusFor(err))
			return
		}
		last = err
		if !retryable(err) || ctx.Err() != nil {
			break
		}
	}
	e := statusFor(last)
	// Stop the heartbeat first: it must not commit a 200 between the check
	// and the error response.
	sw.close()
	if sw.Committed() {
		sw.errorEvent(e)
		return
	}
	writeAPIError(w, e)
}

// pump runs one upstream stream through conv to the client. It reports
// whether content reached the client; before that, chunks are held back so
// the attempt can still be retried.
func pump(ctx context.Context, d *Deps, sw *sseWriter, lease domain.Lease, call *chatCall, conv *gemini.StreamConverter) (started bool, err error) {
	st, err := d.Upstream.Stream(ctx, lease.Secret, call.model, call.converted.Request)
	if err != nil {
		return false, err
	}
	defer st.Close()
	var held []openai.ChatCompletionChunk
	var out []openai.ChatCompletionChunk
	for {
		ev, err := st.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return started, err
		}
		out = conv.Next(ev, out[:0])
		if !started {
			held = append(held, out...)
			if !conv.Started() {
				continue
			}
			started = true
			out, held = held, nil
		}
		sw.chunks(out)
	}
	out, err = conv.Finish(held)
	if err != nil {
		return started, err
	}
	// The answer is complete: record it before the client sees its end.
	reply := conv.Reply()
	succeeded(ctx, d, lease, reply)
	call.conv.save(ctx, d, reply, d.Memory.SaveStreamed)
	sw.chunks(out)
	sw.raw(doneFrame)
	return true, nil
}
