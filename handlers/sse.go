package handlers

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/hagemi/hagemi/domain/openai"
)

// sseWriter writes an OpenAI event stream. A heartbeat sends SSE comments
// while nothing else was written for a while, so proxies in front (Hugging
// Face cuts idle connections at about 60 s) keep the connection while a
// thinking model is silent or while keys are being tried. The heartbeat is a
// timer, not a goroutine, so ten thousand open streams cost no extra stacks;
// the mutex keeps it and the events from interleaving.
type sseWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController

	mu        sync.Mutex
	committed bool
	lastWrite time.Time
	broken    bool
	stopped   bool
	every     time.Duration
	timer     *time.Timer

	buf []byte
}

func newSSEWriter(w http.ResponseWriter, heartbeat time.Duration) *sseWriter {
	s := &sseWriter{w: w, rc: http.NewResponseController(w), lastWrite: time.Now(), every: heartbeat}
	if heartbeat > 0 {
		s.mu.Lock() // beat must not see the timer before it is stored
		s.timer = time.AfterFunc(heartbeat, s.beat)
		s.mu.Unlock()
	}
	return s
}

// beat runs when the timer fires: a comment if the stream was idle for a
// whole interval, then the timer is set for the next possible idle moment.
func (s *sseWriter) beat() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.broken {
		return
	}
	if idle := time.Since(s.lastWrite); idle < s.every {
		s.timer.Reset(s.every - idle)
		return
	}
	s.writeLocked([]byte(": keep-alive\n\n"))
	s.timer.Reset(s.every)
}

// close stops the heartbeat; once it returns nothing writes any more but
// the handler. It may be called more than once.
func (s *sseWriter) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	if s.timer != nil {
		s.timer.Stop()
	}
}

// Committed reports whether the 200 and the stream headers went out.
func (s *sseWriter) Committed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.committed
}

func (s *sseWriter) writeLocked(b []byte) {
	if !s.committed {
		h := s.w.Header()
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("Connection", "keep-alive")
		h.Set("X-Accel-Buffering", "no")
		s.w.WriteHeader(http.StatusOK)
		s.committed = true
	}
	if _, err := s.w.Write(b); err != nil {
		s.broken = true
		return
	}
	if err := s.rc.Flush(); err != nil {
		s.broken = true
	}
	s.lastWrite = time.Now()
}

// raw writes pre-framed bytes and flushes.
func (s *sseWriter) raw(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.broken {
		s.writeLocked(b)
	}
}

// frame appends one "data: <json>\n\n" event for v to dst.
func frame(dst []byte, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return dst
	}
	dst = append(dst, "data: "...)
	dst = append(dst, b...)
	return append(dst, "\n\n"...)
}

// chunks writes chunks as events in one write and flush.
func (s *sseWriter) chunks(cs []openai.ChatCompletionChunk) {
	if len(cs) == 0 {
		return
	}
	s.buf = s.buf[:0]
	for i := range cs {
		s.buf = frame(s.buf, &cs[i])
	}
	s.raw(s.buf)
}

// errorEvent ends a stream that already started with an OpenAI-shaped error.
func (s *sseWriter) errorEvent(e apiError) {
	s.raw(frame(nil, errorEnvelope(e)))
}

var doneFrame = []byte("data: [DONE]\n\n")
