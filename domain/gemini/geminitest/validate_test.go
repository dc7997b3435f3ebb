package geminitest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

const key = "AIzaSyFake-0000000000000000000000000000"

// post sends body to model:action with the key in the header and returns
// the status and the decoded error message ("" on success).
func post(t *testing.T, s *geminitest.Server, model, action, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"/v1beta/models/"+model+":"+action, strings.NewReader(body))
	req.Header.Set("x-goog-api-key", key)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var env struct {
		Error struct {
			Code    int
			Message string
			Status  string
		}
	}
	_ = json.Unmarshal(b, &env)
	if resp.StatusCode != 200 && env.Error.Code != resp.StatusCode {
		t.Errorf("error envelope code %d for status %d: %s", env.Error.Code, resp.StatusCode, b)
	}
	return resp.StatusCode, env.Error.Message
}

const user = `{"role":"user","parts":[{"text":"hi"}]}`

func fn(params string) string {
	return `{"contents":[` + user + `],"tools":[{"functionDeclarations":[{"name":"f","parameters":` + params + `}]}]}`
}

func TestStrictness(t *testing.T) {
	call := `{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]}`
	signed := `{"role":"model","parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"c2tpcF90aG91Z2h0X3NpZ25hdHVyZV92YWxpZGF0b3I="}]}`
	resp := `{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"ok":true}}}]}`
	tests := []struct {
		name, model, body, want string // want: substring of the message; "" means 200
	}{
		{"minimal", "gemini-2.5-flash", `{"contents":[` + user + `]}`, ""},
		{"snake case", "gemini-2.5-flash", `{"contents":[` + user + `],"generation_config":{"max_output_tokens":5,"thinking_config":{"thinking_budget":0}}}`, ""},
		{"null fields", "gemini-2.5-flash", `{"contents":[` + user + `],"tools":null,"generationConfig":{"temperature":null}}`, ""},
		{"unknown top", "gemini-2.5-flash", `{"contents":[` + user + `],"foo":1}`, `Unknown name "foo": Cannot find field.`},
		{"unknown config", "gemini-2.5-flash", `{"contents":[` + user + `],"generationConfig":{"foo":1}}`, `Unknown name "foo" at 'generation_config': Cannot find field.`},
		{"unknown part field", "gemini-2.5-flash", `{"contents":[{"role":"user","parts":[{"text":"x","type":"text"}]}]}`, `Unknown name "type" at 'contents[0].parts[0]'`},
		{"both spellings", "gemini-2.5-flash", `{"contents":[` + user + `],"generationConfig":{},"generation_config":{}}`, "Duplicate field"},
		{"wrong type", "gemini-2.5-flash", `{"contents":[` + user + `],"generationConfig":{"temperature":"hot"}}`, `Invalid value at 'generation_config.temperature' (TYPE_FLOAT), "hot"`},
		{"args as string", "gemini-2.5-flash", `{"contents":[` + user + `,{"role":"model","parts":[{"functionCall":{"name":"f","args":"{}"}}]}]}`, "google.protobuf.Struct"},
		{"bad base64", "gemini-2.5-flash", `{"contents":[{"role":"user","parts":[{"inlineData":{"mimeType":"image/png","data":"***"}}]}]}`, "Base64 decoding failed"},
		{"no contents", "gemini-2.5-flash", `{}`, "contents is not specified"},
		{"empty body", "gemini-2.5-flash", ``, "contents is not specified"},
		{"not json", "gemini-2.5-flash", `{"contents":`, "Invalid JSON payload received"},
		{"array body", "gemini-2.5-flash", `[]`, "Root element must be a message"},
		{"bad role", "gemini-2.5-flash", `{"contents":[{"role":"assistant","parts":[{"text":"x"}]}]}`, "Please use a valid role: user, model."},
		{"empty parts", "gemini-2.5-flash", `{"contents":[` + user + `,{"role":"model","parts":[]}]}`, "contents[1].parts: contents.parts must not be empty"},
		{"empty part", "gemini-2.5-flash", `{"contents":[{"role":"user","parts":[{}]}]}`, "required oneof field 'data' must have one initialized field"},
		{"two data fields", "gemini-2.5-flash", `{"contents":[{"role":"user","parts":[{"text":"x","inlineData":{"mimeType":"a/b","data":"AA=="}}]}]}`, "Oneof field 'data' is already set"},
		{"empty text is data", "gemini-2.5-flash", `{"contents":[{"role":"user","parts":[{"text":"","thoughtSignature":"AA=="}]}]}`, ""},
		{"six stop sequences", "gemini-2.5-flash", `{"contents":[` + user + `],"generationConfig":{"stopSequences":["1","2","3","4","5","6"]}}`, "stop_sequences"},
		{"budget and level", "gemini-3-flash-preview", `{"contents":[` + user + `],"generationConfig":{"thinkingConfig":{"thinkingBudget":10,"thinkingLevel":"low"}}}`, "thinking_budget and thinking_level"},
		{"level on 2.5", "gemini-2.5-flash", `{"contents":[` + user + `],"generationConfig":{"thinkingConfig":{"thinkingLevel":"LOW"}}}`, "Thinking level is not supported"},
		{"minimal on 3.8", "gemini-3.8-flash", `{"contents":[` + user + `],"generationConfig":{"thinkingConfig":{"thinkingLevel":"minimal"}}}`, "thinking level MINIMAL is not supported"},
		{"high on 3.8", "gemini-3.8-flash", `{"contents":[` + user + `],"generationConfig":{"thinkingConfig":{"thinkingLevel":"high","includeThoughts":true}}}`, ""},
		{"budget 0 on pro", "gemini-2.5-pro", `{"contents":[` + user + `],"generationConfig":{"thinkingConfig":{"thinkingBudget":0}}}`, "only works in thinking mode"},
		{"additionalProperties", "gemini-2.5-flash", fn(`{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}`), `Unknown name "additionalProperties" at 'tools[0].function_declarations[0].parameters'`},
		{"nested $ref", "gemini-2.5-flash", fn(`{"type":"object","properties":{"a":{"$ref":"#/x"}}}`), `Unknown name "$ref" at 'tools[0].function_declarations[0].parameters.properties[0].value'`},
		{"oneOf", "gemini-2.5-flash", fn(`{"type":"object","properties":{"a":{"oneOf":[{"type":"string"}]}}}`), `Unknown name "oneOf"`},
		{"type array", "gemini-2.5-flash", fn(`{"type":"object","properties":{"a":{"type":["string","null"]}}}`), "Proto field is not repeating"},
		{"numeric enum", "gemini-2.5-flash", fn(`{"type":"object","properties":{"a":{"type":"string","enum":[1]}}}`), "enum[0]' (TYPE_STRING), 1"},
		{"enum on integer", "gemini-2.5-flash", fn(`{"type":"object","properties":{"a":{"type":"integer","enum":["1"]}}}`), "only allowed for STRING type"},
		{"empty object", "gemini-2.5-flash", fn(`{"type":"object","properties":{}}`), "should be non-empty for OBJECT type"},
		{"array without items", "gemini-2.5-flash", fn(`{"type":"object","properties":{"a":{"type":"array"}}}`), "items: missing field"},
		{"required unknown", "gemini-2.5-flash", fn(`{"type":"object","properties":{"a":{"type":"string"}},"required":["b"]}`), "property is not defined"},
		{"good schema", "gemini-2.5-flash", fn(`{"type":"OBJECT","properties":{"a":{"type":"string","nullable":true,"enum":["x"]},"b":{"type":"array","items":{"type":"integer","format":"int32"}}},"required":["a"]}`), ""},
		{"both parameter forms", "gemini-2.5-flash", `{"contents":[` + user + `],"tools":[{"functionDeclarations":[{"name":"f","parameters":{"type":"string"},"parametersJsonSchema":{"type":"string"}}]}]}`, "parameters and parameters_json_schema"},
		{"json schema is free", "gemini-2.5-flash", `{"contents":[` + user + `],"tools":[{"functionDeclarations":[{"name":"f","parametersJsonSchema":{"type":["string","null"],"$defs":{},"additionalProperties":false}}]}]}`, ""},
		{"bad function name", "gemini-2.5-flash", `{"contents":[` + user + `],"tools":[{"functionDeclarations":[{"name":"1f"}]}]}`, "Invalid function name"},
		{"legacy category", "gemini-2.5-flash", `{"contents":[` + user + `],"safetySettings":[{"category":"HARM_CATEGORY_TOXICITY","threshold":"BLOCK_NONE"}]}`, "element predicate failed"},
		{"unknown enum", "gemini-2.5-flash", `{"contents":[` + user + `],"safetySettings":[{"category":"HARM_CATEGORY_FOO","threshold":"BLOCK_NONE"}]}`, "HarmCategory), \"HARM_CATEGORY_FOO\""},
		{"call first", "gemini-2.5-flash", `{"contents":[` + call + `]}`, "function call turn comes immediately after a user turn"},
		{"call after model", "gemini-2.5-flash", `{"contents":[` + user + `,{"role":"model","parts":[{"text":"x"}]},` + call + `]}`, "function call turn comes immediately after a user turn"},
		{"response without call", "gemini-2.5-flash", `{"contents":[` + resp + `]}`, "function response turn comes immediately after a function call turn"},
		{"count mismatch", "gemini-2.5-flash", `{"contents":[` + user + `,{"role":"model","parts":[{"functionCall":{"name":"f"}},{"functionCall":{"name":"f"}}]},` + resp + `]}`, "number of function response parts is equal"},
		{"tool round trip 2.5", "gemini-2.5-flash", `{"contents":[` + user + `,` + call + `,` + resp + `]}`, ""},
		{"unsigned on 3", "gemini-3-flash-preview", `{"contents":[` + user + `,` + call + `,` + resp + `]}`, "Function call is missing a thought_signature in functionCall parts"},
		{"signed on 3", "gemini-3-flash-preview", `{"contents":[` + user + `,` + signed + `,` + resp + `,` + signed + `,` + resp + `]}`, ""},
		{"second step unsigned", "gemini-3.8-flash", `{"contents":[` + user + `,` + signed + `,` + resp + `,` + call + `,` + resp + `]}`, "position 4"},
		{"old turn unsigned", "gemini-3.8-flash", `{"contents":[` + user + `,` + call + `,` + resp + `,{"role":"model","parts":[{"text":"ok"}]},` + user + `]}`, ""},
		{"unknown model", "gemini-9", `{"contents":[` + user + `]}`, "models/gemini-9 is not found for API version v1beta, or is not supported for generateContent"},
		{"embedding model", "gemini-embedding-001", `{"contents":[` + user + `]}`, "is not supported for generateContent"},
	}
	s := geminitest.New(t, geminitest.WithAnyKey())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, msg := post(t, s, tt.model, "generateContent", tt.body)
			switch {
			case tt.want == "" && status != 200:
				t.Errorf("status %d: %s; want 200", status, msg)
			case tt.want != "" && (status < 400 || !strings.Contains(msg, tt.want)):
				t.Errorf("status %d, message %q; want an error containing %q", status, msg, tt.want)
			}
		})
	}
}

