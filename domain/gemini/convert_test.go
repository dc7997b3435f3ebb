package gemini

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/openai"
)

// convertJSON decodes a request body and converts it for model.
func convertJSON(t *testing.T, model, body string, opts ConvertOptions) (*Converted, error) {
	t.Helper()
	var req openai.ChatRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatalf("decode: %v", err)
	}
	opts.Model = model
	return ConvertRequest(&req, opts)
}

const userHi = `"messages":[{"role":"user","content":"hi"}]`

func TestConvertRequestErrors(t *testing.T) {
	png := "data:image/png;base64,iVBORw0KGgo="
	tests := []struct {
		name, model, body, param string
	}{
		{"no messages", "gemini-2.5-flash", `{"messages":[]}`, "messages"},
		{"null messages", "gemini-2.5-flash", `{"messages":null}`, "messages"},
		{"nothing to send", "gemini-2.5-flash", `{"messages":[{"role":"user","content":""},{"role":"system","content":" "}]}`, "messages"},
		{"unknown role", "gemini-2.5-flash", `{"messages":[{"role":"user","content":"a"},{"role":"robot","content":"b"}]}`, "messages[1].role"},
		{"gif", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/gif;base64,R0lGODlh"}}]}]}`, "messages[0].content[0].image_url.url"},
		{"svg", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"image_url","image_url":{"url":"data:image/svg+xml;base64,PHN2Zz4="}}]}]}`, "messages[0].content[1].image_url.url"},
		{"bad base64", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,not base64!!"}}]}]}`, "messages[0].content[0].image_url.url"},
		{"bad base64 length", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,abcde"}}]}]}`, "messages[0].content[0].image_url.url"},
		{"not base64 encoded", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,rawbytes"}}]}]}`, "messages[0].content[0].image_url.url"},
		{"remote image not fetched", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}`, "messages[0].content[0].image_url.url"},
		{"ftp image", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://example.com/a.png"}}]}]}`, "messages[0].content[0].image_url.url"},
		{"empty image url", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":""}}]}]}`, "messages[0].content[0].image_url.url"},
		{"openai file id", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}]}`, "messages[0].content[0].file.file_id"},
		{"empty file", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"file","file":{"filename":"a.pdf"}}]}]}`, "messages[0].content[0].file"},
		{"audio format", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wma"}}]}]}`, "messages[0].content[0].input_audio.format"},
		{"audio data", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"***","format":"wav"}}]}]}`, "messages[0].content[0].input_audio.data"},
		{"unknown part", "gemini-2.5-flash", `{"messages":[{"role":"user","content":[{"type":"video","video":{}}]}]}`, "messages[0].content[0].type"},
		{"tool image", "gemini-2.5-flash", `{"messages":[{"role":"user","content":"a"},{"role":"tool","tool_call_id":"x","content":[{"type":"image_url","image_url":{"url":"data:image/bmp;base64,Qk0="}}]}]}`, "messages[1].content[0].image_url.url"},
		{"call without name", "gemini-2.5-flash", `{"messages":[{"role":"user","content":"a"},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"arguments":"{}"}}]}]}`, "messages[1].tool_calls[0].function.name"},
		{"custom tool", "gemini-2.5-flash", `{"tools":[{"type":"custom","custom":{"name":"x"}}],` + userHi + `}`, "tools[0].type"},
		{"bad function name", "gemini-2.5-flash", `{"tools":[{"type":"function","function":{"name":"a b"}}],` + userHi + `}`, "tools[0].function.name"},
		{"duplicate function", "gemini-2.5-flash", `{"tools":[{"type":"function","function":{"name":"a"}},{"type":"function","function":{"name":"a"}}],` + userHi + `}`, "tools"},
		{"parameters not object", "gemini-2.5-flash", `{"tools":[{"type":"function","function":{"name":"a","parameters":"x"}}],` + userHi + `}`, "tools[0].function.parameters"},
		{"legacy parameters not object", "gemini-2.0-flash", `{"functions":[{"name":"a","parameters":[1]}],` + userHi + `}`, "functions[0].parameters"},
		{"tool_choice unknown function", "gemini-2.5-flash", `{"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":{"type":"function","function":{"name":"b"}},` + userHi + `}`, "tool_choice"},
		{"tool_choice unknown mode", "gemini-2.5-flash", `{"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":"sometimes",` + userHi + `}`, "tool_choice"},
		{"allowed_tools empty", "gemini-2.5-flash", `{"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[]}},` + userHi + `}`, "tool_choice.allowed_tools.tools"},
		{"function_call unknown", "gemini-2.5-flash", `{"functions":[{"name":"a"}],"function_call":{"name":"b"},` + userHi + `}`, "function_call"},
		{"audio modality", "gemini-2.5-flash", `{"modalities":["text","audio"],` + userHi + `}`, "modalities"},
		{"temperature", "gemini-2.5-flash", `{"temperature":3,` + userHi + `}`, "temperature"},
		{"top_p", "gemini-2.5-flash", `{"top_p":-0.1,` + userHi + `}`, "top_p"},
		{"response_format type", "gemini-2.5-flash", `{"response_format":{"type":"xml"},` + userHi + `}`, "response_format.type"},
		{"response schema not object", "gemini-2.5-flash", `{"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":[1]}},` + userHi + `}`, "response_format.json_schema.schema"},
		{"thinking level", "gemini-3-flash-preview", `{"extra_body":{"google":{"thinking_config":{"thinking_level":"extreme"}}},` + userHi + `}`, "extra_body.google.thinking_config.thinking_level"},
		{"thinking level top-level google", "gemini-3-flash-preview", `{"google":{"thinking_config":{"thinkingLevel":"extreme"}},` + userHi + `}`, "google.thinking_config.thinking_level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := convertJSON(t, tt.model, tt.body, ConvertOptions{Media: map[string]Blob{"https://example.com/b.png": {MimeType: "image/png", Data: png}}})
			if err == nil {
				t.Fatalf("ConvertRequest = %s; want an error", compactJSON(t, got.Request))
			}
			var fe *domain.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *domain.FieldError", err)
			}
			if fe.Param != tt.param {
				t.Errorf("Param = %q; want %q (%v)", fe.Param, tt.param, err)
			}
			if !errors.Is(err, domain.ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
		})
	}
}

