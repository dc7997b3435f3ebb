package gemini

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// maxEventSize bounds one SSE event or raw error block. Inline image output
// and thought signatures make single events many megabytes long.
const maxEventSize = 64 << 20

// Stream is an open streamGenerateContent answer. It is not safe for
// concurrent use.
type Stream struct {
	ctx  context.Context
	body io.ReadCloser
	sc   sseScanner
	err  error // sticky: once the stream ended or failed, Next keeps saying so
}

func newStream(ctx context.Context, body io.ReadCloser) *Stream {
	return &Stream{ctx: ctx, body: body, sc: sseScanner{br: bufio.NewReaderSize(body, 4<<10)}}
}

// Next returns the next event. It returns io.EOF when the body ended
// cleanly, an *UpstreamError (HTTPStatus 200) for an error Google sent
// inside the stream, as a raw JSON block or as data: {"error":…}, or for a
// broken connection. Whether a finishReason came, and so whether a clean end
// was a truncation, is for the caller to judge (see Truncated).
func (s *Stream) Next() (*GenerateContentResponse, error) {
	for s.err == nil {
		ev, err := s.sc.next()
		switch {
		case err == io.EOF:
			s.err = io.EOF
		case err != nil:
			s.err = transportError(s.ctx, http.StatusOK, err)
		case ev.raw:
			s.err = ParseError(http.StatusOK, ev.data)
		default:
			resp, err := decodeSSEData(ev)
			if err != nil {
				s.err = err
			} else if resp != nil {
				return resp, nil
			}
		}
	}
	return nil, s.err
}

// Close releases the connection. It does not drain: after a clean end there
// is nothing left, and an abandoned stream should be cut, not read to the end.
func (s *Stream) Close() error {
	if s.body == nil {
		return nil
	}
	err := s.body.Close()
	s.body = nil
	if s.err == nil {
		s.err = errors.New("gemini: stream closed")
	}
	return err
}

// sseEnvelope is an event that may be a response or an error, so that one
// Unmarshal tells them apart.
type sseEnvelope struct {
	GenerateContentResponse
	Error *ErrorStatus `json:"error,omitempty"`
}

// decodeSSEData decodes a data: payload; nil, nil means "nothing here".
func decodeSSEData(ev sseEvent) (*GenerateContentResponse, error) {
	d := bytes.TrimSpace(ev.data)
	if len(d) == 0 || string(d) == "[DONE]" {
		return nil, nil // Google sends no [DONE]; tolerate proxies in between that do
	}
	if d[0] == '[' {
		return nil, ParseError(http.StatusOK, d)
	}
	env := new(sseEnvelope)
	if err := json.Unmarshal(d, env); err != nil {
		if ev.atEOF { // the body stopped mid-event
			e := Truncated()
			e.Message = "stream ended inside an event"
			return nil, e
		}
		return nil, &UpstreamError{Kind: KindServer, HTTPStatus: http.StatusOK, Message: "malformed stream event: " + err.Error()}
	}
	if env.Error != nil {
		return nil, upstreamFromStatus(http.StatusOK, env.Error)
	}
	return &env.GenerateContentResponse, nil
}
