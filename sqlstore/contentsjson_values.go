package sqlstore

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// str parses a string. Plain strings share the input's memory.
func (d *decoder) str() (string, bool) {
	d.ws()
	if d.i >= len(d.s) || d.s[d.i] != '"' {
		return "", false
	}
	start := d.i + 1
	for j := start; ; {
		if j = plainRun(d.s, j); j >= len(d.s) {
			return "", false
		}
		switch c := d.s[j]; {
		case c == '"':
			d.i = j + 1
			return d.s[start:j], true
		case c == '\\':
			return d.unescape(start, j)
		case c < 0x20:
			return "", false
		}
		r, size := utf8.DecodeRuneInString(d.s[j:])
		if r == utf8.RuneError && size == 1 {
			return "", false
		}
		j += size
	}
}

// unescape finishes a string that has an escape at j; chat text is full
// of "\n", so this path is common too. The unescaped text is never longer
// than the quoted one, so the Builder allocates once and String copies
// nothing.
func (d *decoder) unescape(start, j int) (string, bool) {
	var b strings.Builder
	b.Grow(quotedEnd(d.s, j) - start)
	b.WriteString(d.s[start:j])
	for {
		k := plainRun(d.s, j)
		b.WriteString(d.s[j:k])
		if j = k; j >= len(d.s) {
			return "", false
		}
		switch c := d.s[j]; {
		case c == '"':
			d.i = j + 1
			return b.String(), true
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(d.s[j:])
			if r == utf8.RuneError && size == 1 {
				return "", false // encoding/json would repair it; let it
			}
			b.WriteString(d.s[j : j+size])
			j += size
			continue
		}
		if j+1 >= len(d.s) {
			return "", false
		}
		switch e := d.s[j+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if j+6 > len(d.s) {
				return "", false
			}
			r, ok := hex4(d.s[j+2 : j+6])
			// Surrogate pairs and their repair are encoding/json's business.
			if !ok || utf16.IsSurrogate(r) {
				return "", false
			}
			b.WriteRune(r)
			j += 6
			continue
		default:
			return "", false
		}
		j += 2
	}
}

// raw returns the next value's bytes, as json.RawMessage holds them.
func (d *decoder) raw() (json.RawMessage, bool) {
	d.ws()
	start, depth := d.i, 0
	for d.i < len(d.s) {
		switch c := d.s[d.i]; c {
		case '"':
			if _, ok := d.str(); !ok {
				return nil, false
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case ',':
			if depth == 0 {
				return d.rawEnd(start)
			}
		}
		if depth < 0 {
			return d.rawEnd(start)
		}
		d.i++
	}
	return d.rawEnd(start)
}

func (d *decoder) rawEnd(start int) (json.RawMessage, bool) {
	v := bytes.TrimRight([]byte(d.s[start:d.i]), " \t\r\n")
	// null would mean nil for json.Unmarshal; leave that to it.
	return v, json.Valid(v) && string(v) != "null"
}

func (d *decoder) null() bool {
	d.ws()
	if len(d.s)-d.i >= 4 && d.s[d.i:d.i+4] == "null" {
		d.i += 4
		return true
	}
	return false
}

func (d *decoder) boolean() (bool, bool) {
	d.ws()
	for _, lit := range []string{"false", "true"} {
		if len(d.s)-d.i >= len(lit) && d.s[d.i:d.i+len(lit)] == lit {
			d.i += len(lit)
			return lit == "true", true
		}
	}
	return false, false
}
