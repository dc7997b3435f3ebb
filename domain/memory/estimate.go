package memory

import (
	"strings"
	"unicode/utf8"

	"github.com/hagemi/hagemi/domain/gemini"
)

// Fixed token costs of media, from the Gemini token rules (spec F.2).
// Inline data is never counted by its base64 length: that is what made the
// original answer 413 to a single photo. Audio, video and PDF lengths are
// unknown without decoding, so each item counts as a typical size.
const (
	// ImageTokens is one image at Gemini 2.x's 258-token tile.
	ImageTokens = 258
	// AudioTokens is one minute of audio at 32 tokens/s.
	AudioTokens = 32 * 60
	// VideoTokens is one minute of video at 263 tokens/s.
	VideoTokens = 263 * 60
	// PDFTokens is ten pages at 258 tokens each.
	PDFTokens = 258 * 10
	// ContentTokens is the overhead of one content (role and framing).
	ContentTokens = 3
)

// Estimate returns a cheap upper-leaning token estimate of contents: Latin
// text at ceil(len/4), about one token per CJK character, JSON (function
// arguments and results) at bytes/3.5, media at the fixed costs above, plus
// ContentTokens per content. Thought signatures are opaque and not counted.
// It is exact for nothing; upstream usageMetadata is the real count.
func Estimate(contents []gemini.Content) int {
	n := 0
	for _, c := range contents {
		n += contentTokens(c)
	}
	return n
}

func contentTokens(c gemini.Content) int {
	n := ContentTokens
	for _, p := range c.Parts {
		n += textTokens(p.Text)
		switch {
		case p.FunctionCall != nil:
			n += textTokens(p.FunctionCall.Name) + jsonTokens(len(p.FunctionCall.Args))
		case p.FunctionResponse != nil:
			n += textTokens(p.FunctionResponse.Name) + jsonTokens(len(p.FunctionResponse.Response))
		case p.InlineData != nil:
			n += mediaTokens(p.InlineData.MimeType)
		case p.FileData != nil:
			n += mediaTokens(p.FileData.MimeType)
		case p.ExecutableCode != nil:
			n += textTokens(p.ExecutableCode.Code)
		case p.CodeExecutionResult != nil:
			n += textTokens(p.CodeExecutionResult.Output)
		}
	}
	return n
}

func jsonTokens(bytes int) int { return (bytes*2 + 6) / 7 }

func mediaTokens(mime string) int {
	switch {
	case strings.HasPrefix(mime, "audio/"):
		return AudioTokens
	case strings.HasPrefix(mime, "video/"):
		return VideoTokens
	case mime == "application/pdf":
		return PDFTokens
	}
	// Images and anything unknown: a file Gemini accepts inline is most
	// often an image.
	return ImageTokens
}

// textTokens counts CJK runes one each and everything else four
// characters to a token. It runs over every stored text on every request,
// so ASCII goes 8 bytes at a time.
func textTokens(s string) int {
	other, cjk := 0, 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			w := s[i : i+8] // one bounds check; the compiler merges the loads
			x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			if x&0x8080808080808080 == 0 {
				other += 8
				i += 8
				continue
			}
		}
		if s[i] < utf8.RuneSelf {
			other++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if isCJK(r) {
			cjk++
		} else {
			other++
		}
	}
	return cjk + (other+3)/4
}

func isCJK(r rune) bool {
	switch {
	case r >= 0x2E80 && r <= 0x9FFF: // radicals, kana, CJK symbols, ideographs
		return true
	case r >= 0xAC00 && r <= 0xD7AF: // Hangul syllables
		return true
	case r >= 0xF900 && r <= 0xFAFF: // compatibility ideographs
		return true
	case r >= 0xFF00 && r <= 0xFFEF: // full-width forms
		return true
	case r >= 0x20000 && r <= 0x3FFFF: // ideograph extensions B and later
		return true
	}
	return false
}
