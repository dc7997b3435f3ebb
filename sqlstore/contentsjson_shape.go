package sqlstore

import (
	"reflect"

	"github.com/hagemi/hagemi/domain/gemini"
)

// geminiShapeKnown says whether gemini's types still have exactly the
// fields and tags the encoder writes; a new field must not be dropped.
var geminiShapeKnown = shapeOf(reflect.TypeFor[gemini.Content]()) == knownShape

const knownShape = `Content{Role string json:"role,omitempty";Parts []gemini.Part json:"parts";}` +
	`Part{Text string json:"text,omitempty";Thought bool json:"thought,omitempty";ThoughtSignature string json:"thoughtSignature,omitempty";` +
	`InlineData *gemini.Blob json:"inlineData,omitempty";FileData *gemini.FileData json:"fileData,omitempty";` +
	`FunctionCall *gemini.FunctionCall json:"functionCall,omitempty";FunctionResponse *gemini.FunctionResponse json:"functionResponse,omitempty";` +
	`ExecutableCode *gemini.ExecutableCode json:"executableCode,omitempty";CodeExecutionResult *gemini.CodeExecutionResult json:"codeExecutionResult,omitempty";}` +
	`Blob{MimeType string json:"mimeType";Data string json:"data";}` +
	`FileData{MimeType string json:"mimeType,omitempty";FileURI string json:"fileUri";}` +
	`FunctionCall{ID string json:"id,omitempty";Name string json:"name";Args json.RawMessage json:"args,omitempty";}` +
	`FunctionResponse{ID string json:"id,omitempty";Name string json:"name";Response json.RawMessage json:"response";}` +
	`ExecutableCode{Language string json:"language,omitempty";Code string json:"code";}` +
	`CodeExecutionResult{Outcome string json:"outcome,omitempty";Output string json:"output,omitempty";}`

// shapeOf describes a struct and the structs it reaches, in field order.
func shapeOf(t reflect.Type) string {
	var b []byte
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		b = append(b, t.Name()+"{"...)
		for i := range t.NumField() {
			f := t.Field(i)
			b = append(b, f.Name+" "+f.Type.String()+" "+string(f.Tag)+";"...)
		}
		b = append(b, '}')
		for i := range t.NumField() {
			walk(t.Field(i).Type)
		}
	}
	walk(t)
	return string(b)
}