func TestConvertRemoteImageTypeChecked(t *testing.T) {
	body := `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.gif"}}]}]}`
	_, err := convertJSON(t, "gemini-2.5-flash", body, ConvertOptions{Media: map[string]Blob{"https://example.com/a.gif": {MimeType: "image/gif", Data: "R0lGODlh"}}})
	if err == nil || !strings.Contains(err.Error(), "image/gif") {
		t.Errorf("err = %v; want an unsupported image/gif error", err)
	}
	got, err := convertJSON(t, "gemini-2.5-flash", strings.ReplaceAll(body, "a.gif", "a.jpg"), ConvertOptions{Media: map[string]Blob{"https://example.com/a.jpg": {MimeType: "image/jpg", Data: "/9j/"}}})
	if err != nil {
		t.Fatal(err)
	}
	if mt := got.Request.Contents[0].Parts[0].InlineData.MimeType; mt != "image/jpeg" {
		t.Errorf("mimeType = %q; want image/jpeg", mt)
	}
}

func TestConvertRemoteMediaURLs(t *testing.T) {
	body := `{"messages":[
	  {"role":"system","content":[{"type":"image_url","image_url":{"url":"https://example.com/system.png"}}]},
	  {"role":"user","content":[{"type":"text","text":"x"},{"type":"image_url","image_url":{"url":"https://example.com/a.png"}},
	    {"type":"image_url","image_url":"HTTP://example.com/b.png"},
	    {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBO"}},
	    {"type":"image_url","image_url":{"url":"https://youtu.be/abc"}},
	    {"type":"image_url","image_url":{"url":"https://generativelanguage.googleapis.com/v1beta/files/f1"}},
	    {"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]},
	  {"role":"tool","tool_call_id":"c","content":[{"type":"image_url","image_url":{"url":"https://example.com/tool.png"}}]}]}`
	var req openai.ChatRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	want := []string{"https://example.com/a.png", "HTTP://example.com/b.png", "https://example.com/tool.png"}
	if diff := cmp.Diff(want, RemoteMediaURLs(&req)); diff != "" {
		t.Errorf("RemoteMediaURLs (-want +got):\n%s", diff)
	}
}

