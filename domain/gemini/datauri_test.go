package gemini

import "testing"

func TestParseDataURI(t *testing.T) {
	tests := []struct {
		in, mime, data string
		ok             bool
	}{
		{"data:image/png;base64,iVBORw0KGgo=", "image/png", "iVBORw0KGgo=", true},
		{"DATA:Image/JPG;BASE64,/9j/4AAQ", "image/jpeg", "/9j/4AAQ", true},
		{"data:image/png;name=a.png;base64,iVBO\r\nRw0K", "image/png", "iVBORw0K", true},
		{"data:application/pdf;charset=binary;base64,JVBERi0x", "application/pdf", "JVBERi0x", true},
		{"data:image/webp;base64,UklGR-_A", "image/webp", "UklGR-_A", true},   // URL-safe
		{"data:image/png;base64,iVBORw0KGg", "image/png", "iVBORw0KGg", true}, // unpadded
		{"data:image/png;base64", "", "", false},                              // no comma
		{"data:;base64,iVBO", "", "", false},                                  // no MIME type
		{"data:image/png,iVBO", "", "", false},                                // not base64
		{"data:image/png;base64,", "", "", false},                             // empty
		{"data:image/png;base64,iVBO*w==", "", "", false},                     // bad character
		{"data:image/png;base64,iVB+R-w=", "", "", false},                     // mixed alphabets
		{"data:image/png;base64,iVBOR", "", "", false},                        // 4n+1 characters
		{"data:image/png;base64,iVBOR===", "", "", false},                     // three pads
		{"data:image/png;base64,iVB=", "image/png", "iVB=", true},
		{"data:image/png;base64,iV=", "", "", false}, // padded but not a multiple of 4
		{"http://example.com/a.png", "", "", false},
	}
	for _, tt := range tests {
		got, err := parseDataURI(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseDataURI(%q) error = %v; want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if got.MIMEType != tt.mime || got.Data != tt.data {
			t.Errorf("parseDataURI(%q) = %q, %q; want %q, %q", tt.in, got.MIMEType, got.Data, tt.mime, tt.data)
		}
	}
}

func TestDataURIMediaCheck(t *testing.T) {
	tests := []struct {
		mime string
		ok   bool
	}{
		{"image/png", true}, {"image/jpeg", true}, {"image/webp", true}, {"image/heic", true}, {"image/heif", true},
		{"image/gif", false}, {"image/bmp", false}, {"image/svg+xml", false}, {"image/tiff", false},
		{"application/pdf", true}, {"audio/mpeg", true}, {"video/mp4", true}, {"text/plain", true},
		{"application/zip", false}, {"application/octet-stream", false},
	}
	for _, tt := range tests {
		if got := checkMedia(tt.mime) == ""; got != tt.ok {
			t.Errorf("checkMedia(%q) ok = %v; want %v", tt.mime, got, tt.ok)
		}
	}
}
