package handlers

import (
	"bytes"
	"encoding/json"

	"github.com/a-h/templ"

	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/views"
)

// maxThumbnail bounds the base64 of an image shown inline; bigger ones are
// described instead, so one photo cannot make the page megabytes long.
const maxThumbnail = 2 << 20

// thumbnailTypes are the image types shown inline. SVG is left out: it is
// a document that can carry script.
var thumbnailTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// turnsOf turns stored contents into what the conversation page draws.
func turnsOf(contents []gemini.Content) []views.Turn {
	turns := make([]views.Turn, 0, len(contents))
	for _, c := range contents {
		t := views.Turn{Role: "user"}
		if c.Role == "model" {
			t.Role = "model"
		}
		results := 0
		for _, p := range c.Parts {
			if vp, ok := partOf(p); ok {
				t.Parts = append(t.Parts, vp)
			}
			if p.FunctionResponse != nil {
				results++
			}
		}
		if results > 0 && results == len(c.Parts) {
			t.Role = "tool"
		}
		turns = append(turns, t)
	}
	return turns
}

func partOf(p gemini.Part) (views.Part, bool) {
	switch {
	case p.InlineData != nil:
		return blobPart(p.InlineData), true
	case p.FileData != nil:
		return views.Part{Kind: views.PartFile, Name: p.FileData.FileURI, MIME: p.FileData.MimeType}, true
	case p.FunctionCall != nil:
		return views.Part{Kind: views.PartCall, Name: p.FunctionCall.Name, Text: prettyJSON(p.FunctionCall.Args)}, true
	case p.FunctionResponse != nil:
		return views.Part{Kind: views.PartResponse, Name: p.FunctionResponse.Name, Text: prettyJSON(p.FunctionResponse.Response)}, true
	case p.ExecutableCode != nil:
		return views.Part{Kind: views.PartCode, Text: p.ExecutableCode.Code}, true
	case p.CodeExecutionResult != nil:
		return views.Part{Kind: views.PartCode, Text: p.CodeExecutionResult.Output}, true
	case p.Text == "":
		return views.Part{}, false // a bare thought signature
	case p.Thought:
		return views.Part{Kind: views.PartThought, Text: p.Text}, true
	}
	return views.Part{Kind: views.PartText, Text: p.Text}, true
}

// blobPart shows an image inline when its type is a safe raster format and
// its data is plain base64; anything else is only described.
func blobPart(b *gemini.Blob) views.Part {
	size := len(b.Data) * 3 / 4
	if !thumbnailTypes[b.MimeType] || len(b.Data) > maxThumbnail || !isBase64(b.Data) {
		return views.Part{Kind: views.PartOmitted, MIME: b.MimeType, Bytes: size}
	}
	return views.Part{Kind: views.PartImage, MIME: b.MimeType, Bytes: size,
		Image: templ.SafeURL("data:" + b.MimeType + ";base64," + b.Data)}
}

func isBase64(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

// prettyJSON indents arguments and results for reading; invalid JSON is
// shown as it is.
func prettyJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}
