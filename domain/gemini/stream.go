package gemini

import "github.com/hagemi/hagemi/domain/openai"

// StreamConverter turns streamGenerateContent events into OpenAI chunks
// (spec D.8). It is a value with one id per stream: every chunk has the same
// id, created and model. It is not safe for concurrent use.
type StreamConverter struct {
	opts         ResponseOptions
	includeUsage bool
	newID        func() string
	choices      []*streamChoice
	usage        *UsageMetadata // cumulative upstream: the last one wins
	finished     bool           // a finishReason or blockReason was seen
	started      bool

	reply replyBuilder // candidate 0
}

// streamChoice is the state of one choice index.
type streamChoice struct {
	index     int
	roleSent  bool
	sawCall   bool
	finished  bool
	midLine   bool // the content so far does not end with a newline
	toolIndex int  // index of the next tool call delta
}

// NewStreamConverter starts a stream. With includeUsage, Finish appends the
// usage chunk with empty choices that stream_options.include_usage asks for.
func NewStreamConverter(opts ResponseOptions, includeUsage bool) *StreamConverter {
	c := &StreamConverter{opts: opts, includeUsage: includeUsage, newID: opts.NewToolCallID}
	if c.newID == nil {
		c.newID = randomToolCallID
	}
	return c
}

// Next converts one upstream event, appending chunks to out. Gemini sends
// each function call whole, so each becomes one complete tool_calls delta
// (id, type, name, arguments), which strict clients (Vercel AI SDK) need.
func (c *StreamConverter) Next(ev *GenerateContentResponse, out []openai.ChatCompletionChunk) []openai.ChatCompletionChunk {
	if ev == nil {
		return out
	}
	if ev.UsageMetadata != nil {
		c.usage = ev.UsageMetadata
	}
	if len(ev.Candidates) == 0 {
		if pf := ev.PromptFeedback; pf != nil && pf.BlockReason != "" {
			if ch := c.choice(0); !ch.finished {
				out = c.finish(out, ch, "content_filter")
			}
		}
		return out
	}
	for i := range ev.Candidates {
		cand := &ev.Candidates[i]
		ch := c.choice(cand.Index)
		start := len(out)
		if cand.Content != nil {
			for j := range cand.Content.Parts {
				out = c.part(out, ch, &cand.Content.Parts[j], cand.Index == 0)
			}
		}
		if cand.FinishReason != "" && !ch.finished {
			out = c.finish(out, ch, finishReason(cand.FinishReason, ch.sawCall))
		}
		if lp := convertLogprobs(cand.LogprobsResult); lp != nil && len(out) > start {
			out[start].Choices[0].Logprobs = lp
		}
	}
	return out
}

// part emits the delta of one part and records it for Reply. After its
// finish chunk a choice takes nothing but a trailing signature, so that the
// reply is what the client saw.
func (c *StreamConverter) part(out []openai.ChatCompletionChunk, ch *streamChoice, p *Part, replay bool) []openai.ChatCompletionChunk {
	if ch.finished {
		if replay && !p.Thought && p.Text == "" && !p.HasData() {
			c.reply.add(p)
		}
		return out
	}
	switch {
	case p.Thought:
		if c.opts.IncludeThoughts && p.Text != "" {
			out = c.emit(out, ch, openai.Delta{ReasoningContent: p.Text})
		}
		return out
	case p.FunctionCall != nil:
		id := c.newID()
		ch.sawCall = true
		if replay {
			c.reply.call(p, id)
		}
		idx := ch.toolIndex
		ch.toolIndex++
		calls := []openai.ToolCall{toolCall(id, p.FunctionCall, &idx)}
		restoreNames(calls, c.opts.ToolNames)
		return c.emit(out, ch, openai.Delta{ToolCalls: calls})
	}
	if replay {
		c.reply.add(p)
	}
	if s := partMarkdown(*p, !ch.midLine); s != "" {
		ch.midLine = s[len(s)-1] != '\n'
		out = c.emit(out, ch, openai.Delta{Content: &s})
	}
	return out
}

// finish closes a choice: a role chunk first if it never had one (clients
// such as Roo Code need an assistant message to exist), then delta {} with
// the finish reason.
func (c *StreamConverter) finish(out []openai.ChatCompletionChunk, ch *streamChoice, reason string) []openai.ChatCompletionChunk {
	if !ch.roleSent {
		empty := ""
		out = c.chunk(out, ch, openai.Delta{Role: "assistant", Content: &empty}, nil)
		ch.roleSent = true
	}
	ch.finished, c.finished = true, true
	return c.chunk(out, ch, openai.Delta{}, &reason)
}

// emit appends a content, reasoning or tool delta; the role goes on the
// first one of each choice.
func (c *StreamConverter) emit(out []openai.ChatCompletionChunk, ch *streamChoice, d openai.Delta) []openai.ChatCompletionChunk {
	if !ch.roleSent {
		d.Role, ch.roleSent = "assistant", true
	}
	c.started = true
	return c.chunk(out, ch, d, nil)
}

func (c *StreamConverter) chunk(out []openai.ChatCompletionChunk, ch *streamChoice, d openai.Delta, finish *string) []openai.ChatCompletionChunk {
	return append(out, openai.ChatCompletionChunk{
		ID: c.opts.ID, Object: "chat.completion.chunk", Created: c.opts.Created, Model: c.opts.Model,
		Choices: []openai.ChunkChoice{{Index: ch.index, Delta: d, FinishReason: finish}},
	})
}

func (c *StreamConverter) choice(index int) *streamChoice {
	for _, ch := range c.choices {
		if ch.index == index {
			return ch
		}
	}
	ch := &streamChoice{index: index}
	c.choices = append(c.choices, ch)
	return ch
}

// Finish appends the closing chunks: the usage chunk with empty choices
// when includeUsage. When no finishReason (nor blockReason) was ever seen
// the stream was truncated: it returns Truncated(), which wraps
// domain.ErrUpstream.
func (c *StreamConverter) Finish(out []openai.ChatCompletionChunk) ([]openai.ChatCompletionChunk, error) {
	if !c.finished {
		return out, Truncated() // an *UpstreamError: retryable, unwraps to domain.ErrUpstream
	}
	if c.includeUsage {
		u := UsageToOpenAI(c.usage)
		if u == nil {
			u = &openai.Usage{}
		}
		out = append(out, openai.ChatCompletionChunk{
			ID: c.opts.ID, Object: "chat.completion.chunk", Created: c.opts.Created, Model: c.opts.Model,
			Choices: []openai.ChunkChoice{}, Usage: u,
		})
	}
	return out, nil
}

// Started reports whether any content, tool or reasoning delta was emitted:
// until then the caller can still retry the request with another key.
func (c *StreamConverter) Started() bool { return c.started }

// Reply is the candidate-0 model turn assembled so far (text deltas
// concatenated, signature-bearing parts preserved), its signatures by tool
// call id and the last usage. Thought parts are not included.
func (c *StreamConverter) Reply() *Reply { return c.reply.build(c.usage) }
