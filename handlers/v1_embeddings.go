package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/memory"
	"github.com/hagemi/hagemi/domain/openai"
)

// defaultEmbeddingModel serves requests that name an OpenAI embedding
// model, or none.
const defaultEmbeddingModel = "gemini-embedding-001"

// maxEmbeddingInputs is OpenAI's limit per request.
const maxEmbeddingInputs = 2048

// openAIEmbeddingDims maps OpenAI's embedding models to the vector size
// their clients expect: a vector store sized for text-embedding-3-small
// breaks on Gemini's default 3072 values (spec D.11). An explicit
// dimensions still wins.
var openAIEmbeddingDims = map[string]int{
	"text-embedding-3-small": 1536,
	"text-embedding-3-large": 3072,
	"text-embedding-ada-002": 1536,
}

// embedCall is one /v1/embeddings request, checked.
type embedCall struct {
	model  string // bare Gemini id
	texts  []string
	tokens []int // estimated per text
	dims   int   // outputDimensionality; 0 is Gemini's default
	base64 bool
}

func handleEmbeddings(d *Deps, emb Embedder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if emb == nil {
			writeAPIError(w, apiError{Status: http.StatusNotImplemented, Type: "server_error", Message: "This gateway was built without embeddings."})
			return
		}
		ctx := r.Context()
		if d.RequestTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d.RequestTimeout)
			defer cancel()
		}
		call, err := prepareEmbeddings(d, w, r)
		if err != nil {
			writeAPIError(w, statusFor(err))
			return
		}
		vectors := make([][]float32, 0, len(call.texts))
		for start := 0; start < len(call.texts); start += gemini.MaxBatchEmbed {
			end := min(start+gemini.MaxBatchEmbed, len(call.texts))
			vs, err := embedChunk(ctx, d, emb, call, start, end)
			if err != nil {
				if r.Context().Err() == nil {
					writeAPIError(w, statusFor(err))
				}
				return
			}
			vectors = append(vectors, vs...)
		}
		writeJSON(w, http.StatusOK, embeddingResponse(call, vectors))
	})
}

// prepareEmbeddings decodes and checks the request and picks the model.
func prepareEmbeddings(d *Deps, w http.ResponseWriter, r *http.Request) (*embedCall, error) {
	var req openai.EmbeddingRequest
	if err := decodeBody(w, r, d.MaxBodyBytes, &req); err != nil {
		return nil, err
	}
	in := req.Input
	switch {
	case !in.Set:
		return nil, domain.Invalid("input", "input is required: a string or an array of strings")
	case in.Tokens:
		return nil, domain.Invalid("input", "token arrays cannot be embedded here: Gemini takes text only, so send the strings")
	case in.Invalid:
		return nil, domain.Invalid("input", "input must be a string or an array of strings")
	case len(in.Texts) == 0:
		return nil, domain.Invalid("input", "input must not be an empty array")
	case len(in.Texts) > maxEmbeddingInputs:
		return nil, domain.Invalid("input", fmt.Sprintf("at most %d inputs are allowed per request", maxEmbeddingInputs))
	}
	call := &embedCall{texts: in.Texts, tokens: make([]int, len(in.Texts))}
	for i, t := range in.Texts {
		if strings.TrimSpace(t) == "" {
			param := "input"
			if !in.Single {
				param = fmt.Sprintf("input[%d]", i)
			}
			return nil, domain.Invalid(param, "input must not be an empty string")
		}
		call.tokens[i] = textTokens(t)
	}
	switch req.EncodingFormat {
	case "", "float":
	case "base64":
		call.base64 = true
	default:
		return nil, domain.Invalid("encoding_format", "encoding_format must be float or base64")
	}
	if err := pickEmbeddingModel(d, r, &req, call); err != nil {
		return nil, err
	}
	if req.Dimensions != nil {
		if n := *req.Dimensions; n < 1 || n > gemini.EmbedDimensions {
			return nil, domain.Invalid("dimensions", fmt.Sprintf("dimensions must be between 1 and %d", gemini.EmbedDimensions))
		}
		call.dims = *req.Dimensions
	}
	return call, nil
}

// pickEmbeddingModel passes Gemini ids through and maps OpenAI's names.
func pickEmbeddingModel(d *Deps, r *http.Request, req *openai.EmbeddingRequest, call *embedCall) error {
	name := strings.TrimSpace(req.Model)
	if dims, ok := openAIEmbeddingDims[name]; ok || name == "" {
		call.model, call.dims = defaultEmbeddingModel, dims
	} else {
		id, err := gemini.ModelID(name)
		if err != nil {
			return err
		}
		call.model = id
	}
	if !principalFrom(r.Context()).Allows(call.model) {
		return fmt.Errorf("%w: this key may not use model %s", domain.ErrForbidden, call.model)
	}
	if info, known := d.Catalog.Lookup(call.model); d.Catalog.Loaded() && (!known || !info.Supports("embedContent")) {
		return fmt.Errorf("%w: the model '%s' does not exist or cannot embed", domain.ErrModelNotFound, call.model)
	}
	recordOf(r.Context()).model = call.model
	return nil
}

// textTokens estimates one text's tokens by the rules of spec F.2, since
// Gemini reports no usage for embeddings.
func textTokens(t string) int {
	return memory.Estimate([]gemini.Content{{Parts: []gemini.Part{{Text: t}}}}) - memory.ContentTokens
}
