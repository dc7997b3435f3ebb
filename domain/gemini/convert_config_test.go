package gemini

import (
	"testing"
)

func TestConvertGenerationConfig(t *testing.T) {
	tests := []struct {
		name, model, fields string
		opts                ConvertOptions
		want                string // generationConfig JSON, "" when omitted
	}{
		{"nothing sent", "gemini-2.5-flash", ``, ConvertOptions{}, ``},
		{"nulls are absent", "gemini-2.5-flash", `"temperature":null,"top_p":null,"stop":null,"max_tokens":null,"seed":null,"response_format":null,"tools":null,`, ConvertOptions{}, ``},
		{"temperature zero kept", "gemini-2.5-flash", `"temperature":0,`, ConvertOptions{}, `{"temperature":0}`},
		{"top_k zero dropped", "gemini-2.5-flash", `"top_k":0,`, ConvertOptions{}, ``},
		{"n one dropped", "gemini-2.5-flash", `"n":1,`, ConvertOptions{}, ``},
		{"stop string", "gemini-2.5-flash", `"stop":"END",`, ConvertOptions{}, `{"stopSequences":["END"]}`},
		{"stop empties and first five", "gemini-2.5-flash", `"stop":["","a","b","","c","d","e","f"],`, ConvertOptions{}, `{"stopSequences":["a","b","c","d","e"]}`},
		{"max_completion_tokens wins", "gemini-2.5-flash", `"max_tokens":10,"max_completion_tokens":20,`, ConvertOptions{}, `{"maxOutputTokens":20}`},
		{"max_tokens fallback", "gemini-2.5-flash", `"max_tokens":10,"max_completion_tokens":0,`, ConvertOptions{}, `{"maxOutputTokens":10}`},
		{"clamped", "gemini-2.5-flash", `"max_tokens":100000,`, ConvertOptions{MaxOutputTokens: 65536}, `{"maxOutputTokens":65536}`},
		{"penalties dropped by default", "gemini-2.5-flash", `"presence_penalty":0.5,"frequency_penalty":1,`, ConvertOptions{}, ``},
		{"penalties kept", "gemini-2.5-flash", `"presence_penalty":0.5,"frequency_penalty":0,`, ConvertOptions{KeepPenalties: true}, `{"presencePenalty":0.5}`},
		{"seed wraps to int32", "gemini-2.5-flash", `"seed":4294967297,`, ConvertOptions{}, `{"seed":1}`},
		{"logprobs", "gemini-2.5-flash", `"logprobs":true,"top_logprobs":50,`, ConvertOptions{}, `{"responseLogprobs":true,"logprobs":20}`},
		{"top_logprobs alone", "gemini-2.5-flash", `"top_logprobs":5,`, ConvertOptions{}, ``},
		{"text format", "gemini-2.5-flash", `"response_format":{"type":"text"},`, ConvertOptions{}, ``},
		{"json_object", "gemini-2.5-flash", `"response_format":{"type":"json_object"},`, ConvertOptions{}, `{"responseMimeType":"application/json"}`},
		{"json_schema 2.5", "gemini-2.5-flash", `"response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":{"type":"object","strict":true,"properties":{"b":{"type":"string"},"a":{"type":"integer"}}}}},`, ConvertOptions{},
			`{"responseMimeType":"application/json","responseJsonSchema":{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}}`},
		{"json_schema 2.0", "gemini-2.0-flash", `"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":{"a":{"type":"integer","minimum":1}},"additionalProperties":false}}},`, ConvertOptions{},
			`{"responseMimeType":"application/json","responseSchema":{"properties":{"a":{"minimum":1,"type":"INTEGER"}},"type":"OBJECT"}}`},
		{"json_schema empty object", "gemini-2.0-flash", `"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}},`, ConvertOptions{}, `{"responseMimeType":"application/json"}`},
		{"json_schema without schema", "gemini-2.5-flash", `"response_format":{"type":"json_schema","json_schema":{"name":"x"}},`, ConvertOptions{}, `{"responseMimeType":"application/json"}`},
		{"text modality", "gemini-2.5-flash", `"modalities":["text"],`, ConvertOptions{}, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := convertJSON(t, tt.model, `{`+tt.fields+userHi+`}`, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			cfg := ""
			if got.Request.GenerationConfig != nil {
				cfg = compactJSON(t, got.Request.GenerationConfig)
			}
			if cfg != tt.want {
				t.Errorf("generationConfig = %s; want %s", cfg, tt.want)
			}
		})
	}
}

