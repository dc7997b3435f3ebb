package gemini

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hagemi/hagemi/domain"
)

func embedReq(text, model string, dims int) EmbedContentRequest {
	return EmbedContentRequest{Model: model, OutputDimensionality: dims, Content: Content{Parts: []Part{{Text: text}}}}
}

func TestEmbedContentAndBatchAgree(t *testing.T) {
	fake, c := newFake(t)
	ctx := context.Background()
	one := embedReq("hello", "", 0)
	single, err := c.EmbedContent(ctx, testKey, "gemini-embedding-001", &one)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(single.Embedding.Values); n != EmbedDimensions {
		t.Errorf("len = %d; want %d", n, EmbedDimensions)
	}
	batch := BatchEmbedContentsRequest{Requests: []EmbedContentRequest{
		embedReq("world", "models/gemini-embedding-001", 768),
		embedReq("hello", "models/gemini-embedding-001", 768),
	}}
	resp, err := c.BatchEmbedContents(ctx, testKey, "gemini-embedding-001", &batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Embeddings) != 2 || len(resp.Embeddings[1].Values) != 768 {
		t.Fatalf("got %d embeddings", len(resp.Embeddings))
	}
	for i, x := range resp.Embeddings[1].Values { // the same text in a batch, cut to 768
		if x != single.Embedding.Values[i] {
			t.Fatalf("value %d = %v; want %v", i, x, single.Embedding.Values[i])
		}
	}
	if r := fake.Requests(); r[len(r)-1].Action != "batchEmbedContents" || r[len(r)-1].Key != testKey {
		t.Errorf("last call = %+v", r[len(r)-1])
	}

	_, err = c.EmbedContent(ctx, testKey, "gemini-2.5-flash", &one)
	if !errors.Is(err, domain.ErrModelNotFound) {
		t.Errorf("embedding with a chat model: err = %v; want model not found", err)
	}
}

func TestBatchEmbedRejectsShortAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"embeddings":[{"values":[1,0]}]}`)
	}))
	defer srv.Close()
	c := &Client{HTTP: srv.Client(), BaseURL: srv.URL}
	batch := BatchEmbedContentsRequest{Requests: []EmbedContentRequest{embedReq("a", "models/m", 0), embedReq("b", "models/m", 0)}}
	_, err := c.BatchEmbedContents(context.Background(), testKey, "m", &batch)
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Kind != KindServer {
		t.Errorf("err = %v; want a server-kind UpstreamError", err)
	}
}

func TestNormalize(t *testing.T) {
	v := []float32{3, 4}
	Normalize(v)
	if math.Abs(float64(v[0])-0.6) > 1e-7 || math.Abs(float64(v[1])-0.8) > 1e-7 {
		t.Errorf("Normalize([3 4]) = %v; want [0.6 0.8]", v)
	}
	zero := []float32{0, 0}
	Normalize(zero)
	if zero[0] != 0 || zero[1] != 0 {
		t.Errorf("Normalize(zero) = %v", zero)
	}
}
