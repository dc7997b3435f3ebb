package gemini

import (
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzParseDataURI checks that any accepted data URI really carries base64
// that decodes, with a non-empty MIME type, and that nothing panics.
func FuzzParseDataURI(f *testing.F) {
	for _, s := range []string{
		"data:image/png;base64,iVBORw0KGgo=",
		"data:image/jpg;name=a.jpg;base64,/9j/4AAQ",
		"data:;base64,AAAA",
		"data:image/png,plain",
		"DATA:IMAGE/PNG;BASE64,_-_-",
		"data:image/png;base64,\n AAAA \n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDataURI(s)
		if err != nil {
			return
		}
		if d.MIMEType == "" || d.MIMEType != strings.ToLower(d.MIMEType) {
			t.Fatalf("accepted %q with MIME type %q", s, d.MIMEType)
		}
		data := strings.TrimRight(d.Data, "=")
		if _, err := base64.RawStdEncoding.DecodeString(data); err != nil {
			if _, err2 := base64.RawURLEncoding.DecodeString(data); err2 != nil {
				t.Fatalf("accepted %q whose data does not decode: %v", s, err)
			}
		}
	})
}
