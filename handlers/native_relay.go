package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
)

// errClientGone ends an attempt whose client stopped reading: nothing is
// retried or reported for it.
var errClientGone = errors.New("handlers: client went away")

// maxUnaryBody bounds a non-stream answer held in memory (image output is
// a few MB; this only guards against a runaway upstream).
const maxUnaryBody = 256 << 20

// relayBufs are the copy buffers of streams, reused across requests.
var relayBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// relayUnary reads a whole non-stream answer before sending any of it, so
// that a body cut off halfway is retried with the next key like any other
// failure, then passes it through unchanged and records its usage.
func relayUnary(ctx context.Context, d *Deps, w http.ResponseWriter, lease domain.Lease, resp *http.Response) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxUnaryBody+1))
	if err != nil {
		return err
	}
	if len(body) > maxUnaryBody {
		return &gemini.UpstreamError{Kind: gemini.KindServer, HTTPStatus: resp.StatusCode, Message: "answer too large to relay"}
	}
	var sc gemini.Scanner
	sc.Write(body)
	succeeded(ctx, d, lease, &gemini.Reply{Usage: sc.Usage()})
	h := w.Header()
	h.Set("Content-Type", resp.Header.Get("Content-Type"))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
	return nil
}

// relayStream copies a stream to the client as it arrives, flushing after
// every read, in whichever shape the client asked for (SSE with alt=sse,
// Google's JSON array without). Bytes are held back only until the first
// complete event: an error or a broken connection before it can still be
// retried with the next key. It reports whether anything reached the
// client.
func relayStream(ctx context.Context, d *Deps, w http.ResponseWriter, lease domain.Lease, resp *http.Response) (started bool, err error) {
	bp := relayBufs.Get().(*[]byte)
	defer relayBufs.Put(bp)
	buf := *bp
	rc := http.NewResponseController(w)
	sse := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	var sc gemini.Scanner
	var held []byte
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			sc.Write(buf[:n])
			if !started && sc.Events() == 0 {
				if e := sc.Err(); e != nil {
					return false, e // Google's error before any content
				}
				held = append(held, buf[:n]...)
			} else {
				if !started {
					started = true
					w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
					w.WriteHeader(resp.StatusCode)
					if _, err := w.Write(held); err != nil {
						return true, errClientGone
					}
					held = nil
				}
				if _, err := w.Write(buf[:n]); err != nil {
					return true, errClientGone
				}
				if err := rc.Flush(); err != nil {
					return true, errClientGone
				}
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if started {
				endWithError(w, rc, &sc, sse, rerr)
			}
			return started, rerr
		}
	}
	switch {
	case !started && sc.Err() != nil:
		return false, sc.Err()
	case !started:
		return false, gemini.Truncated() // an empty 200: try another key
	case sc.Err() != nil:
		return true, sc.Err() // already passed through as Google sent it
	case !sc.Finished():
		endWithError(w, rc, &sc, sse, gemini.Truncated())
		return true, gemini.Truncated()
	}
	succeeded(ctx, d, lease, &gemini.Reply{Usage: sc.Usage()})
	return true, nil
}

// endWithError tells an SSE client that the stream broke, with an error
// event the genai SDKs raise, when the break fell between events. A stream
// that ends at an event boundary would otherwise look complete. A JSON
// array stream without its closing bracket already fails to parse.
func endWithError(w http.ResponseWriter, rc *http.ResponseController, sc *gemini.Scanner, sse bool, err error) {
	if !sse || !sc.Between() {
		return
	}
	e := statusFor(err)
	b, _ := json.Marshal(geminiEnvelope{Error: geminiStatus{Code: e.Status, Message: e.Message, Status: rpcStatus(e.Status)}})
	w.Write([]byte("data: " + string(b) + "\r\n\r\n"))
	rc.Flush()
}
