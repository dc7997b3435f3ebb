package handlers

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/hagemi/hagemi/domain/openai"
)

// sseWriter writes an OpenAI event stream. A heartbeat goroutine sends SSE
// comments while nothing else was written for a while, so proxies in front
// (Hugging Face cuts idle connections at about 60 s) keep the connection
// while a thinking model is silent or while keys are being tried. The mutex
// keeps the heartbeat and the events from interleaving.
type sseWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController

	mu        sync.Mutex
	committed bool
	lastWrite time.Time
	broken    bool

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	buf      []byte
}

func newSSEWriter(w http.ResponseWriter, heartbeat time.Duration) *sseWriter {
	s := &sseWriter{w: w, rc: http.NewResponseController(w), lastWrite: time.Now(),
		stop: make(chan struct{}), done: make(chan struct{})}
	if heartbeat <= 0 {
		close(s.done)
		return s
	}
	go s.beat(heartbeat)
	return s
}

func (s *sseWriter) beat(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every / 3)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.mu.Lock()
			if !s.broken && now.Sub(s.lastWrite) >= every {
				s.writeLocked([]byte(": keep-alive\n\n"))
			}
			s.mu.Unlock()
		}
	}
}

// close stops the heartbeat and waits for it, so nothing writes after the
// handler returns. It may be called more than once.
func (s *sseWriter) close() {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.done
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
