package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"

	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

func TestModelsList(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	ctx := context.Background()
	page, err := e.client.Models.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, m := range page.Data {
		ids[m.ID] = true
		if m.OwnedBy != "google" || m.Object != "model" || m.Created == 0 {
			t.Errorf("model %+v", m)
		}
	}
	for _, want := range []string{"gemini-2.5-flash", "gemini-3-flash-preview", "gemini-flash-latest", "gemini-embedding-001"} {
		if !ids[want] {
			t.Errorf("list lacks %s", want)
		}
	}
	for _, unwanted := range []string{"imagen-4.0-generate-001", "aqa", "models/gemini-2.5-flash"} {
		if ids[unwanted] {
			t.Errorf("list has %s", unwanted)
		}
	}
	m, err := e.client.Models.Get(ctx, "gemini-2.5-flash")
	if err != nil || m.ID != "gemini-2.5-flash" {
		t.Errorf("get = %+v, %v", m, err)
	}
	_, err = e.client.Models.Get(ctx, "gemini-9-nonexistent")
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "model_not_found" {
		t.Errorf("unknown model = %v", err)
	}
}

func TestChatPlain(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	resp, err := e.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "gemini-2.5-flash",
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("Be brief."),
			openai.UserMessage("hello there"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Choices) != 1 || !strings.Contains(resp.Choices[0].Message.Content, "hello there") {
		t.Fatalf("choices = %+v", resp.Choices)
	}
	if resp.Choices[0].FinishReason != "stop" || resp.Model != "gemini-2.5-flash" || !strings.HasPrefix(resp.ID, "chatcmpl-") {
		t.Errorf("finish=%q model=%q id=%q", resp.Choices[0].FinishReason, resp.Model, resp.ID)
	}
	if resp.Usage.PromptTokens == 0 || resp.Usage.TotalTokens != resp.Usage.PromptTokens+resp.Usage.CompletionTokens {
		t.Errorf("usage = %+v", resp.Usage)
	}
	reqs := e.fake.Requests()
	last := reqs[len(reqs)-1]
	if last.KeyInQuery || last.Header.Get("x-goog-api-key") != testKey(1) {
		t.Errorf("key sent as query=%v header=%q", last.KeyInQuery, last.Header.Get("x-goog-api-key"))
	}
	if _, ok := last.Body["generationConfig"]; ok {
		t.Errorf("generationConfig invented: %v", last.Body["generationConfig"])
	}
}