func TestConvertSafetySettings(t *testing.T) {
	for _, tt := range []struct{ threshold, want string }{{"", "BLOCK_NONE"}, {"OFF", "OFF"}} {
		got, err := convertJSON(t, "gemini-2.5-flash", `{`+userHi+`}`, ConvertOptions{SafetyThreshold: tt.threshold})
		if err != nil {
			t.Fatal(err)
		}
		s := got.Request.SafetySettings
		if len(s) != 5 {
			t.Fatalf("len(safetySettings) = %d; want 5", len(s))
		}
		for _, c := range s {
			if c.Threshold != tt.want {
				t.Errorf("%s threshold = %q; want %q", c.Category, c.Threshold, tt.want)
			}
		}
		if s[4].Category != "HARM_CATEGORY_CIVIC_INTEGRITY" {
			t.Errorf("last category = %q", s[4].Category)
		}
	}
}

func TestConvertToolChoice(t *testing.T) {
	tools := `"tools":[{"type":"function","function":{"name":"a"}},{"type":"function","function":{"name":"b"}}],`
	tests := []struct {
		name, fields string
		want         string // toolConfig JSON, "" when omitted
		decls        int
	}{
		{"absent", tools, ``, 2},
		{"auto", tools + `"tool_choice":"auto",`, `{"functionCallingConfig":{"mode":"AUTO"}}`, 2},
		{"none", tools + `"tool_choice":"none",`, `{"functionCallingConfig":{"mode":"NONE"}}`, 2},
		{"required", tools + `"tool_choice":"required",`, `{"functionCallingConfig":{"mode":"ANY"}}`, 2},
		{"function", tools + `"tool_choice":{"type":"function","function":{"name":"b"}},`, `{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["b"]}}`, 2},
		{"allowed required", tools + `"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"required","tools":[{"type":"function","function":{"name":"a"}}]}},`, `{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["a"]}}`, 2},
		{"allowed auto", tools + `"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[{"type":"function","function":{"name":"b"}}]}},`, `{"functionCallingConfig":{"mode":"AUTO"}}`, 1},
		{"no tools ignores choice", `"tool_choice":{"type":"function","function":{"name":"zz"}},`, ``, 0},
		{"empty tools", `"tools":[],"tool_choice":"required",`, ``, 0},
		{"legacy auto", `"functions":[{"name":"a"}],"function_call":"none",`, `{"functionCallingConfig":{"mode":"NONE"}}`, 1},
		{"legacy name", `"functions":[{"name":"a"}],"function_call":{"name":"a"},`, `{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["a"]}}`, 1},
		{"tool_choice beats function_call", tools + `"tool_choice":"none","function_call":"auto",`, `{"functionCallingConfig":{"mode":"NONE"}}`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := convertJSON(t, "gemini-2.5-flash", `{`+tt.fields+userHi+`}`, ConvertOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tc := ""
			if got.Request.ToolConfig != nil {
				tc = compactJSON(t, got.Request.ToolConfig)
			}
			if tc != tt.want {
				t.Errorf("toolConfig = %s; want %s", tc, tt.want)
			}
			decls := 0
			for _, tool := range got.Request.Tools {
				decls += len(tool.FunctionDeclarations)
			}
			if decls != tt.decls {
				t.Errorf("declarations = %d; want %d", decls, tt.decls)
			}
		})
	}
}

func TestConvertFunctionName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"get_weather", true},
		{"_private", true},
		{"mcp--fs--read", true},
		{"lobe-web-browsing____search____builtin", true},
		{"default_api:search.v2", true},
		{"", false},
		{"1abc", false},
		{"-abc", false},
		{"has space", false},
		{"naïve", false},
		{string(make([]byte, 129)), false},
	}
	for _, tt := range tests {
		if got := validFunctionName(tt.name); got != tt.want {
			t.Errorf("validFunctionName(%q) = %v; want %v", tt.name, got, tt.want)
		}
	}
}
