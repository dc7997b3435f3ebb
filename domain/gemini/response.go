package gemini

import (
	"crypto/rand"
	"slices"

	"github.com/hagemi/hagemi/domain/openai"
)

// ResponseOptions configure ConvertResponse and NewStreamConverter.
type ResponseOptions struct {
	ID      string // "chatcmpl-…", chosen by the caller
	Model   string // echoed to the client as given
	Created int64  // Unix seconds
	// IncludeThoughts shows thought summaries as reasoning_content; without
	// it they are dropped.
	IncludeThoughts bool
	// NewToolCallID issues the id of each tool call. When nil, ids are
	// "call_" + 24 random base62 characters.
	NewToolCallID func() string
	// ToolNames maps function names renamed for Gemini back to the client's
	// (Converted.ToolNames).
	ToolNames map[string]string
}

// ConvertResponse converts a generateContent answer (spec D.7). A prompt
// Gemini blocked is not an error: it becomes one empty choice finished by
// "content_filter", which retrying with another key would not change. No
// candidates and no block reason is an upstream glitch: the error is a
// retryable *UpstreamError that wraps domain.ErrUpstream.
func ConvertResponse(resp *GenerateContentResponse, opts ResponseOptions) (*openai.ChatCompletion, *Reply, error) {
	if resp == nil || len(resp.Candidates) == 0 && (resp.PromptFeedback == nil || resp.PromptFeedback.BlockReason == "") {
		return nil, nil, &UpstreamError{Kind: KindServer, HTTPStatus: 200, Message: "response has no candidates"}
	}
	newID := opts.NewToolCallID
	if newID == nil {
		newID = randomToolCallID
	}
	cc := &openai.ChatCompletion{
		ID:      opts.ID,
		Object:  "chat.completion",
		Created: opts.Created,
		Model:   opts.Model,
		Usage:   UsageToOpenAI(resp.UsageMetadata),
	}
	if cc.Usage == nil {
		cc.Usage = &openai.Usage{}
	}
	reply := &Reply{Usage: resp.UsageMetadata}
	if len(resp.Candidates) == 0 {
		empty := ""
		cc.Choices = []openai.Choice{{
			Message:      openai.ResponseMessage{Role: "assistant", Content: &empty},
			FinishReason: "content_filter",
		}}
		return cc, reply, nil
	}
	order := make([]int, len(resp.Candidates))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return resp.Candidates[a].Index - resp.Candidates[b].Index })
	cc.Choices = make([]openai.Choice, len(order))
	for n, i := range order {
		r := reply
		if n > 0 {
			r = nil // only candidate 0 is kept for replay
		}
		cc.Choices[n] = convertCandidate(&resp.Candidates[i], opts.IncludeThoughts, newID, r)
		restoreNames(cc.Choices[n].Message.ToolCalls, opts.ToolNames)
	}
	return cc, reply, nil
}

// UsageToOpenAI maps Gemini's usage (spec D.7): tool-use prompt tokens
// count as prompt, thoughts as completion (they are billed as output), so
// total = prompt + completion always holds. It returns nil for nil.
func UsageToOpenAI(u *UsageMetadata) *openai.Usage {
	if u == nil {
		return nil
	}
	prompt := u.PromptTokenCount + u.ToolUsePromptTokenCount
	completion := u.CandidatesTokenCount + u.ThoughtsTokenCount
	return &openai.Usage{
		PromptTokens:            prompt,
		CompletionTokens:        completion,
		TotalTokens:             prompt + completion,
		PromptTokensDetails:     &openai.PromptTokensDetails{CachedTokens: u.CachedContentTokenCount},
		CompletionTokensDetails: &openai.CompletionTokensDetails{ReasoningTokens: u.ThoughtsTokenCount},
	}
}

// finishReason maps a Gemini finishReason. Gemini says STOP after function
// calls, and agents (Roo Code) close their calls only on "tool_calls". The
// failed-call reasons map to "stop", as litellm does.
func finishReason(reason string, sawCall bool) string {
	switch reason {
	case "MAX_TOKENS":
		return "length"
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
		"IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION",
		"LANGUAGE", "OTHER", "IMAGE_OTHER", "NO_IMAGE":
		return "content_filter"
	case "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS":
		return "stop"
	}
	if sawCall {
		return "tool_calls"
	}
	return "stop"
}

// randomToolCallID is "call_" + 24 base62 characters from crypto/rand:
// ids must be unique across a conversation, and clients match results by id.
func randomToolCallID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	id := make([]byte, 5, 5+24)
	copy(id, "call_")
	var buf [32]byte
	for len(id) < cap(id) {
		rand.Read(buf[:]) // never fails since Go 1.24
		for _, b := range buf {
			if b < 248 && len(id) < cap(id) { // 248 = 4*62: no modulo bias
				id = append(id, alphabet[b%62])
			}
		}
	}
	return string(id)
}
