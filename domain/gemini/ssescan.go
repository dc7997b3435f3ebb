package gemini

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
)

// sseEvent is one event: the joined data: lines, or a raw block that did not
// start with data: (Google's pretty-printed error JSON).
type sseEvent struct {
	data  []byte // valid until the next call to next
	raw   bool
	atEOF bool // the body ended before the blank line that closes an event
}

// sseScanner splits a body into events: blank lines ("\n\n" or "\r\n\r\n")
// end events, "data:" with or without a space carries payload, comments and
// other fields are skipped, and a block starting with { or [ is collected
// until its brackets balance.
type sseScanner struct {
	br      *bufio.Reader
	data    []byte // data of the event being read
	hasData bool
	raw     []byte // raw block being collected
	inRaw   bool
	depth   int
	inStr   bool
	esc     bool
	long    []byte // holds lines longer than br's buffer
	started bool   // past the first line (where a BOM may sit)
}

func (s *sseScanner) next() (sseEvent, error) {
	if !s.inRaw && s.hasData { // the previous call returned data; its bytes may be reused now
		s.data, s.hasData = s.data[:0], false
	}
	if s.inRaw && s.depth <= 0 { // a raw block that balanced on the line that ended a data event
		s.inRaw = false
		return sseEvent{data: s.raw, raw: true}, nil
	}
	for {
		line, err := s.readLine()
		if err == io.EOF {
			switch {
			case s.inRaw:
				s.inRaw = false
				return sseEvent{data: s.raw, raw: true, atEOF: true}, nil
			case s.hasData:
				s.hasData = false // nothing more to reuse-reset; EOF follows
				return sseEvent{data: s.data, atEOF: true}, nil
			}
			return sseEvent{}, io.EOF
		}
		if err != nil {
			return sseEvent{}, err
		}
		if s.inRaw {
			s.raw = append(append(s.raw, line...), '\n')
			if len(s.raw) > maxEventSize {
				return sseEvent{}, eventTooLarge()
			}
			if s.scan(line); s.depth <= 0 {
				s.inRaw = false
				return sseEvent{data: s.raw, raw: true}, nil
			}
			continue
		}
		switch {
		case len(line) == 0:
			if s.hasData {
				return sseEvent{data: s.data}, nil
			}
		case bytes.HasPrefix(line, []byte("data:")):
			v := line[len("data:"):]
			if len(v) > 0 && v[0] == ' ' {
				v = v[1:]
			}
			if s.hasData {
				s.data = append(s.data, '\n') // SSE joins multi-line data with \n
			}
			if len(s.data)+len(v) > maxEventSize {
				return sseEvent{}, eventTooLarge()
			}
			s.data, s.hasData = append(s.data, v...), true
		case startsJSON(line):
			s.raw, s.inRaw, s.depth, s.inStr, s.esc = append(s.raw[:0], line...), true, 0, false, false
			s.raw = append(s.raw, '\n')
			s.scan(line)
			if s.hasData { // no blank line before the block: finish the data event first
				return sseEvent{data: s.data}, nil
			}
			if s.depth <= 0 {
				s.inRaw = false
				return sseEvent{data: s.raw, raw: true}, nil
			}
		}
		// Anything else (":" comments used as keep-alives, event:, id:, retry:,
		// stray text) carries nothing we use.
	}
}

// readLine returns the next line without its "\n" or "\r\n". A last line
// without a newline is returned before io.EOF.
func (s *sseScanner) readLine() ([]byte, error) {
	line, err := s.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.long = append(s.long[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(s.long) > maxEventSize {
				return nil, eventTooLarge()
			}
			line, err = s.br.ReadSlice('\n')
			s.long = append(s.long, line...)
		}
		line = s.long
	}
	if err != nil && (err != io.EOF || len(line) == 0) {
		return nil, err
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if !s.started {
		s.started = true
		line = bytes.TrimPrefix(line, []byte("\uFEFF"))
	}
	return line, nil
}

// scan tracks bracket depth over a raw block, skipping brackets in strings.
func (s *sseScanner) scan(line []byte) {
	for _, c := range line {
		switch {
		case s.esc:
			s.esc = false
		case s.inStr:
			if c == '\\' {
				s.esc = true
			} else if c == '"' {
				s.inStr = false
			}
		case c == '"':
			s.inStr = true
		case c == '{' || c == '[':
			s.depth++
		case c == '}' || c == ']':
			s.depth--
		}
	}
}

func startsJSON(line []byte) bool {
	line = bytes.TrimLeft(line, " \t")
	return len(line) > 0 && (line[0] == '{' || line[0] == '[')
}

func eventTooLarge() error {
	return &UpstreamError{Kind: KindServer, HTTPStatus: http.StatusOK, Message: "stream event larger than 64 MiB"}
}
