package gemini

import (
	"errors"
	"strings"
)

// dataURI is a parsed "data:<mime>[;params];base64,<data>" URI.
type dataURI struct {
	MIMEType string // lower-cased, image/jpg normalised to image/jpeg
	Data     string // base64 as sent, ASCII whitespace removed
}

// parseDataURI parses a base64 data URI and checks the payload cheaply
// (alphabet and length, standard or URL-safe), so that garbage is a client
// error here rather than an upstream 400 that burns a pooled key's quota.
// The bytes are never decoded: images can be tens of megabytes.
func parseDataURI(s string) (dataURI, error) {
	if len(s) < 5 || !strings.EqualFold(s[:5], "data:") {
		return dataURI{}, errors.New("not a data URI")
	}
	meta, data, ok := strings.Cut(s[5:], ",")
	if !ok {
		return dataURI{}, errors.New("data URI has no ',' before its data")
	}
	mime, params, _ := strings.Cut(meta, ";")
	if !hasBase64Param(params) {
		return dataURI{}, errors.New("data URI must be base64-encoded (';base64,')")
	}
	mime = normalizeMIME(mime)
	if mime == "" {
		return dataURI{}, errors.New("data URI has no MIME type")
	}
	data, err := checkBase64(data)
	if err != nil {
		return dataURI{}, err
	}
	return dataURI{MIMEType: mime, Data: data}, nil
}

// hasBase64Param reports whether the last parameter is "base64", as RFC 2397
// requires; other parameters (charset, name) are ignored.
func hasBase64Param(params string) bool {
	if i := strings.LastIndexByte(params, ';'); i >= 0 {
		params = params[i+1:]
	}
	return strings.EqualFold(strings.TrimSpace(params), "base64")
}

// normalizeMIME lower-cases a MIME type, drops its parameters and maps the
// non-standard image/jpg to image/jpeg, which is the only spelling Gemini
// accepts.
func normalizeMIME(mime string) string {
	mime, _, _ = strings.Cut(mime, ";")
	mime = strings.ToLower(strings.TrimSpace(mime))
	if mime == "image/jpg" || mime == "image/pjpeg" {
		return "image/jpeg"
	}
	return mime
}

// checkBase64 validates base64 text without decoding it and returns it with
// any ASCII whitespace (MIME line breaks) removed. Standard and URL-safe
// alphabets are accepted, padded or not, because proto JSON reads both; a
// mix of the two is not.
func checkBase64(s string) (string, error) {
	if strings.ContainsAny(s, " \t\r\n") {
		s = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, s)
	}
	if s == "" {
		return "", errors.New("base64 data is empty")
	}
	body := strings.TrimRight(s, "=")
	pad := len(s) - len(body)
	if pad > 2 || (pad > 0 && len(s)%4 != 0) || len(body)%4 == 1 {
		return "", errors.New("base64 data has an invalid length or padding")
	}
	std, url := false, false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '+' || c == '/':
			std = true
		case c == '-' || c == '_':
			url = true
		default:
			return "", errors.New("base64 data contains an invalid character")
		}
	}
	if std && url {
		return "", errors.New("base64 data mixes the standard and URL-safe alphabets")
	}
	return s, nil
}
