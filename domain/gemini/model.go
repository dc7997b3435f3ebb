package gemini

import (
	"strings"

	"github.com/hagemi/hagemi/domain"
)

// ModelID validates a client's model string and returns the bare upstream id.
// It strips a leading "models/" and the vendor prefixes some clients add
// ("google/", "gemini/"), then allows only [A-Za-z0-9._-], so a model can
// never steer a pooled key at another API resource.
func ModelID(s string) (string, error) {
	id := strings.TrimSpace(s)
	for _, p := range []string{"models/", "google/", "gemini/"} {
		id = strings.TrimPrefix(id, p)
	}
	if id == "" {
		return "", domain.Invalid("model", "model is required")
	}
	if len(id) > 128 {
		return "", domain.Invalid("model", "model name is too long")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", domain.Invalid("model", "model name may contain only letters, digits, '.', '_' and '-'")
		}
	}
	return id, nil
}

// Generation is a model's major.minor version as a comparable number (2.5 →
// 25, 3.1 → 31), or 0 when the name carries none. Moving aliases
// ("gemini-flash-latest") count as the newest generation.
func Generation(model string) int {
	rest, ok := strings.CutPrefix(model, "gemini-")
	if !ok {
		return 0
	}
	if strings.HasSuffix(rest, "-latest") {
		return 99
	}
	major, minor := 0, 0
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		major = major*10 + int(rest[i]-'0')
		i++
	}
	if i < len(rest) && rest[i] == '.' {
		i++
		if i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			minor = int(rest[i] - '0')
		}
	}
	return major*10 + minor
}
