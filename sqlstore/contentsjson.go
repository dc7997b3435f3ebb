package sqlstore

import (
	"bytes"
	"encoding/json"

	"github.com/hagemi/hagemi/domain/gemini"
)

// Conversations are read and written on every /v1 request, so their JSON
// is the hot path of conversation memory: encoding/json took about 3 ms of
// the 1 ms budget for a 50-exchange history. This file and its decoder
// make it cheap without changing the format: what is stored is plain
// gemini.Content JSON, as encoding/json writes and reads it.

// encodeContents writes contents as encoding/json would with HTML
// escaping off (so "<" stays readable in the database), except that raw
// JSON values are kept as they are, merely checked. If gemini's types ever
// differ from what the hand-written encoder knows, it uses encoding/json.
func encodeContents(cs []gemini.Content) ([]byte, error) {
	if !geminiShapeKnown {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(cs); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}
	// One allocation: growing a 100 KB buffer by doubling cost more than
	// the encoding itself.
	e := encoder{b: make([]byte, 0, sizeHint(cs))}
	e.b = append(e.b, '[')
	for i, c := range cs {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, '{')
		e.str(`"role":`, c.Role, true)
		e.b = append(e.b, `"parts":`...)
		if c.Parts == nil {
			e.b = append(e.b, "null"...)
		} else {
			e.b = append(e.b, '[')
			for j, p := range c.Parts {
				if j > 0 {
					e.b = append(e.b, ',')
				}
				e.part(p)
			}
			e.b = append(e.b, ']')
		}
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, ']')
	return e.b, e.err
}

// sizeHint is the encoded size when there is little to escape.
func sizeHint(cs []gemini.Content) int {
	n := 2
	for _, c := range cs {
		n += 32 + len(c.Role)
		for _, p := range c.Parts {
			n += 48 + len(p.Text) + len(p.ThoughtSignature)
			switch {
			case p.InlineData != nil:
				n += 48 + len(p.InlineData.MimeType) + len(p.InlineData.Data)
			case p.FileData != nil:
				n += 48 + len(p.FileData.MimeType) + len(p.FileData.FileURI)
			case p.FunctionCall != nil:
				n += 48 + len(p.FunctionCall.ID) + len(p.FunctionCall.Name) + len(p.FunctionCall.Args)
			case p.FunctionResponse != nil:
				n += 48 + len(p.FunctionResponse.ID) + len(p.FunctionResponse.Name) + len(p.FunctionResponse.Response)
			case p.ExecutableCode != nil:
				n += 48 + len(p.ExecutableCode.Code)
			case p.CodeExecutionResult != nil:
				n += 48 + len(p.CodeExecutionResult.Output)
			}
		}
	}
	return n + n/16
}

type encoder struct {
	b   []byte
	err error
}

// part writes the fields in struct order, each followed by a comma that
// the closing brace replaces, and applies the tags' omitempty by hand.
func (e *encoder) part(p gemini.Part) {
	e.b = append(e.b, '{')
	e.str(`"text":`, p.Text, true)
	if p.Thought {
		e.b = append(e.b, `"thought":true,`...)
	}
	e.str(`"thoughtSignature":`, p.ThoughtSignature, true)
	if v := p.InlineData; v != nil {
		e.b = append(e.b, `"inlineData":{`...)
		e.str(`"mimeType":`, v.MimeType, false)
		e.str(`"data":`, v.Data, false)
		e.close()
	}
	if v := p.FileData; v != nil {
		e.b = append(e.b, `"fileData":{`...)
		e.str(`"mimeType":`, v.MimeType, true)
		e.str(`"fileUri":`, v.FileURI, false)
		e.close()
	}
	if v := p.FunctionCall; v != nil {
		e.b = append(e.b, `"functionCall":{`...)
		e.str(`"id":`, v.ID, true)
		e.str(`"name":`, v.Name, false)
		if len(v.Args) > 0 {
			e.raw(`"args":`, v.Args)
		}
		e.close()
	}
	if v := p.FunctionResponse; v != nil {
		e.b = append(e.b, `"functionResponse":{`...)
		e.str(`"id":`, v.ID, true)
		e.str(`"name":`, v.Name, false)
		e.raw(`"response":`, v.Response)
		e.close()
	}
	if v := p.ExecutableCode; v != nil {
		e.b = append(e.b, `"executableCode":{`...)
		e.str(`"language":`, v.Language, true)
		e.str(`"code":`, v.Code, false)
		e.close()
	}
	if v := p.CodeExecutionResult; v != nil {
		e.b = append(e.b, `"codeExecutionResult":{`...)
		e.str(`"outcome":`, v.Outcome, true)
		e.str(`"output":`, v.Output, true)
		e.close()
	}
	e.end()
}

// end closes an object, replacing its last field's comma.
func (e *encoder) end() {
	if e.b[len(e.b)-1] == ',' {
		e.b[len(e.b)-1] = '}'
	} else {
		e.b = append(e.b, '}')
	}
}

// close ends a nested object, which is itself a field.
func (e *encoder) close() {
	e.end()
	e.b = append(e.b, ',')
}

func (e *encoder) str(key, s string, omitEmpty bool) {
	if s == "" && omitEmpty {
		return
	}
	e.b = append(e.b, key...)
	e.b = appendString(e.b, s)
	e.b = append(e.b, ',')
}

// raw writes a JSON value compacted, as encoding/json does with a
// RawMessage; nil is null, and invalid JSON fails the save.
func (e *encoder) raw(key string, v json.RawMessage) {
	e.b = append(e.b, key...)
	if len(v) == 0 {
		e.b = append(e.b, "null"...)
	} else {
		buf := bytes.NewBuffer(e.b)
		if err := json.Compact(buf, v); err != nil && e.err == nil {
			e.err = err
		}
		e.b = buf.Bytes()
	}
	e.b = append(e.b, ',')
}
