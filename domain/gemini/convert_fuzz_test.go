package gemini

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/openai"
)

// FuzzConvertRequest feeds arbitrary bodies to ConvertRequest for a new, a
// 2.5 and an old model (the schema cleaner): it must not panic, every error
// must be a client error, and every request must have the shape Gemini
// enforces (checkRequestShape).
func FuzzConvertRequest(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*.openai.json"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	media := map[string]Blob{"https://example.com/cat.png": {MimeType: "image/png", Data: "iVBORw0KGgo="}}
	signature := func(id string) (string, bool) { return "c2ln", id == "call_1" }
	f.Fuzz(func(t *testing.T, body []byte) {
		var req openai.ChatRequest
		if json.Unmarshal(body, &req) != nil {
			return
		}
		for _, model := range []string{"gemini-3-pro-preview", "gemini-2.5-flash", "gemini-2.0-flash"} {
			got, err := ConvertRequest(&req, ConvertOptions{Model: model, Media: media, Signature: signature, MaxOutputTokens: 8192})
			if err != nil {
				var fe *domain.FieldError
				if !errors.As(err, &fe) {
					t.Fatalf("%s: error %v is not a *domain.FieldError", model, err)
				}
				continue
			}
			checkRequestShape(t, got.Request)
			if _, err := json.Marshal(got.Request); err != nil {
				t.Fatalf("%s: marshal: %v", model, err)
			}
		}
	})
}
