package gemini

import (
	"context"
	"encoding/json"
	"math"
)

// MaxBatchEmbed is how many requests one batchEmbedContents call may carry.
const MaxBatchEmbed = 100

// EmbedDimensions is the full output size of Gemini's embedding models;
// only vectors of this size come back unit length.
const EmbedDimensions = 3072

// EmbedContentRequest is the body of embedContent, and one request of
// batchEmbedContents (where Model, "models/<id>", is required and must
// equal the URL's model).
type EmbedContentRequest struct {
	Model                string  `json:"model,omitempty"`
	Content              Content `json:"content"`
	TaskType             string  `json:"taskType,omitempty"`
	Title                string  `json:"title,omitempty"`
	OutputDimensionality int     `json:"outputDimensionality,omitempty"`
}

// EmbedContentResponse is the answer of embedContent.
type EmbedContentResponse struct {
	Embedding ContentEmbedding `json:"embedding"`
}

// ContentEmbedding is one vector.
type ContentEmbedding struct {
	Values []float32 `json:"values"`
}

// BatchEmbedContentsRequest is the body of batchEmbedContents.
type BatchEmbedContentsRequest struct {
	Requests []EmbedContentRequest `json:"requests"`
}

// BatchEmbedContentsResponse is the answer of batchEmbedContents, in the
// order of the requests.
type BatchEmbedContentsResponse struct {
	Embeddings []ContentEmbedding `json:"embeddings"`
}

// EmbedContent calls embedContent.
func (c *Client) EmbedContent(ctx context.Context, key, model string, req *EmbedContentRequest) (*EmbedContentResponse, error) {
	var out EmbedContentResponse
	if err := c.postJSON(ctx, key, c.modelURL(model, ":embedContent"), req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// BatchEmbedContents calls batchEmbedContents; the caller keeps a batch
// within MaxBatchEmbed requests.
func (c *Client) BatchEmbedContents(ctx context.Context, key, model string, req *BatchEmbedContentsRequest) (*BatchEmbedContentsResponse, error) {
	var out BatchEmbedContentsResponse
	if err := c.postJSON(ctx, key, c.modelURL(model, ":batchEmbedContents"), req, &out); err != nil {
		return nil, err
	}
	if len(out.Embeddings) != len(req.Requests) {
		// Matching vectors to inputs by position would silently go wrong.
		return nil, &UpstreamError{Kind: KindServer, HTTPStatus: 200,
			Message: "batchEmbedContents answered a different number of embeddings than requested"}
	}
	return &out, nil
}

// postJSON posts body and decodes a 200 answer into out.
func (c *Client) postJSON(ctx context.Context, key, u string, body, out any) error {
	resp, err := c.post(ctx, key, u, body)
	if err != nil {
		return err
	}
	defer drainClose(resp.Body)
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return bodyError(ctx, err)
	}
	return nil
}

// Normalize scales v to unit length in place, as OpenAI's vectors are:
// Gemini only normalises its full-size output (spec D.11). A zero vector is
// left alone.
func Normalize(v []float32) {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return
	}
	inv := 1 / math.Sqrt(sum)
	for i, x := range v {
		v[i] = float32(float64(x) * inv)
	}
}
