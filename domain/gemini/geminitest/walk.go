package geminitest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// walker checks a decoded JSON body the way Google's proto JSON parser does
// (unknown names, wrong types, two spellings of one field, two data fields
// in a part) and returns it normalized: camelCase names, no nulls, enum
// names in upper case.
type walker struct{ vs []violation }

const protoPkg = "type.googleapis.com/google.ai.generativelanguage.v1beta."

func (w *walker) add(field, format string, args ...any) {
	w.vs = append(w.vs, violation{field: field, desc: fmt.Sprintf(format, args...)})
}

func (w *walker) message(msg string, v any, path string) map[string]any {
	obj, ok := v.(map[string]any)
	if !ok {
		w.add(path, "Invalid value at '%s' (%s%s), %s", path, protoPkg, msg, show(v))
		return nil
	}
	fields := messages[msg]
	out := make(map[string]any, len(obj))
	for _, k := range sortedKeys(obj) {
		name := k
		if _, ok := fields[k]; !ok {
			name = camel(k)
			if _, ok := fields[name]; !ok || snake(name) != k {
				if path == "" {
					w.add(k, "Invalid JSON payload received. Unknown name %q: Cannot find field.", k)
				} else {
					w.add(path, "Invalid JSON payload received. Unknown name %q at '%s': Cannot find field.", k, path)
				}
				continue
			}
		}
		if _, dup := out[name]; dup {
			w.add(join(path, snake(name)), "Invalid JSON payload received. Duplicate field %q (sent as both %q and %q).", snake(name), name, snake(name))
			continue
		}
		if obj[k] == nil {
			continue // proto JSON reads null as "not set"
		}
		out[name] = w.field(fields[name], obj[k], join(path, snake(name)))
	}
	if msg == "Part" {
		var set []string
		for _, f := range partData {
			if _, ok := out[f]; ok {
				set = append(set, f)
			}
		}
		if len(set) > 1 {
			w.add(path, "Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '%s'", set[1])
		}
	}
	return out
}

// partData are the members of Part's "data" oneof.
var partData = []string{"text", "inlineData", "fileData", "functionCall", "functionResponse",
	"executableCode", "codeExecutionResult", "toolCall", "toolResponse"}

func (w *walker) field(typ string, v any, path string) any {
	elem, repeated := strings.CutPrefix(typ, "[]")
	arr, isList := v.([]any)
	switch {
	case repeated && !isList:
		w.add(path, "Invalid value at '%s' (%s), %s", path, elem, show(v))
		return nil
	case repeated:
		out := make([]any, 0, len(arr))
		for i, e := range arr {
			out = append(out, w.single(elem, e, fmt.Sprintf("%s[%d]", path, i)))
		}
		return out
	case isList && typ != "value":
		w.add(path, "Invalid JSON payload received. Proto field is not repeating, cannot start list.")
		return nil
	}
	return w.single(typ, v, path)
}

func (w *walker) single(typ string, v any, path string) any {
	bad := func(t string) any { w.add(path, "Invalid value at '%s' (%s), %s", path, t, show(v)); return v }
	switch typ {
	case "value":
		return v
	case "string":
		if _, ok := v.(string); !ok {
			return bad("TYPE_STRING")
		}
	case "bool":
		if _, ok := v.(bool); !ok {
			return bad("TYPE_BOOL")
		}
	case "int32", "int64":
		n, ok := number(v)
		if !ok || n != math.Trunc(n) || typ == "int32" && math.Abs(n) > math.MaxInt32 {
			return bad("TYPE_" + strings.ToUpper(typ))
		}
		return n
	case "float", "double":
		n, ok := number(v)
		if !ok {
			return bad("TYPE_" + strings.ToUpper(typ))
		}
		return n
	case "bytes":
		s, ok := v.(string)
		if !ok || !isBase64(s) {
			w.add(path, "Invalid value at '%s' (TYPE_BYTES), Base64 decoding failed for %s", path, show(v))
		}
	case "duration":
		s, ok := v.(string)
		if _, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64); !ok || !strings.HasSuffix(s, "s") || err != nil {
			return bad("type.googleapis.com/google.protobuf.Duration")
		}
	case "struct":
		if _, ok := v.(map[string]any); !ok {
			return bad("type.googleapis.com/google.protobuf.Struct")
		}
	default:
		if name, ok := strings.CutPrefix(typ, "enum:"); ok {
			return w.enum(name, v, path)
		}
		if msg, ok := strings.CutPrefix(typ, "map:"); ok {
			obj, isObj := v.(map[string]any)
			if !isObj {
				return bad("map")
			}
			out := make(map[string]any, len(obj))
			for i, k := range sortedKeys(obj) { // Google indexes map entries by position
				out[k] = w.message(msg, obj[k], fmt.Sprintf("%s[%d].value", path, i))
			}
			return out
		}
		return w.message(typ, v, path)
	}
	return v
}

func (w *walker) enum(name string, v any, path string) any {
	values := enums[name]
	switch x := v.(type) {
	case string:
		if i := slices.Index(values, strings.ToUpper(x)); i >= 0 {
			return values[i]
		}
	case float64:
		if x >= 0 && int(x) < len(values) && x == math.Trunc(x) {
			return values[int(x)]
		}
	}
	w.add(path, "Invalid value at '%s' (%s%s), %s", path, protoPkg, name, show(v))
	return v
}

// number reads a proto JSON number: a JSON number or a numeric string.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		n, err := strconv.ParseFloat(x, 64)
		return n, err == nil
	}
	return 0, false
}

// isBase64 accepts what proto JSON accepts: standard or URL-safe alphabet,
// with or without padding.
func isBase64(s string) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if _, err := enc.DecodeString(s); err == nil {
			return true
		}
	}
	return false
}

// show renders a value the way Google quotes it in "Invalid value" texts.
func show(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