func TestConvertThinking(t *testing.T) {
	tests := []struct {
		name, model, extra string
		want               string // thinkingConfig JSON, "" for none
		include            bool
	}{
		{"absent", "gemini-2.5-flash", ``, ``, false},
		{"auto", "gemini-3-flash-preview", `"reasoning_effort":"auto",`, ``, false},
		{"unknown", "gemini-2.5-pro", `"reasoning_effort":"turbo",`, ``, false},
		{"2.5 pro none", "gemini-2.5-pro", `"reasoning_effort":"none",`, `{"thinkingBudget":128}`, false},
		{"2.5 flash none", "gemini-2.5-flash", `"reasoning_effort":"none",`, `{"thinkingBudget":0}`, false},
		{"2.5 lite minimal", "gemini-2.5-flash-lite", `"reasoning_effort":"minimal",`, `{"thinkingBudget":512,"includeThoughts":true}`, true},
		{"2.5 pro minimal", "gemini-2.5-pro", `"reasoning_effort":"minimal",`, `{"thinkingBudget":128,"includeThoughts":true}`, true},
		{"2.5 medium", "gemini-2.5-flash", `"reasoning_effort":"Medium",`, `{"thinkingBudget":8192,"includeThoughts":true}`, true},
		{"2.5 high", "gemini-2.5-flash", `"reasoning_effort":"high",`, `{"thinkingBudget":24576,"includeThoughts":true}`, true},
		{"2.5 pro xhigh", "gemini-2.5-pro", `"reasoning_effort":"xhigh",`, `{"thinkingBudget":32768,"includeThoughts":true}`, true},
		{"2.5 flash max", "gemini-2.5-flash", `"reasoning_effort":"max",`, `{"thinkingBudget":24576,"includeThoughts":true}`, true},
		{"2.0 ignores effort", "gemini-2.0-flash", `"reasoning_effort":"high",`, ``, false},
		{"gemma ignores effort", "gemma-3-27b-it", `"reasoning_effort":"low",`, ``, false},
		{"3 flash minimal", "gemini-3-flash-preview", `"reasoning_effort":"minimal",`, `{"thinkingLevel":"MINIMAL","includeThoughts":true}`, true},
		{"3 flash none", "gemini-3-flash-preview", `"reasoning_effort":"none",`, `{"thinkingLevel":"MINIMAL"}`, false},
		{"3 pro minimal", "gemini-3-pro-preview", `"reasoning_effort":"minimal",`, `{"thinkingLevel":"LOW","includeThoughts":true}`, true},
		{"3 pro medium", "gemini-3-pro-preview", `"reasoning_effort":"medium",`, `{"thinkingLevel":"HIGH","includeThoughts":true}`, true},
		{"3.1 pro medium", "gemini-3.1-pro-preview", `"reasoning_effort":"medium",`, `{"thinkingLevel":"MEDIUM","includeThoughts":true}`, true},
		{"3.1 pro none", "gemini-3.1-pro-preview", `"reasoning_effort":"none",`, `{"thinkingLevel":"LOW"}`, false},
		{"3.1 flash-lite minimal", "gemini-3.1-flash-lite", `"reasoning_effort":"minimal",`, `{"thinkingLevel":"LOW","includeThoughts":true}`, true},
		{"3.5 flash-lite minimal", "gemini-3.5-flash-lite", `"reasoning_effort":"minimal",`, `{"thinkingLevel":"MINIMAL","includeThoughts":true}`, true},
		{"3.6 flash minimal", "gemini-3.6-flash", `"reasoning_effort":"minimal",`, `{"thinkingLevel":"MINIMAL","includeThoughts":true}`, true},
		{"3.7 flash minimal", "gemini-3.7-flash", `"reasoning_effort":"minimal",`, `{"thinkingLevel":"MINIMAL","includeThoughts":true}`, true},
		{"3.8 flash minimal", "gemini-3.8-flash", `"reasoning_effort":"minimal",`, `{"thinkingLevel":"LOW","includeThoughts":true}`, true},
		{"3.8 flash medium", "gemini-3.8-flash", `"reasoning_effort":"medium",`, `{"thinkingLevel":"MEDIUM","includeThoughts":true}`, true},
		{"3 high", "gemini-3-flash-preview", `"reasoning_effort":"xhigh",`, `{"thinkingLevel":"HIGH","includeThoughts":true}`, true},
		{"latest alias", "gemini-flash-latest", `"reasoning_effort":"minimal",`, `{"thinkingLevel":"LOW","includeThoughts":true}`, true},
		{"openrouter reasoning", "gemini-2.5-flash", `"reasoning":{"effort":"low"},`, `{"thinkingBudget":1024,"includeThoughts":true}`, true},
		{"effort beats reasoning", "gemini-2.5-flash", `"reasoning_effort":"high","reasoning":{"effort":"low"},`, `{"thinkingBudget":24576,"includeThoughts":true}`, true},
		{"extra_body", "gemini-2.5-pro", `"extra_body":{"google":{"thinking_config":{"thinking_budget":-1,"include_thoughts":true}}},`, `{"thinkingBudget":-1,"includeThoughts":true}`, true},
		{"extra_body beats effort", "gemini-2.5-flash", `"reasoning_effort":"high","extra_body":{"google":{"thinking_config":{"thinking_budget":0}}},`, `{"thinkingBudget":0,"includeThoughts":true}`, true},
		{"explicit include false", "gemini-2.5-flash", `"reasoning_effort":"high","google":{"thinking_config":{"include_thoughts":false}},`, ``, false},
		{"extra_body beats google", "gemini-2.5-flash", `"google":{"thinking_config":{"thinking_budget":5}},"extra_body":{"google":{"thinking_config":{"thinking_budget":7}}},`, `{"thinkingBudget":7}`, false},
		{"include only", "gemini-2.5-flash", `"google":{"thinking_config":{"includeThoughts":true}},`, `{"includeThoughts":true}`, true},
		{"level on 3", "gemini-3-flash-preview", `"google":{"thinking_config":{"thinking_level":"low","thinking_budget":100}},`, `{"thinkingLevel":"LOW"}`, false},
		{"budget wins on 2.5", "gemini-2.5-flash", `"google":{"thinking_config":{"thinking_level":"low","thinking_budget":100}},`, `{"thinkingBudget":100}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := convertJSON(t, tt.model, `{`+tt.extra+userHi+`}`, ConvertOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tc := ""
			if cfg := got.Request.GenerationConfig; cfg != nil && cfg.ThinkingConfig != nil {
				tc = compactJSON(t, cfg.ThinkingConfig)
			}
			if tc != tt.want {
				t.Errorf("thinkingConfig = %s; want %s", tc, tt.want)
			}
			if got.IncludeThoughts != tt.include {
				t.Errorf("IncludeThoughts = %v; want %v", got.IncludeThoughts, tt.include)
			}
		})
	}
}
