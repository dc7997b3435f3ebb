package gemini

import (
	"strconv"
	"strings"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/openai"
)

// pendingCall is a tool call of the latest assistant message that waits for
// its result. Gemini wants exactly one functionResponse per functionCall of
// the previous model turn, in order, so results are collected here and
// written when the run of tool messages ends.
type pendingCall struct {
	id, name string
	resp     []byte // nil until answered
}

// messageConverter builds contents from OpenAI messages in one pass.
type messageConverter struct {
	opts     ConvertOptions
	gen      int
	system   []string
	contents []Content
	calls    []pendingCall
	extra    []Part // media and orphan text from tool results, sent after the responses
}

// convertMessages maps messages to contents and systemInstruction (spec D.2).
//
// Every system and developer message is hoisted into systemInstruction,
// wherever it appears (SillyTavern injects them mid-conversation; Gemini has
// no system turn), joined with "\n". Message names are dropped.
func convertMessages(msgs []openai.Message, opts ConvertOptions, gen int) ([]Content, *Content, error) {
	if len(msgs) == 0 {
		return nil, nil, domain.Invalid("messages", "messages must not be empty")
	}
	mc := &messageConverter{opts: opts, gen: gen, contents: make([]Content, 0, len(msgs)+1)}
	for i := range msgs {
		if err := mc.message(&msgs[i], "messages["+strconv.Itoa(i)+"]"); err != nil {
			return nil, nil, err
		}
	}
	mc.flush()
	contents := mc.contents
	system := strings.Join(mc.system, "\n")
	switch {
	case len(contents) == 0 && system == "":
		return nil, nil, domain.Invalid("messages", "messages contain no text or media to send")
	case len(contents) == 0:
		// Gemini needs at least one content; a lone system prompt is the question.
		return []Content{{Role: "user", Parts: []Part{{Text: system}}}}, nil, nil
	case contents[0].Role == "model":
		// A model turn first is a 400 ("function call turn comes immediately after a user turn").
		contents = append([]Content{{Role: "user", Parts: []Part{{Text: "."}}}}, contents...)
	}
	if system == "" {
		return contents, nil, nil
	}
	return contents, &Content{Parts: []Part{{Text: system}}}, nil
}

func (mc *messageConverter) message(m *openai.Message, path string) error {
	switch m.Role {
	case "system", "developer":
		if t := m.Content.JoinText("\n"); strings.TrimSpace(t) != "" {
			mc.system = append(mc.system, t)
		}
		return nil // no flush: a hoisted message does not end a run of tool results
	case "user":
		mc.flush()
		parts, err := userParts(nil, m.Content, path+".content", mc.opts.Media)
		if err != nil {
			return err
		}
		mc.add("user", parts)
	case "assistant":
		mc.flush()
		parts, err := mc.assistant(m, path)
		if err != nil {
			return err
		}
		mc.add("model", parts)
	case "tool", "function":
		return mc.toolResult(m, path)
	default:
		return domain.Invalid(path+".role", "unknown role "+strconv.Quote(m.Role)+"; use system, developer, user, assistant or tool")
	}
	return nil
}

// add appends parts as a turn, merging them into the previous content of
// the same role. A functionResponse turn is never merged with ordinary user
// content: Gemini matches it against the preceding call turn.
func (mc *messageConverter) add(role string, parts []Part) {
	if len(parts) == 0 {
		return
	}
	if n := len(mc.contents); n > 0 {
		last := &mc.contents[n-1]
		if last.Role == role && !isResponseTurn(last.Parts) && !isResponseTurn(parts) {
			last.Parts = append(last.Parts, parts...)
			return
		}
	}
	mc.contents = append(mc.contents, Content{Role: role, Parts: parts})
}

// isResponseTurn reports a functionResponse turn; those are built whole by
// flush, so the first part tells.
func isResponseTurn(parts []Part) bool {
	return len(parts) > 0 && parts[0].FunctionResponse != nil
}

// flush writes the results of the pending calls, with {"error":"no result"}
// for calls the client never answered (trimmed history), then the media and
// orphan text that came with them.
func (mc *messageConverter) flush() {
	if len(mc.calls) > 0 {
		parts := make([]Part, len(mc.calls))
		for j, c := range mc.calls {
			resp := c.resp
			if resp == nil {
				resp = []byte(`{"error":"no result"}`)
			}
			parts[j] = Part{FunctionResponse: &FunctionResponse{Name: c.name, Response: resp}}
		}
		mc.add("user", parts)
		mc.calls = mc.calls[:0]
	}
	if len(mc.extra) > 0 {
		mc.add("user", mc.extra)
		mc.extra = nil
	}
}

// toolResult records a tool (or legacy function) message against its call.
// A result that matches no pending call (its call was trimmed from the
// history, or was already answered) becomes user text, because a
// functionResponse without its call is a 400.
func (mc *messageConverter) toolResult(m *openai.Message, path string) error {
	text := m.Content.JoinText("\n")
	var media []Part
	if m.Content.IsParts {
		for k, p := range m.Content.Parts {
			if p.Type == "text" || p.Type == "input_text" || p.Type == "refusal" {
				continue
			}
			part, err := mediaPart(p, path+".content["+strconv.Itoa(k)+"]", mc.opts.Media)
			if err != nil {
				return err
			}
			media = append(media, part)
		}
	}
	if j := mc.match(m); j >= 0 {
		mc.calls[j].resp = toolResponse(text)
	} else {
		label := m.ToolCallID
		if label == "" {
			label = m.Name
		}
		mc.extra = append(mc.extra, Part{Text: "[tool result " + label + "]: " + text})
	}
	mc.extra = append(mc.extra, media...)
	return nil
}

// match finds the unanswered pending call a result belongs to: by
// tool_call_id, else by name when the id cannot decide (no id on the
// message, as with the legacy function role, or none on the call).
func (mc *messageConverter) match(m *openai.Message) int {
	if m.ToolCallID != "" {
		for j, c := range mc.calls {
			if c.resp == nil && c.id == m.ToolCallID {
				return j
			}
		}
	}
	if m.Name == "" {
		return -1
	}
	for j, c := range mc.calls {
		if c.resp == nil && c.name == m.Name && (m.ToolCallID == "" || c.id == "") {
			return j
		}
	}
	return -1
}
