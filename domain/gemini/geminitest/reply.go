package geminitest

import (
	"encoding/json"
	"strings"
	"time"
)

// Responder scripts the fake's answer to one request. It runs on the
// server's goroutines, concurrently for concurrent requests.
type Responder func(req Request) Reply

// Call is a function call the fake model makes.
type Call struct {
	Name string
	Args map[string]any // nil sends {}
	ID   string         // functionCall.id; the Gemini API usually leaves it out
	// Signature is the part's thoughtSignature. On gemini-3* models the
	// first call of a reply gets a generated one when it is empty, as Google
	// always signs the first call of a step.
	Signature string
}

// Reply is what the fake answers. The zero Reply is an empty STOP answer;
// the default responder echoes the last user text.
type Reply struct {
	// Text is the answer. Streams send it in Chunks when given, else in a
	// few slices of Text; a unary answer has it in one part.
	Text   string
	Chunks []string
	// Thought is a thought summary, sent as a "thought": true part only when
	// the request asked for includeThoughts (its tokens count either way).
	Thought string
	// FunctionCalls are sent whole, in one event, after the text.
	FunctionCalls []Call
	// TrailingSignature ends a stream with an empty text part carrying this
	// thoughtSignature, as gemini-3 models do; a unary answer has it on the
	// text part.
	TrailingSignature string
	// FinishReason defaults to STOP.
	FinishReason string
	// BlockReason answers promptFeedback.blockReason with no candidates.
	BlockReason string
	// Usage replaces the final usageMetadata (counts are otherwise estimated
	// at about four characters per token, cumulative on every event).
	Usage map[string]any
	// Events, when set, are sent verbatim as the stream's events (a unary
	// answer merges them); everything above is then ignored.
	Events []json.RawMessage

	// Status fails the call with this HTTP status: ErrorBody verbatim, or
	// Google's envelope with ErrorMessage (or the stock message).
	Status       int
	ErrorBody    string
	ErrorMessage string

	// MidStreamError, a google.rpc status such as "UNAVAILABLE", ends the
	// stream after ErrorAfter events (never after the last one) with Google's
	// raw pretty-printed JSON error block, or with data: {"error":…} when
	// MidStreamDataError is set. ErrorMessage overrides the message.
	MidStreamError     string
	MidStreamDataError bool
	ErrorAfter         int
	// CutAfter ends the body cleanly after that many events (never after the
	// last one), so no finishReason arrives: a truncated stream. With Abort
	// the connection is killed instead; Abort alone kills it before any
	// byte (a unary answer: halfway through the body).
	CutAfter int
	Abort    bool
	// StallAfter stops sending after that many events and waits for the
	// client to give up (an idle stream).
	StallAfter int
	// Delay waits before the first byte and between events.
	Delay time.Duration
	// Hang never answers; the request counts as cancelled once the client
	// gives up.
	Hang bool
}

// LastUserText is the text of the last user turn (empty if none), for
// responders that echo.
func (r Request) LastUserText() string {
	body := r.norm
	if body == nil {
		body = r.Body
	}
	contents := list(body["contents"])
	for i := len(contents) - 1; i >= 0; i-- {
		c := obj(contents[i])
		if role, _ := c["role"].(string); role == "model" {
			continue
		}
		var b strings.Builder
		for _, p := range list(c["parts"]) {
			if t, ok := obj(p)["text"].(string); ok {
				b.WriteString(t)
			}
		}
		if b.Len() > 0 {
			return b.String()
		}
	}
	return ""
}

// IncludeThoughts reports whether the request asked for thought summaries.
func (r Request) IncludeThoughts() bool {
	tc := obj(obj(r.norm["generationConfig"])["thinkingConfig"])
	return tc["includeThoughts"] == true
}

// DefaultResponder answers "echo: " and the last user text (cut to 200
// characters), with a thought summary when one was asked for.
func DefaultResponder(req Request) Reply {
	text := []rune(req.LastUserText())
	if len(text) > 200 {
		text = text[:200]
	}
	r := Reply{Text: "echo: " + string(text)}
	if req.IncludeThoughts() {
		r.Thought = "The user wants an echo."
	}
	return r
}

func (s *Server) responder(model string) Responder {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.responders[model]; r != nil {
		return r
	}
	if r := s.responders[""]; r != nil {
		return r
	}
	return DefaultResponder
}

// splitText cuts text into a few rune-aligned chunks, like Google's deltas.
func splitText(text string) []string {
	rs := []rune(text)
	size := max(16, len(rs)/8+1)
	var out []string
	for len(rs) > 0 {
		n := min(size, len(rs))
		out = append(out, string(rs[:n]))
		rs = rs[n:]
	}
	return out
}