func TestEmbeddingsAndCount(t *testing.T) {
	s := geminitest.New(t, geminitest.WithAnyKey())
	tests := []struct {
		name, model, action, body, want string
	}{
		{"count", "gemini-2.5-flash", "countTokens", `{"contents":[{"parts":[{"text":"12345678"}]}]}`, ""},
		{"count nested", "gemini-2.5-flash", "countTokens", `{"generateContentRequest":{"model":"models/gemini-2.5-flash","contents":[{"parts":[{"text":"x"}]}]}}`, ""},
		{"count nested without model", "gemini-2.5-flash", "countTokens", `{"generateContentRequest":{"contents":[{"parts":[{"text":"x"}]}]}}`, "model"},
		{"embed", "gemini-embedding-001", "embedContent", `{"content":{"parts":[{"text":"a"}]},"outputDimensionality":8}`, ""},
		{"embed chat model", "gemini-2.5-flash", "embedContent", `{"content":{"parts":[{"text":"a"}]}}`, "not supported for embedContent"},
		{"batch", "gemini-embedding-001", "batchEmbedContents", `{"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]}}]}`, ""},
		{"batch wrong model", "gemini-embedding-001", "batchEmbedContents", `{"requests":[{"model":"models/other","content":{"parts":[{"text":"a"}]}}]}`, "must match the model in the URL"},
		{"batch no model", "gemini-embedding-001", "batchEmbedContents", `{"requests":[{"content":{"parts":[{"text":"a"}]}}]}`, "model is not specified"},
		{"batch too big", "gemini-embedding-001", "batchEmbedContents", `{"requests":[` + strings.TrimSuffix(strings.Repeat(`{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]}},`, 101), ",") + `]}`, "at most 100 requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, msg := post(t, s, tt.model, tt.action, tt.body)
			if (tt.want == "") != (status == 200) || !strings.Contains(msg, tt.want) {
				t.Errorf("status %d, message %q; want %q", status, msg, tt.want)
			}
		})
	}
}
