package gemini

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/hagemi/hagemi/domain/openai"
)

// convertCandidate builds one choice. When reply is not nil it also
// collects the candidate's replayable parts and signatures into it.
func convertCandidate(c *Candidate, includeThoughts bool, newID func() string, reply *Reply) openai.Choice {
	var text, reasoning strings.Builder
	var calls []openai.ToolCall
	var parts []Part
	if c.Content != nil {
		for _, p := range c.Content.Parts {
			if p.Thought {
				if includeThoughts {
					reasoning.WriteString(p.Text)
				}
				continue // thoughts cannot be sent back, so the reply drops them
			}
			if p.FunctionCall != nil {
				id := newID()
				calls = append(calls, toolCall(id, p.FunctionCall, nil))
				if reply != nil && p.ThoughtSignature != "" {
					reply.Signatures = append(reply.Signatures, Signature{ToolCallID: id, Value: p.ThoughtSignature})
				}
			} else {
				text.WriteString(partMarkdown(p, endsInNewline(text.String())))
			}
			if reply != nil && (p.HasData() || p.Text != "" || p.ThoughtSignature != "") {
				parts = append(parts, replayPart(p))
			}
		}
	}
	if reply != nil && len(parts) > 0 {
		reply.Content = &Content{Role: "model", Parts: parts}
	}
	msg := openai.ResponseMessage{Role: "assistant", ReasoningContent: reasoning.String(), ToolCalls: calls}
	if s := text.String(); s != "" || len(calls) == 0 {
		msg.Content = &s // "" rather than null without tool calls: several UIs print "null"
	}
	return openai.Choice{
		Index:        c.Index,
		Message:      msg,
		Logprobs:     convertLogprobs(c.LogprobsResult),
		FinishReason: finishReason(c.FinishReason, len(calls) > 0),
	}
}

// toolCall is the OpenAI form of a functionCall. index is set in streams.
func toolCall(id string, fc *FunctionCall, index *int) openai.ToolCall {
	return openai.ToolCall{
		Index:    index,
		ID:       id,
		Type:     "function",
		Function: openai.FunctionCall{Name: fc.Name, Arguments: argsJSON(fc.Args)},
	}
}

// argsJSON is the arguments string, compact, "{}" when there are none.
func argsJSON(args json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, args); err != nil || buf.Len() == 0 || buf.String() == "null" {
		return "{}"
	}
	return buf.String()
}

// partMarkdown renders a non-thought, non-call part as content text: code
// execution as Markdown code blocks, generated images as data-URI images,
// so that plain chat clients can show them. afterNewline tells whether the
// content so far is empty or ends a line, so a block starts on its own line.
func partMarkdown(p Part, afterNewline bool) string {
	switch {
	case p.ExecutableCode != nil:
		return codeBlock(strings.ToLower(p.ExecutableCode.Language), p.ExecutableCode.Code, afterNewline)
	case p.CodeExecutionResult != nil:
		return codeBlock("output", p.CodeExecutionResult.Output, afterNewline)
	case p.InlineData != nil:
		return "![image](data:" + p.InlineData.MimeType + ";base64," + p.InlineData.Data + ")"
	}
	return p.Text
}

func codeBlock(lang, body string, afterNewline bool) string {
	var b strings.Builder
	if !afterNewline {
		b.WriteByte('\n')
	}
	b.WriteString("```" + lang + "\n" + body)
	if !strings.HasSuffix(body, "\n") {
		b.WriteByte('\n')
	}
	b.WriteString("```\n")
	return b.String()
}

func endsInNewline(s string) bool { return s == "" || s[len(s)-1] == '\n' }

// convertLogprobs maps logprobsResult: chosenCandidates[i] with the
// alternatives of topCandidates[i].
func convertLogprobs(r *LogprobsResult) *openai.Logprobs {
	if r == nil || len(r.ChosenCandidates) == 0 {
		return nil
	}
	out := &openai.Logprobs{Content: make([]openai.TokenLogprob, len(r.ChosenCandidates))}
	for i, c := range r.ChosenCandidates {
		top := []openai.TopLogprob{}
		if i < len(r.TopCandidates) {
			for _, t := range r.TopCandidates[i].Candidates {
				top = append(top, openai.TopLogprob{Token: t.Token, Logprob: t.LogProbability, Bytes: tokenBytes(t.Token)})
			}
		}
		out.Content[i] = openai.TokenLogprob{Token: c.Token, Logprob: c.LogProbability, Bytes: tokenBytes(c.Token), TopLogprobs: top}
	}
	return out
}

// tokenBytes is OpenAI's bytes field: the token's UTF-8 bytes as integers.
func tokenBytes(s string) []int {
	b := make([]int, len(s))
	for i := 0; i < len(s); i++ {
		b[i] = int(s[i])
	}
	return b
}
