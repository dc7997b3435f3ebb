package sqlstore

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain/gemini"
)

func sampleContents() []gemini.Content {
	return []gemini.Content{
		{Role: "user", Parts: []gemini.Part{
			{Text: "line 1\nline 2\t\"quoted\" \\ <b>&</b> é 你好 🎉 \u2028 \x01"},
			{InlineData: &gemini.Blob{MimeType: "image/png", Data: "iVBORw0KGgo="}},
			{FileData: &gemini.FileData{MimeType: "application/pdf", FileURI: "https://x/y.pdf"}},
		}},
		{Role: "model", Parts: []gemini.Part{
			{Text: "thinking", Thought: true},
			{ThoughtSignature: "c2ln", FunctionCall: &gemini.FunctionCall{ID: "c1", Name: "f", Args: json.RawMessage(`{"a":[1,2.5e3,{"b":null}],"s":"x\"}"}`)}},
			{ExecutableCode: &gemini.ExecutableCode{Language: "PYTHON", Code: "print(1)"}},
			{CodeExecutionResult: &gemini.CodeExecutionResult{Outcome: "OUTCOME_OK", Output: "1\n"}},
			{ThoughtSignature: "only-a-signature"},
		}},
		{Role: "user", Parts: []gemini.Part{{FunctionResponse: &gemini.FunctionResponse{ID: "c1", Name: "f", Response: json.RawMessage(`{"ok":true}`)}}}},
		{Parts: []gemini.Part{}},
		{Role: "user"},
	}
}

func TestContentsCodec(t *testing.T) {
	for name, cs := range map[string][]gemini.Content{"sample": sampleContents(), "empty": {}, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			data, err := encodeContents(cs)
			if err != nil {
				t.Fatal(err)
			}
			var want []gemini.Content
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatalf("encoding/json cannot read %s: %v", data, err)
			}
			if cs != nil {
				if diff := cmp.Diff(cs, want); diff != "" {
					t.Errorf("encode/json.Unmarshal (-want +got):\n%s", diff)
				}
			}
			d := decoder{s: string(data)}
			got, ok := d.contents()
			if !ok {
				t.Fatalf("fast path refused what encodeContents wrote: %s", data)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("fast path (-json.Unmarshal +fast):\n%s", diff)
			}
		})
	}
}

// TestGeminiShapeKnown fails when gemini's types change: encodeContents
// then falls back to encoding/json (correct, but slow) until knownShape,
// encoder.part and partKeys learn the new fields.
func TestGeminiShapeKnown(t *testing.T) {
	if !geminiShapeKnown {
		t.Errorf("gemini types changed; their shape is now\n%s", shapeOf(reflect.TypeFor[gemini.Content]()))
	}
	var keys []string
	pt := reflect.TypeFor[gemini.Part]()
	for i := range pt.NumField() {
		keys = append(keys, strings.Split(pt.Field(i).Tag.Get("json"), ",")[0])
	}
	if diff := cmp.Diff(partKeys, keys); diff != "" {
		t.Errorf("decoder.part keys differ from gemini.Part's (-decoder +Part):\n%s", diff)
	}
}

// TestEncodeMatchesEncodingJSON compares the hand-written encoder with
// encoding/json byte for byte, raw values aside (those are compacted).
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	cs := sampleContents()
	cs = append(cs, gemini.Content{Role: "user", Parts: []gemini.Part{
		{Text: "bad utf-8: \xff\xfe end, \u2029, \x7f, \b\f"},
		{FunctionResponse: &gemini.FunctionResponse{Name: "nil response"}},
		{FunctionCall: &gemini.FunctionCall{Name: "no args"}},
		{},
	}})
	got, err := encodeContents(cs)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(encodingJSONView(cs)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(strings.TrimSpace(want.String()), string(got)); diff != "" {
		t.Errorf("encodeContents (-encoding/json +got):\n%s", diff)
	}
	if _, err := encodeContents([]gemini.Content{{Parts: []gemini.Part{{FunctionCall: &gemini.FunctionCall{
		Name: "f", Args: json.RawMessage(`{"a":`)}}}}}); err == nil {
		t.Error("encodeContents accepted invalid args; want an error rather than a corrupt row")
	}
}

// encodingJSONView hides Part.MarshalJSON, which is for requests to Gemini.
func encodingJSONView(cs []gemini.Content) any {
	type part gemini.Part
	type content struct {
		Role  string `json:"role,omitempty"`
		Parts []part `json:"parts"`
	}
	out := make([]content, len(cs))
	for i, c := range cs {
		out[i].Role = c.Role
		if c.Parts != nil {
			out[i].Parts = []part{}
		}
		for _, p := range c.Parts {
			out[i].Parts = append(out[i].Parts, part(p))
		}
	}
	return out
}

func FuzzEncodeText(f *testing.F) {
	f.Add("plain", "a\x00\xff\u2028\"\\<>&")
	f.Fuzz(func(t *testing.T, text, sig string) {
		cs := []gemini.Content{{Role: "user", Parts: []gemini.Part{{Text: text, ThoughtSignature: sig}}}}
		got, err := encodeContents(cs)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(encodingJSONView(cs))
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("invalid JSON %q: %v", got, err)
		}
		json.Unmarshal(want, &b)
		if diff := cmp.Diff(b, a); diff != "" {
			t.Fatalf("encodeContents(%q) (-encoding/json +got):\n%s", text, diff)
		}
	})
}

func FuzzDecodeContents(f *testing.F) {
	data, _ := encodeContents(sampleContents())
	for _, seed := range []string{string(data), `[]`, `null`, ` [ {"role" : "user" , "parts" : [ {"text":"a\u00e9\ud83c\udf89"} ] } ] `,
		`[{"parts":[{"functionCall":{"name":"f","args": 12 }}]}]`, `[{"parts":[{"functionCall":{"args":null}}]}]`,
		`[{"Role":"user"}]`, `[{"parts":[{"text":"a\\\\\"b\\\\","thoughtSignature":"\\u00e9\\n"}]}]`, `[{"role":"a","role":"b"}]`, `[{"parts":[{"thought":true,"text":"\/\b\f\r"}]}]`, `[{}],`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []gemini.Content
		werr := json.Unmarshal([]byte(s), &want)
		got, gerr := decodeContents(s)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("decodeContents(%q) err = %v; json.Unmarshal err = %v", s, gerr, werr)
		}
		if werr == nil {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("decodeContents(%q) (-json.Unmarshal +got):\n%s", s, diff)
			}
		}
	})
}

func TestPlainRun(t *testing.T) {
	naive := func(s string, i int) int {
		for i < len(s) && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\' {
			i++
		}
		return i
	}
	for c := range 256 {
		for pos := range 20 {
			b := []byte(strings.Repeat("a~ ", 7))
			b[pos] = byte(c)
			for from := range 3 {
				if got, want := plainRun(string(b), from), naive(string(b), from); got != want {
					t.Fatalf("plainRun(%q, %d) = %d; want %d", b, from, got, want)
				}
			}
		}
	}
}
