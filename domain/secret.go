package domain

import (
	"crypto/sha256"
	"crypto/subtle"
)

// MaskSecret shows enough of a secret to tell keys apart in logs and pages,
// never enough to use it: the first 4 and last 4 characters of a long one.
// A short or non-ASCII secret (where a byte cut could split a character)
// shows as "****"; an empty one stays empty.
func MaskSecret(s string) string {
	if s == "" {
		return ""
	}
	if len(s) < 12 || !isASCII(s) {
		return "****"
	}
	return s[:4] + "…" + s[len(s)-4:]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// SecretSet answers whether a token is one of a fixed set of secrets in
// time that does not depend on which secret matched or how much of it did.
type SecretSet struct {
	hashes [][sha256.Size]byte
}

// NewSecretSet builds the set; empty secrets are ignored.
func NewSecretSet(secrets ...string) *SecretSet {
	s := &SecretSet{}
	for _, v := range secrets {
		if v != "" {
			s.hashes = append(s.hashes, sha256.Sum256([]byte(v)))
		}
	}
	return s
}

// Index returns the position of token in the set, or -1. Comparing fixed-size
// hashes makes the time independent of the token's length, and every entry
// is compared so the time does not reveal the position either.
func (s *SecretSet) Index(token string) int {
	h := sha256.Sum256([]byte(token))
	found := -1
	for i := range s.hashes {
		if subtle.ConstantTimeCompare(h[:], s.hashes[i][:]) == 1 {
			found = i
		}
	}
	return found
}

// Len is the number of secrets.
func (s *SecretSet) Len() int { return len(s.hashes) }
