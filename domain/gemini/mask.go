package gemini

import (
	"regexp"
	"strings"

	"github.com/hagemi/hagemi/domain"
)

var (
	// googleKeyRE matches Google API keys (AIza + 35 characters) and lookalikes,
	// cut or padded, that are long enough to be a secret.
	googleKeyRE = regexp.MustCompile(`AIza[0-9A-Za-z_\-]{20,}`)
	// keyParamRE matches keys that follow a marker: a ?key= query value,
	// Google's "Consumer 'api_key:…'" text and a logged x-goog-api-key header.
	keyParamRE = regexp.MustCompile(`(?i)(x-goog-api-key:\s*|api_key:|key=)([^\s&"',;)<>\]]+)`)
)

// RedactKeys masks every API key in s with domain.MaskSecret: AIza… tokens, key=…
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
		return prefix + domain.MaskSecret(val)
	})
	return googleKeyRE.ReplaceAllStringFunc(s, domain.MaskSecret)
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
