package sqlstore

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// plainRun returns the index of the first byte at or after i that is not
// plain ASCII: a quote, a backslash, a control character or the start of
// a multi-byte rune. Chat text is mostly plain, so it checks 8 bytes at a
// time; a false alarm only falls through to the byte loop.
func plainRun(s string, i int) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8] // one bounds check; the compiler merges the loads
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		q, bs := x^(lo*'"'), x^(lo*'\\')
		// Per byte: below 0x20 (borrows into the top bit), equal to '"' or
		// '\\' (zero after the xor), or top bit already set.
		if ((x-lo*0x20)|((q-lo)&^q)|((bs-lo)&^bs)|x)&hi != 0 {
			break
		}
	}
	for i < len(s) && s[i] >= 0x20 && s[i] < utf8.RuneSelf && s[i] != '"' && s[i] != '\\' {
		i++
	}
	return i
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

// quotedEnd returns the index of the quote that ends the string escaped
// at j, or len(s).
func quotedEnd(s string, j int) int {
	for {
		q := strings.IndexByte(s[j:], '"')
		if q < 0 {
			return len(s)
		}
		j += q
		n := 0
		for n < j && s[j-1-n] == '\\' {
			n++
		}
		if n%2 == 0 {
			return j
		}
		j++
	}
}

func hex4(s string) (rune, bool) {
	var r rune
	for i := range 4 {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
