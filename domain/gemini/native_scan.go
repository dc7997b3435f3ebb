package gemini

import (
	"bytes"
	"encoding/json"
)

// maxScanDepth is how deep the scanner tells objects from arrays; deeper
// containers are still balanced, only their keys go unrecognised.
const maxScanDepth = 64

// Scanner watches a Gemini response go by without holding it: a single
// JSON object (generateContent, countTokens, embeddings), an SSE stream
// (alt=sse) or Google's growing JSON array (a stream without alt=sse), fed
// in pieces of any size. It balances braces instead of parsing, so the
// bytes can be copied to the client as they arrive, and keeps only what the
// pool needs: the last top-level usageMetadata (cumulative in streams), the
// first error block and whether a finishReason or blockReason came.
//
// Everything outside top-level objects ("data: ", "[", ",", "]", blank
// lines) is ignored, which is what makes the three shapes one.
type Scanner struct {
	depth      int
	objs       uint64 // bit d: the container at depth d is an object
	expectKey  bool   // the next string at this depth is a key
	inStr      bool
	esc        bool
	isKey      bool
	key        [16]byte
	keyLen     int // -1 once the key is too long to be one we watch
	pending    byte
	capturing  byte // 'u' usageMetadata, 'e' error: the value being copied
	captured   []byte
	events     int
	usageRaw   []byte // the last usageMetadata, decoded only when asked for
	usage      *UsageMetadata
	err        *UpstreamError
	errorEvent bool
	finish     bool
}

// Write scans p. It never fails, so a Scanner can sit in an io.TeeReader.
func (s *Scanner) Write(p []byte) (int, error) {
	from := 0 // where the bytes being captured start in p
	for i := 0; i < len(p); i++ {
		c := p[i]
		if s.inStr {
			i = s.stringBytes(p, i)
			continue
		}
		switch c {
		case '"':
			s.inStr, s.isKey = true, s.expectKey && s.inObject()
			s.keyLen = 0
		case '{', '[':
			if c == '[' && s.depth == 0 {
				continue // the JSON-array stream's outer bracket
			}
			if s.depth == 1 && s.pending != 0 && c == '{' {
				s.capturing, from = s.pending, i
			}
			s.pending = 0
			s.depth++
			if s.depth < maxScanDepth {
				s.objs = s.objs&^(1<<s.depth) | boolBit(c == '{')<<s.depth
			}
			s.expectKey = c == '{'
		case '}', ']':
			if s.depth == 0 {
				continue
			}
			s.depth--
			s.expectKey = false
			if s.depth == 1 && s.capturing != 0 {
				s.captured = append(s.captured, p[from:i+1]...)
				s.endCapture()
			}
			if s.depth == 0 {
				s.endEvent()
			}
		case ',':
			s.expectKey = s.inObject()
			if s.depth == 1 {
				s.pending = 0 // the watched key had a non-object value
			}
		case ':':
			s.expectKey = false
		}
	}
	if s.capturing != 0 {
		s.captured = append(s.captured, p[from:]...)
	}
	return len(p), nil
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func (s *Scanner) inObject() bool {
	return s.depth > 0 && s.depth < maxScanDepth && s.objs&(1<<s.depth) != 0
}

// stringBytes consumes string content from p[i:] up to and including the
// next quote or backslash, at memchr speed (text and base64 media make up
// most of a response), collecting the bytes of a key. It returns the index
// of the last byte consumed.
func (s *Scanner) stringBytes(p []byte, i int) int {
	if s.esc { // the byte after a backslash, whatever it is
		s.esc = false
		return i
	}
	q := bytes.IndexByte(p[i:], '"')
	if q < 0 {
		q = len(p) - i
	}
	if b := bytes.IndexByte(p[i:i+q], '\\'); b >= 0 {
		q = b
	}
	if s.isKey && s.keyLen >= 0 {
		if s.keyLen+q <= len(s.key) {
			s.keyLen += copy(s.key[s.keyLen:], p[i:i+q])
		} else {
			s.keyLen = -1 // longer than any key we watch
		}
	}
	i += q
	switch {
	case i == len(p):
		return i - 1 // the string goes on in the next piece
	case p[i] == '\\':
		s.esc = true
		s.keyLen = -1 // an escaped key is none we watch
	default: // the closing quote
		s.inStr = false
		if s.isKey && s.keyLen > 0 {
			s.sawKey(string(s.key[:s.keyLen]))
		}
	}
	return i
}

func (s *Scanner) sawKey(k string) {
	switch {
	case k == "finishReason" || k == "blockReason":
		s.finish = true
	case s.depth == 1 && k == "usageMetadata":
		s.pending = 'u'
	case s.depth == 1 && k == "error":
		s.pending = 'e'
	}
}

func (s *Scanner) endCapture() {
	switch s.capturing {
	case 'u':
		// Every event carries the running total: keep the bytes, not a
		// decode per event.
		s.usageRaw = append(s.usageRaw[:0], s.captured...)
		s.usage = nil
	case 'e':
		s.errorEvent = true
		if s.err == nil {
			body := append(append([]byte(`{"error":`), s.captured...), '}')
			s.err = ParseError(200, body)
		}
	}
	s.capturing, s.captured = 0, s.captured[:0]
}

func (s *Scanner) endEvent() {
	if !s.errorEvent {
		s.events++
	}
	s.errorEvent, s.pending, s.capturing = false, 0, 0
}

// Events is the number of complete top-level objects that were not errors.
func (s *Scanner) Events() int { return s.events }

// Usage is the last top-level usageMetadata seen, or nil.
func (s *Scanner) Usage() *UsageMetadata {
	if s.usage == nil && len(s.usageRaw) > 0 {
		var u UsageMetadata
		if json.Unmarshal(s.usageRaw, &u) == nil {
			s.usage = &u
		}
	}
	return s.usage
}

// Err is the first error block seen ({"error":{…}} at the top level, as a
// whole body, an SSE event or a raw block after a stream began), or nil.
func (s *Scanner) Err() *UpstreamError { return s.err }

// Finished reports whether a finishReason or blockReason was seen; a
// stream that ends without one was cut short.
func (s *Scanner) Finished() bool { return s.finish }

// Between reports whether the scanner stands between top-level objects, so
// that more could be appended without breaking one.
func (s *Scanner) Between() bool { return s.depth == 0 && !s.inStr }