func TestChatStream(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	e.fake.Handle("gemini-2.5-flash", func(r geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Chunks: []string{"Hel", "lo ", "world"}}
	})
	stream := e.client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model:         "gemini-2.5-flash",
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	acc := openai.ChatCompletionAccumulator{}
	roles, chunks, usageChunks := 0, 0, 0
	for stream.Next() {
		c := stream.Current()
		acc.AddChunk(c)
		chunks++
		if len(c.Choices) > 0 && c.Choices[0].Delta.Role != "" {
			roles++
		}
		if len(c.Choices) == 0 && c.Usage.TotalTokens > 0 {
			usageChunks++
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if got := acc.Choices[0].Message.Content; got != "Hello world" {
		t.Errorf("content = %q", got)
	}
	if acc.Choices[0].FinishReason != "stop" || roles != 1 || usageChunks != 1 || chunks < 5 {
		t.Errorf("finish=%q roles=%d usage chunks=%d chunks=%d", acc.Choices[0].FinishReason, roles, usageChunks, chunks)
	}
}

func TestChatStreamFraming(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	resp := e.post(t, "/v1/chat/completions", `{"model":"gemini-2.5-flash","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	body := readAll(t, resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("headers = %v", resp.Header)
	}
	if !strings.HasSuffix(body, "data: [DONE]\n\n") || strings.Count(body, `"finish_reason":"stop"`) != 1 {
		t.Errorf("body = %s", body)
	}
	if strings.Contains(body, `"usage"`) {
		t.Errorf("usage sent without include_usage: %s", body)
	}
}

func weatherTool() openai.ChatCompletionToolUnionParam {
	return openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
		Name:   "get_weather",
		Strict: openai.Bool(true),
		Parameters: shared.FunctionParameters{
			"type":                 "object",
			"properties":           map[string]any{"city": map[string]any{"type": []string{"string", "null"}}},
			"required":             []string{"city"},
			"additionalProperties": false,
		},
	})
}

// toolResponder calls get_weather on the first turn and answers from the
// function response afterwards.
func toolResponder(r geminitest.Request) geminitest.Reply {
	if strings.Contains(string(r.Raw), "functionResponse") {
		return geminitest.Reply{Text: "It is sunny in Paris."}
	}
	return geminitest.Reply{FunctionCalls: []geminitest.Call{{Name: "get_weather", Args: map[string]any{"city": "Paris"}}}}
}

func TestChatToolsRoundTrip(t *testing.T) {
	for _, model := range []string{"gemini-2.5-flash", "gemini-3-flash-preview"} {
		for _, stream := range []bool{false, true} {
			t.Run(model+map[bool]string{false: "/unary", true: "/stream"}[stream], func(t *testing.T) {
				e := newEnv(t, []string{testKey(1)}, nil)
				e.fake.Handle(model, toolResponder)
				params := openai.ChatCompletionNewParams{
					Model:    model,
					Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Weather in Paris?")},
					Tools:    []openai.ChatCompletionToolUnionParam{weatherTool()},
				}
				msg, finish := complete(t, e, params, stream)
				if finish != "tool_calls" || len(msg.ToolCalls) != 1 {
					t.Fatalf("finish=%q calls=%+v", finish, msg.ToolCalls)
				}
				call := msg.ToolCalls[0]
				if call.Function.Name != "get_weather" || call.Function.Arguments != `{"city":"Paris"}` || !strings.HasPrefix(call.ID, "call_") {
					t.Errorf("call = %+v", call)
				}
				// A stateless client sends back only id, name and arguments.
				params.Messages = append(params.Messages, msg.ToParam(), openai.ToolMessage(`{"temp_c":21}`, call.ID))
				msg, finish = complete(t, e, params, stream)
				if finish != "stop" || msg.Content != "It is sunny in Paris." {
					t.Fatalf("second turn: finish=%q content=%q", finish, msg.Content)
				}
				reqs := e.fake.Requests()
				body := string(reqs[len(reqs)-1].Raw)
				if !strings.Contains(body, `"functionResponse":{"name":"get_weather","response":{"temp_c":21}}`) {
					t.Errorf("function response not sent as expected: %s", body)
				}
				if strings.HasPrefix(model, "gemini-3") && strings.Contains(body, "skip_thought_signature_validator") {
					t.Errorf("the real signature was not replayed: %s", body)
				}
			})
		}
	}
}

// complete runs params streamed or not and returns the assistant message.
func complete(t *testing.T, e *env, params openai.ChatCompletionNewParams, stream bool) (openai.ChatCompletionMessage, string) {
	t.Helper()
	ctx := context.Background()
	if !stream {
		resp, err := e.client.Chat.Completions.New(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Choices[0].Message, resp.Choices[0].FinishReason
	}
	s := e.client.Chat.Completions.NewStreaming(ctx, params)
	acc := openai.ChatCompletionAccumulator{}
	for s.Next() {
		acc.AddChunk(s.Current())
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return acc.Choices[0].Message, acc.Choices[0].FinishReason
}

func TestChatJSONOutputAndImage(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	png := "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
	_, err := e.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "gemini-2.5-flash",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
			openai.TextContentPart("What is this?"),
			openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: "data:image/png;base64," + png}),
		})},
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "answer", Schema: map[string]any{
				"type": "object", "properties": map[string]any{"what": map[string]any{"type": "string"}}, "additionalProperties": false,
			}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.fake.Requests()
	var sent struct {
		Contents []struct {
			Parts []struct {
				InlineData *struct{ MimeType, Data string } `json:"inlineData"`
			} `json:"parts"`
		} `json:"contents"`
		GenerationConfig struct {
			ResponseMimeType   string          `json:"responseMimeType"`
			ResponseJSONSchema json.RawMessage `json:"responseJsonSchema"`
		} `json:"generationConfig"`
	}
	json.Unmarshal(reqs[len(reqs)-1].Raw, &sent)
	if p := sent.Contents[0].Parts[1].InlineData; p == nil || p.MimeType != "image/png" || p.Data != png {
		t.Errorf("image part = %+v", sent.Contents[0].Parts)
	}
	if sent.GenerationConfig.ResponseMimeType != "application/json" || len(sent.GenerationConfig.ResponseJSONSchema) == 0 {
		t.Errorf("generationConfig = %+v", sent.GenerationConfig)
	}
}

func TestChatFiftyConcurrentStreams(t *testing.T) {
	keys := []string{testKey(1), testKey(2), testKey(3)}
	e := newEnv(t, keys, nil)
	e.fake.Handle("gemini-2.5-flash", func(r geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Chunks: []string{"a", "b", "c", r.LastUserText()}}
	})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := "n" + strings.Repeat("x", i)
			s := e.client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
				Model:    "gemini-2.5-flash",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(want)},
			})
			acc := openai.ChatCompletionAccumulator{}
			for s.Next() {
				acc.AddChunk(s.Current())
			}
			if err := s.Err(); err != nil {
				errs <- err
				return
			}
			if got := acc.Choices[0].Message.Content; !strings.HasSuffix(got, want) {
				errs <- errors.New("stream mixed up: " + got)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, k := range keys {
		if n := e.fake.Calls(k); n < 10 {
			t.Errorf("key %s served %d of 50; load not spread", k[:12], n)
		}
	}
	_ = http.StatusOK
}
