package gemini

import (
	"testing"

	"github.com/hagemi/hagemi/domain"
)

func TestMaskKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"short", "****"},
		{"12345678901", "****"},
		{"AIzaSyA-abcdefghijklmnopqrstuvwxyz0wxyz", "AIza…wxyz"},
		{"sk-123456789012", "sk-1…9012"},
		{"ключ-ключ-ключ-ключ", "****"},
	}
	for _, tt := range tests {
		if got := domain.MaskSecret(tt.in); got != tt.want {
			t.Errorf("domain.MaskSecret(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactKeys(t *testing.T) {
	const key = "AIzaSyA-abcdefghijklmnopqrstuvwxyz0wxyz"
	tests := []struct{ in, want string }{
		{"nothing to see here", "nothing to see here"},
		{"Permission denied: Consumer 'api_key:" + key + "' has been suspended.", "Permission denied: Consumer 'api_key:AIza…wxyz' has been suspended."},
		{`Post "https://g.example/v1beta/models/x:generateContent?key=` + key + `&alt=sse": EOF`, `Post "https://g.example/v1beta/models/x:generateContent?key=AIza…wxyz&alt=sse": EOF`},
		{"GET /models?KEY=secretsecretsecret", "GET /models?KEY=secr…cret"},
		{"X-Goog-Api-Key: hunter2", "X-Goog-Api-Key: ****"},
		{"bare " + key + " in text", "bare AIza…wxyz in text"},
		{"a key in JSON: {\"k\":\"" + key + "\"}", "a key in JSON: {\"k\":\"AIza…wxyz\"}"},
		{"Consumer 'api_key:AIza…wxyz' again", "Consumer 'api_key:AIza…wxyz' again"},
		{"monkey business", "monkey business"},
	}
	for _, tt := range tests {
		got := RedactKeys(tt.in)
		if got != tt.want {
			t.Errorf("RedactKeys(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
		if again := RedactKeys(got); again != got {
			t.Errorf("RedactKeys is not idempotent: %q → %q", got, again)
		}
	}
}
