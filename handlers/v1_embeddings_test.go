package handlers_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

// fakeVector asks the fake directly for text's embedding at dims.
func fakeVector(t *testing.T, e *env, text string, dims int) []float32 {
	t.Helper()
	c := &gemini.Client{BaseURL: e.fake.URL}
	e.fake.AddKey(testKey(99), geminitest.Key{}) // outside the pool, so the pool's counts stay as they were
	req := gemini.EmbedContentRequest{OutputDimensionality: dims, Content: gemini.Content{Parts: []gemini.Part{{Text: text}}}}
	resp, err := c.EmbedContent(context.Background(), testKey(99), "gemini-embedding-001", &req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Embedding.Values
}

// vectorOf reads one returned embedding in either encoding.
func vectorOf(t *testing.T, d openai.Embedding, b64 bool) []float32 {
	t.Helper()
	if !b64 {
		out := make([]float32, len(d.Embedding))
		for i, x := range d.Embedding {
			out[i] = float32(x)
		}
		return out
	}
	var s string
	if err := json.Unmarshal([]byte(d.JSON.Embedding.Raw()), &s); err != nil {
		t.Fatalf("base64 embedding is not a string: %v", err)
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(raw)%4 != 0 {
		t.Fatalf("bad base64: %v", err)
	}
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out
}

// TestEmbeddingsWithOpenAIClient embeds with both encodings over a pool
// whose first key is invalid, so a call rotates to the second key.
func TestEmbeddingsWithOpenAIClient(t *testing.T) {
	e := newEnv(t, []string{testKey(1), testKey(2)}, map[string]geminitest.Key{testKey(1): {Invalid: true}})
	for _, format := range []openai.EmbeddingNewParamsEncodingFormat{openai.EmbeddingNewParamsEncodingFormatFloat, openai.EmbeddingNewParamsEncodingFormatBase64} {
		t.Run(string(format), func(t *testing.T) {
			b64 := format == openai.EmbeddingNewParamsEncodingFormatBase64
			resp, err := e.client.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
				Model:          "gemini-embedding-001",
				Input:          openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"alpha", "beta"}},
				EncodingFormat: format,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Data) != 2 || resp.Model != "gemini-embedding-001" || resp.Usage.PromptTokens == 0 || resp.Usage.TotalTokens != resp.Usage.PromptTokens {
				t.Fatalf("response = %+v", resp)
			}
			for i, text := range []string{"alpha", "beta"} {
				got, want := vectorOf(t, resp.Data[i], b64), fakeVector(t, e, text, 0)
				if resp.Data[i].Index != int64(i) || len(got) != len(want) {
					t.Fatalf("data[%d]: index %d, %d values; want %d", i, resp.Data[i].Index, len(got), len(want))
				}
				for j := range want {
					if got[j] != want[j] {
						t.Fatalf("data[%d][%d] = %v; want the fake's %v", i, j, got[j], want[j])
					}
				}
			}
		})
	}
	if n := modelCalls(e, testKey(1)); n != 1 || !e.pool.Status()[0].Invalid {
		t.Errorf("invalid key tried %d times, marked %v; want once, then out", n, e.pool.Status()[0].Invalid)
	}
}

func TestEmbeddingsDimensionsAreNormalised(t *testing.T) {
	e := newEnv(t, []string{testKey(1), testKey(2)}, nil)
	resp, err := e.client.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: "text-embedding-3-small",
		Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hello")},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := vectorOf(t, resp.Data[0], false)
	raw := fakeVector(t, e, "hello", 1536) // OpenAI's size for text-embedding-3-small
	if len(got) != 1536 || resp.Model != "gemini-embedding-001" {
		t.Fatalf("%d values from %s", len(got), resp.Model)
	}
	var norm, rawNorm float64
	for i := range got {
		norm += float64(got[i]) * float64(got[i])
		rawNorm += float64(raw[i]) * float64(raw[i])
	}
	if math.Abs(norm-1) > 1e-5 || math.Abs(rawNorm-1) < 1e-3 {
		t.Errorf("|v|² = %v (fake's own %v); want 1", norm, rawNorm)
	}
	if r := float64(got[7]) / float64(raw[7]); math.Abs(r-1/math.Sqrt(rawNorm)) > 1e-4 {
		t.Errorf("not the fake's vector scaled: ratio %v", r)
	}
}

func TestEmbeddingsBatchesOf100KeepOrder(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	texts := make([]string, 250)
	for i := range texts {
		texts[i] = fmt.Sprintf("text number %d", i)
	}
	dims := int64(8)
	resp, err := e.client.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: "gemini-embedding-001", Dimensions: openai.Int(dims),
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: texts},
	})
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, r := range e.fake.Requests() {
		if r.Action == "batchEmbedContents" {
			sizes = append(sizes, len(r.Body["requests"].([]any)))
		}
	}
	if fmt.Sprint(sizes) != "[100 100 50]" {
		t.Errorf("batches = %v; want [100 100 50]", sizes)
	}
	for _, i := range []int{0, 99, 100, 249} {
		want := fakeVector(t, e, texts[i], 8)
		gemini.Normalize(want)
		got := vectorOf(t, resp.Data[i], false)
		if resp.Data[i].Index != int64(i) || len(got) != 8 || math.Abs(float64(got[3]-want[3])) > 1e-6 {
			t.Errorf("data[%d] = %v; want %v", i, got, want)
		}
	}
}

func TestEmbeddingsRejectBadInput(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	tests := []struct {
		name, body, param string
		status            int
	}{
		{"token array", `{"model":"gemini-embedding-001","input":[1,2,3]}`, "input", 400},
		{"token arrays", `{"model":"gemini-embedding-001","input":[[1,2],[3]]}`, "input", 400},
		{"empty string", `{"model":"gemini-embedding-001","input":""}`, "input", 400},
		{"empty in array", `{"model":"gemini-embedding-001","input":["a",""]}`, "input[1]", 400},
		{"empty array", `{"model":"gemini-embedding-001","input":[]}`, "input", 400},
		{"no input", `{"model":"gemini-embedding-001"}`, "input", 400},
		{"object input", `{"model":"gemini-embedding-001","input":{"a":1}}`, "input", 400},
		{"bad format", `{"model":"gemini-embedding-001","input":"a","encoding_format":"int8"}`, "encoding_format", 400},
		{"bad dimensions", `{"model":"gemini-embedding-001","input":"a","dimensions":0}`, "dimensions", 400},
		{"chat model", `{"model":"gemini-2.5-flash","input":"a"}`, "model", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.post(t, "/v1/embeddings", tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d; want %d", resp.StatusCode, tt.status)
			}
			if env := decodeEnvelope(t, resp); deref(env.Error.Param) != tt.param || env.Error.Type != "invalid_request_error" {
				t.Errorf("error = %+v; want param %q", env.Error, tt.param)
			}
		})
	}
	if n := modelCalls(e, testKey(1)); n != 0 {
		t.Errorf("%d bad requests reached Gemini", n)
	}
}
