package domain

import (
	"errors"
	"strings"
	"testing"
)

func TestProxyKeySpecNormalizeRejectsUnstorableText(t *testing.T) {
	for name, desc := range map[string]string{
		"too long":  strings.Repeat("é", 201),
		"NUL":       "team\x00a",
		"not UTF-8": "caf\xe9",
	} {
		s := ProxyKeySpec{Description: desc}
		var fe *FieldError
		if err := s.Normalize(); !errors.As(err, &fe) || fe.Param != "description" {
			t.Errorf("%s: Normalize() = %v; want a description FieldError", name, err)
		}
	}
	s := ProxyKeySpec{Description: "  团队 key  "}
	if err := s.Normalize(); err != nil || s.Description != "团队 key" {
		t.Errorf("Normalize() = %v, %q; want the trimmed description", err, s.Description)
	}
}
