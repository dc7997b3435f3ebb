package geminitest

import (
	"fmt"
	"slices"
)

// formats lists the format values Google takes per Schema type.
var formats = map[string][]string{
	"STRING":  {"enum", "date-time"},
	"NUMBER":  {"float", "double"},
	"INTEGER": {"int32", "int64"},
}

// checkSchema applies the semantic rules of the OpenAPI-subset Schema
// (parameters, response, responseSchema) to a normalized schema; unknown
// keywords, type arrays and non-string enums were caught by the walker.
// at is the "* GenerateContentRequest.<path>" prefix of the schema.
func checkSchema(s map[string]any, at string) *apiError {
	typ, _ := s["type"].(string)
	props, hasProps := s["properties"].(map[string]any)
	switch typ {
	case "OBJECT":
		if hasProps && len(props) == 0 {
			return plain("%s.properties: should be non-empty for OBJECT type", at)
		}
	case "ARRAY":
		if s["items"] == nil {
			return plain("%s.items: missing field", at)
		}
	}
	if s["enum"] != nil && typ != "" && typ != "STRING" {
		return plain("%s.enum: only allowed for STRING type", at)
	}
	if f, _ := s["format"].(string); f != "" {
		if allowed, ok := formats[typ]; ok && !slices.Contains(allowed, f) {
			return plain("%s.format: only '%s' and '%s' are supported for %s type", at, allowed[0], allowed[1], typ)
		}
	}
	for i, r := range list(s["required"]) {
		if _, ok := props[r.(string)]; !ok {
			return plain("%s.required[%d]: property is not defined", at, i)
		}
	}
	for i, k := range sortedKeys(props) {
		if p, ok := props[k].(map[string]any); ok {
			if err := checkSchema(p, fmt.Sprintf("%s.properties[%d].value", at, i)); err != nil {
				return err
			}
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		if err := checkSchema(items, at+".items"); err != nil {
			return err
		}
	}
	for i, a := range list(s["anyOf"]) {
		if a, ok := a.(map[string]any); ok {
			if err := checkSchema(a, fmt.Sprintf("%s.any_of[%d]", at, i)); err != nil {
				return err
			}
		}
	}
	return nil
}
