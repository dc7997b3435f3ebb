package geminitest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// reply answers a validated, admitted POST with the scripted Reply.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, req Request, idx int) {
	rep := s.responder(req.Model)(req)
	ctx := r.Context()
	if rep.Hang {
		<-ctx.Done()
		s.markCancelled(idx)
		return
	}
	if !s.sleep(ctx, rep.Delay, idx) {
		return
	}
	if rep.Status != 0 {
		if rep.ErrorBody != "" {
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			w.WriteHeader(rep.Status)
			_, _ = w.Write([]byte(rep.ErrorBody))
			return
		}
		e := failure(rep.Status)
		if rep.ErrorMessage != "" {
			e.message = rep.ErrorMessage
		}
		s.writeError(w, e)
		return
	}
	if rep.Abort && rep.CutAfter == 0 && req.Stream {
		panic(http.ErrAbortHandler) // kills the connection: the client sees a network error
	}
	switch req.Action {
	case actCount:
		s.countTokens(w, req)
		return
	case actEmbed, actBatch:
		s.embed(w, req)
		return
	}
	events := s.events(req, rep)
	if req.Stream {
		s.stream(ctx, w, req, idx, rep, events)
		return
	}
	body, _ := json.MarshalIndent(merge(events), "", "  ")
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if rep.Abort || rep.CutAfter > 0 {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
	_, _ = w.Write(append(body, '\n'))
}

// stream writes events as SSE (alt=sse) or as Google's growing JSON array,
// flushing after each, and plays the scripted failure.
func (s *Server) stream(ctx context.Context, w http.ResponseWriter, req Request, idx int, rep Reply, events []map[string]any) {
	sep := "\r\n\r\n"
	if s.lf {
		sep = "\n\n"
	}
	rc := http.NewResponseController(w)
	if req.SSE {
		w.Header().Set("Content-Type", "text/event-stream")
	} else {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	}
	w.WriteHeader(http.StatusOK)
	send := func(b []byte) bool {
		if _, err := w.Write(b); err != nil || rc.Flush() != nil {
			s.markCancelled(idx)
			return false
		}
		return true
	}
	n, stop := len(events), ""
	switch {
	case rep.MidStreamError != "":
		n, stop = min(rep.ErrorAfter, n-1), "error"
	case rep.CutAfter > 0:
		n, stop = min(rep.CutAfter, n-1), "cut"
	case rep.StallAfter > 0:
		n, stop = min(rep.StallAfter, n-1), "stall"
	}
	n = max(n, 0)
	for i := range n {
		if i > 0 && !s.sleep(ctx, rep.Delay, idx) {
			return
		}
		var frame []byte
		if req.SSE {
			b, _ := json.Marshal(events[i])
			frame = append(append([]byte("data: "), b...), sep...)
		} else {
			b, _ := json.MarshalIndent(events[i], "", "  ")
			frame = append([]byte(arraySep(i)), b...)
		}
		if !send(frame) {
			return
		}
	}
	switch stop {
	case "error":
		code := codeFor(rep.MidStreamError)
		_, msg := statusFor(code)
		if rep.ErrorMessage != "" {
			msg = rep.ErrorMessage
		}
		body := ErrorJSON(code, rep.MidStreamError, msg)
		switch {
		case !req.SSE:
			body = arraySep(n) + body + "]"
		case rep.MidStreamDataError:
			var compact map[string]any
			_ = json.Unmarshal([]byte(body), &compact)
			b, _ := json.Marshal(compact)
			body = "data: " + string(b) + sep
		}
		send([]byte(body))
	case "cut":
		if rep.Abort {
			panic(http.ErrAbortHandler)
		}
	case "stall":
		<-ctx.Done()
		s.markCancelled(idx)
	default:
		if !req.SSE {
			send([]byte("]"))
		}
	}
}

// arraySep is what precedes element i of a stream without alt=sse.
func arraySep(i int) string {
	if i == 0 {
		return "["
	}
	return "\n,\r\n"
}

// sleep waits d unless the client leaves first; it reports whether to go on.
func (s *Server) sleep(ctx context.Context, d time.Duration, idx int) bool {
	if d <= 0 {
		return ctx.Err() == nil || s.cancel(idx)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		s.markCancelled(idx)
		return false
	}
}

func (s *Server) cancel(idx int) bool {
	s.markCancelled(idx)
	return false
}
