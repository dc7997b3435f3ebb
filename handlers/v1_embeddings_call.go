package handlers

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"math"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/openai"
)

// embedChunk embeds texts[start:end] (at most one batch) with the first
// key that works, like every other call: a key's failure is reported to
// the pool and the next key tried while the failure is retryable.
func embedChunk(ctx context.Context, d *Deps, emb Embedder, call *embedCall, start, end int) ([][]float32, error) {
	tokens := 0
	for _, n := range call.tokens[start:end] {
		tokens += n
	}
	var tried domain.Tried
	var last error
	for range d.attempts() {
		lease, err := d.Pool.AcquireContext(ctx, call.model, tokens, &tried)
		if err != nil {
			return nil, finalError(last, err)
		}
		vs, err := embedOnce(ctx, emb, lease.Secret, call, call.texts[start:end])
		if err == nil {
			// Google reports no usage for embeddings: the estimate stands in.
			succeeded(ctx, d, lease, &gemini.Reply{Usage: &gemini.UsageMetadata{PromptTokenCount: tokens}})
			return vs, nil
		}
		if clientLeft(ctx, d, lease) {
			return nil, err
		}
		report(ctx, d, lease, outcomeOf(err))
		logAttempt(d, lease, call.model, err)
		last = err
		if !retryable(err) || ctx.Err() != nil {
			break
		}
	}
	return nil, last
}

// embedOnce makes one upstream call: embedContent for a single text,
// batchEmbedContents (each request naming the model, as Google requires)
// for more.
func embedOnce(ctx context.Context, emb Embedder, key string, call *embedCall, texts []string) ([][]float32, error) {
	one := func(t string, model string) gemini.EmbedContentRequest {
		return gemini.EmbedContentRequest{Model: model, OutputDimensionality: call.dims,
			Content: gemini.Content{Parts: []gemini.Part{{Text: t}}}}
	}
	if len(texts) == 1 {
		req := one(texts[0], "")
		resp, err := emb.EmbedContent(ctx, key, call.model, &req)
		if err != nil {
			return nil, err
		}
		return [][]float32{resp.Embedding.Values}, nil
	}
	batch := gemini.BatchEmbedContentsRequest{Requests: make([]gemini.EmbedContentRequest, len(texts))}
	for i, t := range texts {
		batch.Requests[i] = one(t, "models/"+call.model)
	}
	resp, err := emb.BatchEmbedContents(ctx, key, call.model, &batch)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(resp.Embeddings))
	for i, e := range resp.Embeddings {
		out[i] = e.Values
	}
	return out, nil
}

// embeddingResponse builds the OpenAI answer. Vectors cut below the full
// size are normalised, because only Gemini's full-size output is unit
// length and OpenAI clients assume unit vectors (spec D.11).
func embeddingResponse(call *embedCall, vectors [][]float32) openai.EmbeddingResponse {
	out := openai.EmbeddingResponse{Object: "list", Model: call.model, Data: make([]openai.Embedding, len(vectors))}
	for i, v := range vectors {
		if call.dims > 0 && call.dims < gemini.EmbedDimensions {
			gemini.Normalize(v)
		}
		e := openai.Embedding{Object: "embedding", Index: i, Embedding: openai.Vector{Floats: v}}
		if call.base64 {
			e.Embedding = openai.Vector{Base64: float32Base64(v)}
		}
		out.Data[i] = e
	}
	for _, n := range call.tokens {
		out.Usage.PromptTokens += n
	}
	out.Usage.TotalTokens = out.Usage.PromptTokens
	return out
}

// float32Base64 is OpenAI's base64 form: the little-endian float32 bytes.
func float32Base64(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(b)
}
