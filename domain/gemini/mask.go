package gemini

import (
	"regexp"
	"strings"
)

// maskedKey is what a key too short to abbreviate turns into: showing any of
// it would reveal too large a share of the secret.
const maskedKey = "****"

// MaskKey abbreviates an API key for logs and pages: the first 4 and last 4
// characters around "…" ("AIza…wxyz"). Keys shorter than 12 characters, or
// not plain ASCII, are masked completely.
func MaskKey(k string) string {
	if k == "" {
		return ""
	}
	if len(k) < 12 || !isASCII(k) {
		return maskedKey
	}
	return k[:4] + "…" + k[len(k)-4:]
}

var (
	// googleKeyRE matches Google API keys (AIza + 35 characters) and lookalikes,
	// cut or padded, that are long enough to be a secret.
	googleKeyRE = regexp.MustCompile(`AIza[0-9A-Za-z_\-]{20,}`)
	// keyParamRE matches keys that follow a marker: a ?key= query value,
	// Google's "Consumer 'api_key:…'" text and a logged x-goog-api-key header.
	keyParamRE = regexp.MustCompile(`(?i)(x-goog-api-key:\s*|api_key:|key=)([^\s&"',;)<>\]]+)`)
)

// RedactKeys masks every API key in s with MaskKey: AIza… tokens, key=…
// query values, "api_key:…" and "x-goog-api-key: …". Already masked values
// are left alone, so redacting twice changes nothing. Use it on anything
// upstream-derived that is logged or echoed.
func RedactKeys(s string) string {
	if !strings.Contains(s, "AIza") && !containsFold(s, "key") {
		return s // the common case: nothing that could hold a key
	}
	s = keyParamRE.ReplaceAllStringFunc(s, func(m string) string {
		loc := keyParamRE.FindStringSubmatchIndex(m)
		prefix, val := m[:loc[3]], m[loc[4]:loc[5]]
		if strings.Contains(val, "…") || strings.Trim(val, "*") == "" {
			return m
		}
		return prefix + MaskKey(val)
	})
	return googleKeyRE.ReplaceAllStringFunc(s, MaskKey)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains the lower-case ASCII word sub in
// any letter case, without allocating a lowered copy of s.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}
