package gemini

import (
	"encoding/json"
	"slices"
	"strconv"
)

// cleanEnum keeps enum as strings only, with type STRING, which is all
// Gemini allows (step 6); a null value becomes nullable. An enum beside a
// multi-member anyOf has no single type to go with and is dropped.
func cleanEnum(out map[string]any, v any) {
	vals, ok := v.([]any)
	if !ok || out["anyOf"] != nil {
		return
	}
	enum := make([]any, 0, len(vals))
	for _, e := range vals {
		switch x := e.(type) {
		case string:
			enum = append(enum, x)
		case json.Number:
			enum = append(enum, x.String())
		case bool:
			enum = append(enum, strconv.FormatBool(x))
		case nil:
			out["nullable"] = true
		}
	}
	if len(enum) == 0 {
		return
	}
	out["enum"] = enum
	if out["type"] != "STRING" {
		out["type"] = "STRING"
		delete(out, "minimum") // numeric bounds mean nothing on the string form
		delete(out, "maximum")
	}
}

// cleanFormat keeps only the formats Gemini allows for the node's type
// (step 7): uuid, email, uri and friends are 400s.
func cleanFormat(out map[string]any, v any) {
	f, _ := v.(string)
	ok := false
	switch out["type"] {
	case "STRING":
		ok = f == "enum" || f == "date-time"
	case "NUMBER":
		ok = f == "float" || f == "double"
	case "INTEGER":
		ok = f == "int32" || f == "int64"
	}
	if ok {
		out["format"] = f
	}
}

// cleanObject infers a missing type from properties or items, drops an
// empty properties map (step 10), keeps only required names that are
// properties (step 9) and gives an ARRAY without items string items (step
// 11): each of those is a 400 otherwise.
func cleanObject(out map[string]any, required any) {
	props, hasProps := out["properties"].(map[string]any)
	if out["type"] == nil && out["anyOf"] == nil {
		if hasProps {
			out["type"] = "OBJECT"
		} else if out["items"] != nil {
			out["type"] = "ARRAY"
		}
	}
	if hasProps && len(props) == 0 {
		delete(out, "properties")
	}
	if out["type"] == "ARRAY" && out["items"] == nil {
		out["items"] = map[string]any{"type": "STRING"}
	}
	names, _ := required.([]any)
	var req []any
	for _, n := range names {
		if s, ok := n.(string); ok && props[s] != nil && !slices.Contains(req, any(s)) {
			req = append(req, s)
		}
	}
	if len(req) > 0 {
		out["required"] = req
	}
}

// validKeyword checks a whitelisted keyword's value type: Gemini parses
// these into typed proto fields, so a "minItems":"2" or "nullable":"yes"
// would be a 400.
func validKeyword(k string, v any) bool {
	switch k {
	case "title", "description", "pattern":
		_, ok := v.(string)
		return ok
	case "nullable":
		_, ok := v.(bool)
		return ok
	case "example":
		return true
	case "propertyOrdering":
		list, ok := v.([]any)
		for _, e := range list {
			if _, s := e.(string); !s {
				return false
			}
		}
		return ok
	case "minimum", "maximum":
		_, ok := v.(json.Number)
		return ok
	}
	n, ok := v.(json.Number) // the integer counts: minItems, maxLength, …
	if !ok {
		return false
	}
	_, err := n.Int64()
	return err == nil
}
