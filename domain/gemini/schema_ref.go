package gemini

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
)

// Limits on $ref inlining: a reference deeper than maxRefDepth, or met after
// maxSchemaNodes nodes were cleaned or inlined, becomes {"type":"OBJECT"}, so a
// recursive or exponentially branching schema cannot blow up the request.
const (
	maxRefDepth    = 8
	maxSchemaNodes = 20000
)

// decodeSchema reads a JSON Schema object, keeping numbers as written.
func decodeSchema(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errors.New("schema is not valid JSON")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("schema must be a JSON object")
	}
	return m, nil
}

// jsonSchema prepares a client schema for parametersJsonSchema or
// responseJsonSchema, which take JSON Schema nearly as is: only a top-level
// "$schema" and a stray "strict" (it belongs on the function) are dropped.
// Everything else keeps its bytes, so key order survives: Gemini emits
// structured output in the order of the schema's properties.
func jsonSchema(raw []byte) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if !json.Valid(raw) {
		return nil, errors.New("schema is not valid JSON")
	}
	if raw[0] != '{' {
		return nil, errors.New("schema must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.Token() // '{', checked above
	out := append(make([]byte, 0, len(raw)), '{')
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("schema is not valid JSON")
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errors.New("schema is not valid JSON")
		}
		if key == "$schema" || key == "strict" {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		k, _ := json.Marshal(key)
		out = append(append(append(out, k...), ':'), v...)
	}
	return append(out, '}'), nil
}

// schemaCleaner converts JSON Schema to Gemini's OpenAPI subset (spec D.3 b).
// It never mutates its input: definitions are shared by every reference.
type schemaCleaner struct {
	defs  map[string]map[string]any // by reference string: "#", "#/$defs/X", "#/definitions/X"
	nodes int
}

func newSchemaCleaner(root map[string]any) *schemaCleaner {
	sc := &schemaCleaner{defs: map[string]map[string]any{"#": root}}
	for _, key := range []string{"$defs", "definitions"} {
		defs, _ := root[key].(map[string]any)
		for name, d := range defs {
			if m, ok := d.(map[string]any); ok {
				name = strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
				sc.defs["#/"+key+"/"+name] = m
			}
		}
	}
	return sc
}

// deref inlines $ref (step 1): the target merged with the referring node's
// siblings, which win. refs is the chain of references above this node; it
// comes back extended for the subtree.
func (sc *schemaCleaner) deref(in map[string]any, refs []string) (map[string]any, []string) {
	for {
		ref, ok := in["$ref"].(string)
		if !ok {
			delete(in, "$ref") // a non-string $ref is junk; in is always our copy here
			return in, refs
		}
		target, found := sc.defs[ref]
		if !found || len(refs) >= maxRefDepth || slices.Contains(refs, ref) || sc.nodes > maxSchemaNodes {
			// Recursive, too deep or unknown: Gemini has no way to say it.
			out := map[string]any{"type": "object"}
			if d, ok := in["description"].(string); ok {
				out["description"] = d
			}
			return out, refs
		}
		sc.nodes++ // expansions count too: allOf can fan out without clean
		merged := maps.Clone(target)
		for k, v := range in {
			if k != "$ref" {
				merged[k] = v
			}
		}
		in, refs = merged, append(slices.Clip(refs), ref)
	}
}

// mergeAllOf folds allOf into the node (step 2): properties and required
// are combined, and for other keywords the node, then the earlier element,
// wins.
func (sc *schemaCleaner) mergeAllOf(in map[string]any, refs []string) map[string]any {
	all, ok := in["allOf"].([]any)
	if !ok {
		return in
	}
	delete(in, "allOf")
	props, _ := in["properties"].(map[string]any)
	props = maps.Clone(props) // shared with the definitions: never mutated
	req, _ := in["required"].([]any)
	req = slices.Clip(req)
	for _, e := range all {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		m, mrefs := sc.deref(maps.Clone(m), refs)
		m = sc.mergeAllOf(m, mrefs)
		for k, v := range m {
			switch k {
			case "properties":
				add, _ := v.(map[string]any)
				if props == nil {
					props = make(map[string]any, len(add))
				}
				for name, p := range add {
					if _, dup := props[name]; !dup {
						props[name] = p
					}
				}
			case "required":
				add, _ := v.([]any)
				req = append(req, add...)
			default:
				if _, set := in[k]; !set {
					in[k] = v
				}
			}
		}
	}
	if props != nil {
		in["properties"] = props
	}
	if req != nil {
		in["required"] = req
	}
	return in
}
