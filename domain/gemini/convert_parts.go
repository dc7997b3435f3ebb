package gemini

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/openai"
)

// RemoteMediaURLs lists the http(s) image_url URLs (not YouTube, not Gemini
// Files API URIs) of user and tool messages, once each in order of first
// appearance. The caller downloads them into ConvertOptions.Media, because
// Gemini cannot fetch arbitrary URLs and conversion does no I/O.
func RemoteMediaURLs(req *openai.ChatRequest) []string {
	if req == nil {
		return nil
	}
	var urls []string
	for _, m := range req.Messages {
		if m.Role != "user" && m.Role != "tool" {
			continue
		}
		for _, p := range m.Content.Parts {
			if p.Type != "image_url" || p.ImageURL == nil {
				continue
			}
			u := p.ImageURL.URL
			if isHTTP(u) && !isFetchedByGemini(u) && !slices.Contains(urls, u) {
				urls = append(urls, u)
			}
		}
	}
	return urls
}

func isHTTP(u string) bool {
	return hasPrefixFold(u, "https://") || hasPrefixFold(u, "http://")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// isFetchedByGemini reports URLs Gemini reads itself through fileData:
// YouTube videos and Files API URIs. Anything else must be downloaded.
func isFetchedByGemini(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Hostname()) {
	case "youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be":
		return true
	case "generativelanguage.googleapis.com":
		return strings.Contains(u.Path, "/files/")
	}
	return false
}

// checkMedia rejects inline types Gemini would refuse. Images are limited
// to the five Gemini reads (GIF, BMP and SVG are common mistakes); PDFs,
// audio, video and text pass, since clients send those through image_url
// and file parts too.
func checkMedia(mime string) string {
	switch {
	case mime == "image/png", mime == "image/jpeg", mime == "image/webp",
		mime == "image/heic", mime == "image/heif":
		return ""
	case strings.HasPrefix(mime, "image/"):
		return "unsupported image type " + mime + "; Gemini accepts PNG, JPEG, WebP, HEIC and HEIF"
	case mime == "application/pdf", strings.HasPrefix(mime, "audio/"),
		strings.HasPrefix(mime, "video/"), strings.HasPrefix(mime, "text/"):
		return ""
	}
	return "unsupported media type " + mime
}

// userParts appends the Gemini parts of a user message's content. Empty
// text is dropped; cache_control and image detail are ignored.
func userParts(dst []Part, c openai.Content, path string, media map[string]Blob) ([]Part, error) {
	if !c.IsParts {
		if c.Text != "" {
			dst = append(dst, Part{Text: c.Text})
		}
		return dst, nil
	}
	for k, p := range c.Parts {
		switch p.Type {
		case "text", "input_text":
			if p.Text != "" {
				dst = append(dst, Part{Text: p.Text})
			}
			continue
		case "refusal": // only meaningful from the assistant
			continue
		}
		part, err := mediaPart(p, path+"["+strconv.Itoa(k)+"]", media)
		if err != nil {
			return nil, err
		}
		dst = append(dst, part)
	}
	return dst, nil
}

// mediaPart converts one non-text content part; path names the part.
func mediaPart(p openai.ContentPart, path string, media map[string]Blob) (Part, error) {
	switch p.Type {
	case "image_url":
		if p.ImageURL == nil || p.ImageURL.URL == "" {
			return Part{}, domain.Invalid(path+".image_url.url", "image URL is required")
		}
		return imagePart(p.ImageURL.URL, path+".image_url.url", media)
	case "input_audio":
		return audioPart(p.InputAudio, path+".input_audio")
	case "file":
		return filePart(p.File, path+".file")
	}
	return Part{}, domain.Invalid(path+".type", "unsupported content part type "+strconv.Quote(p.Type))
}

func imagePart(u, path string, media map[string]Blob) (Part, error) {
	switch {
	case hasPrefixFold(u, "data:"):
		return inlinePart(u, path)
	case !isHTTP(u):
		return Part{}, domain.Invalid(path, "image URL must be a base64 data URI or an http(s) URL")
	case isFetchedByGemini(u):
		return Part{FileData: &FileData{FileURI: u}}, nil
	}
	b, ok := media[u]
	if !ok {
		return Part{}, domain.Invalid(path, "remote image URLs are disabled or the image could not be fetched; send it as a base64 data URI")
	}
	b.MimeType = normalizeMIME(b.MimeType)
	if msg := checkMedia(b.MimeType); msg != "" {
		return Part{}, domain.Invalid(path, msg)
	}
	return Part{InlineData: &b}, nil
}

// inlinePart turns a data URI into inlineData.
func inlinePart(uri, path string) (Part, error) {
	d, err := parseDataURI(uri)
	if err != nil {
		return Part{}, domain.Invalid(path, err.Error())
	}
	if msg := checkMedia(d.MIMEType); msg != "" {
		return Part{}, domain.Invalid(path, msg)
	}
	return Part{InlineData: &Blob{MimeType: d.MIMEType, Data: d.Data}}, nil
}

// audioFormats maps input_audio.format to the MIME types Gemini reads.
var audioFormats = map[string]string{
	"wav": "audio/wav", "mp3": "audio/mp3", "aiff": "audio/aiff",
	"aac": "audio/aac", "ogg": "audio/ogg", "flac": "audio/flac",
}

func audioPart(a *openai.InputAudio, path string) (Part, error) {
	if a == nil || a.Data == "" {
		return Part{}, domain.Invalid(path+".data", "audio data is required")
	}
	if hasPrefixFold(a.Data, "data:") { // some clients send a data URI here
		return inlinePart(a.Data, path+".data")
	}
	mime, ok := audioFormats[strings.ToLower(a.Format)]
	if !ok {
		return Part{}, domain.Invalid(path+".format", "unsupported audio format "+strconv.Quote(a.Format)+"; use wav, mp3, aiff, aac, ogg or flac")
	}
	data, err := checkBase64(a.Data)
	if err != nil {
		return Part{}, domain.Invalid(path+".data", err.Error())
	}
	return Part{InlineData: &Blob{MimeType: mime, Data: data}}, nil
}

func filePart(f *openai.File, path string) (Part, error) {
	switch {
	case f == nil:
		return Part{}, domain.Invalid(path, "file is required")
	case f.FileData != "":
		return inlinePart(f.FileData, path+".file_data")
	case strings.HasPrefix(f.FileID, "files/"):
		return Part{FileData: &FileData{FileURI: f.FileID}}, nil
	case f.FileID != "":
		return Part{}, domain.Invalid(path+".file_id", "OpenAI file ids are not supported; send file_data as a base64 data URI or a Gemini files/… name")
	}
	return Part{}, domain.Invalid(path, "file needs file_data or file_id")
}
