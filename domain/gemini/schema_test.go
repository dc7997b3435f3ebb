package gemini

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestSchemaClean walks spec D.3 (b) step by step.
func TestSchemaClean(t *testing.T) {
	tests := []struct {
		name, in, want string // want "" means parameters are omitted
	}{
		{"types upper-cased (12)", `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"Integer"}}}`,
			`{"properties":{"a":{"type":"STRING"},"b":{"type":"INTEGER"}},"type":"OBJECT"}`},
		{"ref inlined (1)", `{"type":"object","$defs":{"P":{"type":"object","properties":{"x":{"type":"number"}}}},"properties":{"p":{"$ref":"#/$defs/P","description":"a point"}}}`,
			`{"properties":{"p":{"description":"a point","properties":{"x":{"type":"NUMBER"}},"type":"OBJECT"}},"type":"OBJECT"}`},
		{"definitions inlined (1)", `{"type":"object","definitions":{"S":{"type":"string"}},"properties":{"s":{"$ref":"#/definitions/S"}}}`,
			`{"properties":{"s":{"type":"STRING"}},"type":"OBJECT"}`},
		{"recursive ref (1)", `{"type":"object","$defs":{"Node":{"type":"object","properties":{"next":{"$ref":"#/$defs/Node"},"v":{"type":"string"}}}},"properties":{"head":{"$ref":"#/$defs/Node"}}}`,
			`{"properties":{"head":{"properties":{"next":{"type":"OBJECT"},"v":{"type":"STRING"}},"type":"OBJECT"}},"type":"OBJECT"}`},
		{"root ref (1)", `{"type":"object","properties":{"child":{"$ref":"#","description":"same shape"},"n":{"type":"string"}}}`,
			`{"properties":{"child":{"description":"same shape","type":"OBJECT"},"n":{"type":"STRING"}},"type":"OBJECT"}`},
		{"unknown ref (1)", `{"type":"object","properties":{"x":{"$ref":"https://example.com/s.json"}}}`,
			`{"properties":{"x":{"type":"OBJECT"}},"type":"OBJECT"}`},
		{"allOf one (2)", `{"type":"object","properties":{"a":{"allOf":[{"type":"string","description":"inner"}],"description":"outer"}}}`,
			`{"properties":{"a":{"description":"outer","type":"STRING"}},"type":"OBJECT"}`},
		{"allOf objects (2)", `{"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},{"properties":{"b":{"type":"integer"}},"required":["b"]}]}`,
			`{"properties":{"a":{"type":"STRING"},"b":{"type":"INTEGER"}},"required":["a","b"],"type":"OBJECT"}`},
		{"oneOf to anyOf (3)", `{"type":"object","properties":{"v":{"oneOf":[{"type":"string"},{"type":"integer"}]}}}`,
			`{"properties":{"v":{"anyOf":[{"type":"STRING"},{"type":"INTEGER"}]}},"type":"OBJECT"}`},
		{"const string (3)", `{"type":"object","properties":{"k":{"const":"fixed"}}}`,
			`{"properties":{"k":{"enum":["fixed"],"type":"STRING"}},"type":"OBJECT"}`},
		{"const number dropped (3)", `{"type":"object","properties":{"k":{"type":"integer","const":3}}}`,
			`{"properties":{"k":{"type":"INTEGER"}},"type":"OBJECT"}`},
		{"nullable type array (4)", `{"type":"object","properties":{"p":{"type":["string","null"]}}}`,
			`{"properties":{"p":{"nullable":true,"type":"STRING"}},"type":"OBJECT"}`},
		{"several types (4)", `{"type":"object","properties":{"p":{"type":["string","integer","null"],"description":"d","minLength":1,"minimum":0}}}`,
			`{"properties":{"p":{"anyOf":[{"minLength":1,"type":"STRING"},{"minimum":0,"type":"INTEGER"}],"description":"d","nullable":true}},"type":"OBJECT"}`},
		{"anyOf null member (4)", `{"type":"object","properties":{"p":{"anyOf":[{"type":"string"},{"type":"null"}],"description":"maybe"}}}`,
			`{"properties":{"p":{"description":"maybe","nullable":true,"type":"STRING"}},"type":"OBJECT"}`},
		{"whitelist (5)", `{"$schema":"x","$id":"y","$comment":"c","type":"object","title":"T","additionalProperties":false,"patternProperties":{},"propertyNames":{},"unevaluatedProperties":false,"not":{},"if":{},"then":{},"else":{},"examples":[1],"deprecated":true,"readOnly":true,"properties":{"n":{"type":"number","multipleOf":2,"exclusiveMinimum":0,"exclusiveMaximum":9,"minimum":1,"maximum":8,"contentEncoding":"base64"}}}`,
			`{"properties":{"n":{"maximum":8,"minimum":1,"type":"NUMBER"}},"title":"T","type":"OBJECT"}`},
		{"property names are data (5)", `{"type":"object","properties":{"format":{"type":"string"},"default":{"type":"integer"},"$ref":{"type":"boolean"},"additionalProperties":{"type":"string"}},"required":["format","default"]}`,
			`{"properties":{"$ref":{"type":"BOOLEAN"},"additionalProperties":{"type":"STRING"},"default":{"type":"INTEGER"},"format":{"type":"STRING"}},"required":["format","default"],"type":"OBJECT"}`},
		{"non-string enum (6)", `{"type":"object","properties":{"n":{"type":"integer","enum":[1,2.5,true,null],"minimum":1}}}`,
			`{"properties":{"n":{"enum":["1","2.5","true"],"nullable":true,"type":"STRING"}},"type":"OBJECT"}`},
		{"string formats (7)", `{"type":"object","properties":{"a":{"type":"string","format":"uuid"},"b":{"type":"string","format":"date-time"},"c":{"type":"integer","format":"int64"},"d":{"type":"number","format":"int32"},"e":{"type":"boolean","format":"x"}}}`,
			`{"properties":{"a":{"type":"STRING"},"b":{"format":"date-time","type":"STRING"},"c":{"format":"int64","type":"INTEGER"},"d":{"type":"NUMBER"},"e":{"type":"BOOLEAN"}},"type":"OBJECT"}`},
		{"mistyped values dropped (5)", `{"type":"object","title":3,"properties":{"a":{"type":"array","minItems":"2","maxItems":2.5,"nullable":"yes","description":"ok","propertyOrdering":[1]}}}`,
			`{"properties":{"a":{"description":"ok","items":{"type":"STRING"},"type":"ARRAY"}},"type":"OBJECT"}`},
		{"default dropped (8)", `{"type":"object","properties":{"a":{"type":"string","default":"x","example":"y"}}}`,
			`{"properties":{"a":{"example":"y","type":"STRING"}},"type":"OBJECT"}`},
		{"required filtered (9)", `{"type":"object","properties":{"a":{"type":"string"}},"required":["a","ghost","a",3]}`,
			`{"properties":{"a":{"type":"STRING"}},"required":["a"],"type":"OBJECT"}`},
		{"nested empty object (10)", `{"type":"object","properties":{"opts":{"type":"object","properties":{},"required":["x"]}}}`,
			`{"properties":{"opts":{"type":"OBJECT"}},"type":"OBJECT"}`},
		{"top-level empty object (10)", `{"type":"object","properties":{},"additionalProperties":false}`, ``},
		{"top-level bare object (10)", `{"type":"object"}`, ``},
		{"top-level empty schema (10)", `{}`, ``},
		{"array without items (11)", `{"type":"object","properties":{"l":{"type":"array","minItems":1}}}`,
			`{"properties":{"l":{"items":{"type":"STRING"},"minItems":1,"type":"ARRAY"}},"type":"OBJECT"}`},
		{"tuple items", `{"type":"object","properties":{"t":{"type":"array","items":[{"type":"string"},{"type":"integer"}]}}}`,
			`{"properties":{"t":{"items":{"anyOf":[{"type":"STRING"},{"type":"INTEGER"}]},"type":"ARRAY"}},"type":"OBJECT"}`},
		{"type inferred", `{"properties":{"a":{"items":{"type":"string"}}}}`,
			`{"properties":{"a":{"items":{"type":"STRING"},"type":"ARRAY"}},"type":"OBJECT"}`},
		{"boolean schema", `{"type":"object","properties":{"any":true}}`,
			`{"properties":{"any":{}},"type":"OBJECT"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cleanSchema([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("cleanSchema =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestSchemaCleanBounded feeds a schema whose references fan out
// exponentially: inlining must stop, not explode.
func TestSchemaCleanBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"type":"object","$defs":{`)
	for i := range 30 {
		if i > 0 {
			b.WriteByte(',')
		}
		next := `{"type":"string"}`
		if i < 29 {
			next = `{"$ref":"#/$defs/d` + string(rune('a'+i+1)) + `"}`
		}
		b.WriteString(`"d` + string(rune('a'+i)) + `":{"type":"object","properties":{"l":` + next + `,"r":` + next + `}}`)
	}
	b.WriteString(`},"properties":{"root":{"$ref":"#/$defs/da"}}}`)
	got, err := cleanSchema([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 1<<20 {
		t.Errorf("cleaned schema is %d bytes; inlining is not bounded", len(got))
	}
	if !json.Valid(got) {
		t.Errorf("cleaned schema is not valid JSON")
	}
}

// TestSchemaCleanAllOfBounded fans out through allOf, which inlines
// without cleaning nodes: expansions must be bounded too.
func TestSchemaCleanAllOfBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"type":"object","$defs":{`)
	for i := range 12 {
		if i > 0 {
			b.WriteByte(',')
		}
		ref := `{"$ref":"#/$defs/d` + string(rune('a'+i+1)) + `"}`
		b.WriteString(`"d` + string(rune('a'+i)) + `":{"allOf":[` + strings.Repeat(ref+",", 9) + ref + `],"properties":{"p` + string(rune('a'+i)) + `":{"type":"string"}}}`)
	}
	b.WriteString(`},"properties":{"root":{"$ref":"#/$defs/da"}}}`)
	done := make(chan error, 1)
	go func() { _, err := cleanSchema([]byte(b.String())); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cleanSchema did not finish: allOf inlining is not bounded")
	}
}

func TestSchemaJSON(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"untouched but compact", `{"type":"object", "properties":{"b":{"type":["string","null"]},"a":{}}, "additionalProperties":false}`,
			`{"type":"object","properties":{"b":{"type":["string","null"]},"a":{}},"additionalProperties":false}`},
		{"order kept, $schema and strict dropped", `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","strict":true,"properties":{"z":{"type":"string","strict":1},"a":{"type":"integer"}}}`,
			`{"type":"object","properties":{"z":{"type":"string","strict":1},"a":{"type":"integer"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := jsonSchema([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("jsonSchema = %s; want %s", got, tt.want)
			}
		})
	}
	for _, bad := range []string{`[]`, `"x"`, `{"a":`, `null`} {
		if _, err := jsonSchema([]byte(bad)); err == nil {
			t.Errorf("jsonSchema(%s) = nil error; want one", bad)
		}
		if _, err := cleanSchema([]byte(bad)); err == nil {
			t.Errorf("cleanSchema(%s) = nil error; want one", bad)
		}
	}
}
