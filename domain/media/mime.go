package media

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
)

// accepted holds the image types Gemini takes as inline data.
var accepted = map[string]bool{
	"image/png":  true,
	"image/jpeg": true,
	"image/webp": true,
	"image/heic": true,
	"image/heif": true,
}

// imageType trusts the Content-Type header when it names an accepted type,
// because that is what the server meant; otherwise it sniffs the bytes, since
// object stores often serve images as application/octet-stream.
func imageType(header string, data []byte) (string, error) {
	declared := ""
	if mt, _, err := mime.ParseMediaType(header); err == nil {
		declared = normalize(mt)
	}
	if accepted[declared] {
		return declared, nil
	}
	sniffed := sniff(data)
	if accepted[sniffed] {
		return sniffed, nil
	}
	// Name the declared type when it says something (image/svg+xml sniffs as
	// text/xml); ParseMediaType only lets token characters through.
	shown := sniffed
	if declared != "" && declared != "application/octet-stream" && len(declared) <= 64 {
		shown = declared
	}
	return "", invalid("unsupported type " + shown)
}

// sniff adds HEIC/HEIF detection, which http.DetectContentType lacks.
func sniff(data []byte) string {
	if len(data) >= 12 && bytes.Equal(data[4:8], []byte("ftyp")) {
		switch string(data[8:12]) {
		case "heic", "heix", "heim", "heis", "hevc", "hevx":
			return "image/heic"
		case "mif1", "msf1", "heif":
			return "image/heif"
		}
	}
	mt, _, _ := strings.Cut(http.DetectContentType(data), ";")
	return normalize(mt)
}

func normalize(mt string) string {
	mt = strings.ToLower(strings.TrimSpace(mt))
	if mt == "image/jpg" {
		return "image/jpeg"
	}
	return mt
}
