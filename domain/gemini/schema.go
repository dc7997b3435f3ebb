package gemini

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// cleanSchema converts a client's JSON Schema to the OpenAPI subset that
// parameters and responseSchema accept, following spec D.3 (b). It returns
// nil for an object schema without properties: a function without
// arguments must leave parameters out.
func cleanSchema(raw []byte) (json.RawMessage, error) {
	root, err := decodeSchema(raw)
	if err != nil {
		return nil, err
	}
	out := newSchemaCleaner(root).clean(root, []string{"#"})
	if _, ok := out["properties"]; !ok && out["anyOf"] == nil && (out["type"] == nil || out["type"] == "OBJECT") {
		return nil, nil
	}
	return json.Marshal(out)
}

// schemaKeys is the whitelist of scalar keywords copied as they are
// (step 5). Structural ones are handled in clean; default and examples are
// dropped for the older models this serves (step 8).
var schemaKeys = map[string]bool{
	"title": true, "description": true, "nullable": true, "pattern": true, "example": true,
	"minItems": true, "maxItems": true, "minProperties": true, "maxProperties": true,
	"minLength": true, "maxLength": true, "minimum": true, "maximum": true, "propertyOrdering": true,
}

// typeKeys are the keywords that belong to each type, moved into the anyOf
// member of that type when a type array is split (step 4).
var typeKeys = map[string][]string{
	"STRING":  {"enum", "format", "minLength", "maxLength", "pattern"},
	"NUMBER":  {"format", "minimum", "maximum"},
	"INTEGER": {"format", "minimum", "maximum"},
	"ARRAY":   {"items", "minItems", "maxItems"},
	"OBJECT":  {"properties", "required", "minProperties", "maxProperties"},
}

// clean returns the cleaned copy of one schema node.
func (sc *schemaCleaner) clean(v any, refs []string) map[string]any {
	sc.nodes++
	node, _ := v.(map[string]any) // a boolean schema becomes {}: anything goes
	in, refs := sc.deref(maps.Clone(node), refs)
	in = sc.mergeAllOf(in, refs)
	out := make(map[string]any, len(in))
	var anyOf []any
	if a, ok := in["anyOf"].([]any); ok {
		anyOf = a
	}
	if a, ok := in["oneOf"].([]any); ok { // step 3: Gemini has no oneOf
		anyOf = append(slices.Clip(anyOf), a...)
	}
	if c, ok := in["const"].(string); ok && in["enum"] == nil {
		in["enum"] = []any{c}
	}
	types, nullable := schemaTypes(in["type"])
	if len(types) > 1 { // step 4: one anyOf member per type
		for _, t := range types {
			m := map[string]any{"type": t}
			for _, k := range typeKeys[t] {
				if v, ok := in[k]; ok {
					m[k] = v
				}
			}
			anyOf = append(slices.Clip(anyOf), m)
		}
		for _, t := range types {
			for _, k := range typeKeys[t] {
				delete(in, k)
			}
		}
	} else if len(types) == 1 {
		out["type"] = types[0]
	}
	for k, v := range in {
		switch {
		case schemaKeys[k] && validKeyword(k, v):
			out[k] = v
		case k == "properties":
			if props, ok := v.(map[string]any); ok {
				clean := make(map[string]any, len(props))
				for name, p := range props { // names are data, never keywords
					clean[name] = sc.clean(p, refs)
				}
				out[k] = clean
			}
		case k == "items":
			sc.cleanItems(out, v, refs)
		}
	}
	if nullable {
		out["nullable"] = true
	}
	sc.cleanAnyOf(out, anyOf, refs)
	cleanEnum(out, in["enum"])
	cleanFormat(out, in["format"])
	cleanObject(out, in["required"])
	return out
}

// schemaTypes reads type as a string or an array, upper-cased (step 12),
// with "null" turned into nullable. Unknown names are dropped.
func schemaTypes(v any) (types []string, nullable bool) {
	var list []any
	switch t := v.(type) {
	case string:
		list = []any{t}
	case []any:
		list = t
	}
	for _, e := range list {
		s, _ := e.(string)
		switch s = strings.ToUpper(s); s {
		case "NULL":
			nullable = true
		case "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT":
			if !slices.Contains(types, s) {
				types = append(types, s)
			}
		}
	}
	if len(types) == 0 && nullable {
		return []string{"NULL"}, false
	}
	return types, nullable
}

// cleanItems handles items, including the old tuple form (an array of
// schemas), which becomes an anyOf of them.
func (sc *schemaCleaner) cleanItems(out map[string]any, v any, refs []string) {
	switch it := v.(type) {
	case map[string]any, bool:
		out["items"] = sc.clean(it, refs)
	case []any:
		if len(it) == 1 {
			out["items"] = sc.clean(it[0], refs)
		} else if len(it) > 1 {
			out["items"] = sc.clean(map[string]any{"anyOf": it}, refs)
		}
	}
}

// cleanAnyOf cleans the members; a {"type":"null"} member becomes nullable,
// and a single remaining member is folded into the node.
func (sc *schemaCleaner) cleanAnyOf(out map[string]any, members []any, refs []string) {
	var kept []any
	for _, m := range members {
		c := sc.clean(m, refs)
		if c["type"] == "NULL" {
			out["nullable"] = true
			continue
		}
		kept = append(kept, c)
	}
	switch {
	case len(kept) == 1:
		for k, v := range kept[0].(map[string]any) {
			if _, set := out[k]; !set {
				out[k] = v
			}
		}
	case len(kept) > 1:
		out["anyOf"] = kept
		delete(out, "type") // Gemini wants anyOf alone
	}
}
