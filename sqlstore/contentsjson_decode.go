package sqlstore

import (
	"encoding/json"

	"github.com/hagemi/hagemi/domain/gemini"
)

// decodeContents parses stored contents. The fast path reads exactly the
// shape encodeContents writes, sharing the input's memory for plain
// strings; on anything else (unknown or repeated keys, null, surrogate
// escapes, invalid UTF-8, malformed JSON) it steps aside and
// encoding/json decides, so the result is always what json.Unmarshal gives.
func decodeContents(s string) ([]gemini.Content, error) {
	d := decoder{s: s}
	if cs, ok := d.contents(); ok {
		return cs, nil
	}
	var cs []gemini.Content
	if err := json.Unmarshal([]byte(s), &cs); err != nil {
		return nil, err
	}
	return cs, nil
}

type decoder struct {
	s string
	i int
}

func (d *decoder) ws() {
	for d.i < len(d.s) && (d.s[d.i] == ' ' || d.s[d.i] == '\n' || d.s[d.i] == '\t' || d.s[d.i] == '\r') {
		d.i++
	}
}

func (d *decoder) eat(c byte) bool {
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

// list parses a JSON array, calling elem for each element.
func (d *decoder) list(elem func() bool) bool {
	if !d.eat('[') {
		return false
	}
	if d.eat(']') {
		return true
	}
	for elem() {
		if !d.eat(',') {
			return d.eat(']')
		}
	}
	return false
}

// object parses a JSON object, calling field for each key; a key may come
// once (bit i of seen is key i of keys) and unknown keys fail.
func (d *decoder) object(keys []string, field func(k int) bool) bool {
	if !d.eat('{') {
		return false
	}
	if d.eat('}') {
		return true
	}
	var seen uint16
	for {
		key, ok := d.str()
		if !ok || !d.eat(':') {
			return false
		}
		k := indexOf(keys, key)
		if k < 0 || seen&(1<<k) != 0 || !field(k) {
			return false
		}
		seen |= 1 << k
		if !d.eat(',') {
			return d.eat('}')
		}
	}
}

func indexOf(keys []string, key string) int {
	for i, k := range keys {
		if k == key {
			return i
		}
	}
	return -1
}

func (d *decoder) contents() ([]gemini.Content, bool) {
	cs := []gemini.Content{}
	ok := d.list(func() bool {
		var c gemini.Content
		ok := d.object([]string{"role", "parts"}, func(k int) (ok bool) {
			if k == 0 {
				c.Role, ok = d.str()
				return ok
			}
			if d.null() { // what encodeContents writes for nil parts
				c.Parts = nil
				return true
			}
			c.Parts = []gemini.Part{}
			return d.list(func() bool {
				p, ok := d.part()
				c.Parts = append(c.Parts, p)
				return ok
			})
		})
		cs = append(cs, c)
		return ok
	})
	d.ws()
	return cs, ok && d.i == len(d.s)
}

var partKeys = []string{"text", "thought", "thoughtSignature", "inlineData", "fileData",
	"functionCall", "functionResponse", "executableCode", "codeExecutionResult"}

func (d *decoder) part() (p gemini.Part, ok bool) {
	ok = d.object(partKeys, func(k int) (ok bool) {
		switch k {
		case 0:
			p.Text, ok = d.str()
		case 1:
			p.Thought, ok = d.boolean()
		case 2:
			p.ThoughtSignature, ok = d.str()
		case 3:
			p.InlineData = &gemini.Blob{}
			ok = d.strings([]string{"mimeType", "data"}, &p.InlineData.MimeType, &p.InlineData.Data)
		case 4:
			p.FileData = &gemini.FileData{}
			ok = d.strings([]string{"mimeType", "fileUri"}, &p.FileData.MimeType, &p.FileData.FileURI)
		case 5:
			fc := &gemini.FunctionCall{}
			p.FunctionCall = fc
			ok = d.object([]string{"id", "name", "args"}, func(k int) (ok bool) {
				return d.call(k, &fc.ID, &fc.Name, &fc.Args)
			})
		case 6:
			fr := &gemini.FunctionResponse{}
			p.FunctionResponse = fr
			ok = d.object([]string{"id", "name", "response"}, func(k int) (ok bool) {
				return d.call(k, &fr.ID, &fr.Name, &fr.Response)
			})
		case 7:
			p.ExecutableCode = &gemini.ExecutableCode{}
			ok = d.strings([]string{"language", "code"}, &p.ExecutableCode.Language, &p.ExecutableCode.Code)
		case 8:
			p.CodeExecutionResult = &gemini.CodeExecutionResult{}
			ok = d.strings([]string{"outcome", "output"}, &p.CodeExecutionResult.Outcome, &p.CodeExecutionResult.Output)
		}
		return ok
	})
	return p, ok
}

// strings parses an object whose fields are all strings.
func (d *decoder) strings(keys []string, dst ...*string) bool {
	return d.object(keys, func(k int) (ok bool) {
		*dst[k], ok = d.str()
		return ok
	})
}

// call reads field k of a functionCall or functionResponse: id, name, then
// a JSON value kept raw.
func (d *decoder) call(k int, id, name *string, raw *json.RawMessage) (ok bool) {
	switch k {
	case 0:
		*id, ok = d.str()
	case 1:
		*name, ok = d.str()
	default:
		*raw, ok = d.raw()
	}
	return ok
}
