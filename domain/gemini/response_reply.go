package gemini

import "slices"

// Signature ties a thought signature to the tool call id we issued for it,
// so that a later request can send it back (Gemini 3 requires it).
type Signature struct{ ToolCallID, Value string }

// Reply is what the model said, for storing and replaying a conversation:
// candidate 0 as a Gemini model Content (thought parts dropped, signatures
// kept on their parts, functionCall ids cleared), plus the signatures by
// tool call id, and the usage. Content is nil when the model produced
// nothing that could be replayed.
type Reply struct {
	Content    *Content
	Signatures []Signature
	Usage      *UsageMetadata
}

// replayPart copies a part for Reply. The functionCall id is cleared: ids
// are ours, and Gemini matches calls and responses by order and name.
func replayPart(p Part) Part {
	if p.FunctionCall != nil && p.FunctionCall.ID != "" {
		fc := *p.FunctionCall
		fc.ID = ""
		p.FunctionCall = &fc
	}
	return p
}

// replyBuilder assembles the stream's candidate 0 as a replayable model
// turn: text deltas grow one text part, other parts are kept as they are.
type replyBuilder struct {
	parts   []Part
	text    []byte
	textSig string
	sigs    []Signature
}

// call adds a functionCall part and remembers its signature against id.
func (b *replyBuilder) call(p *Part, id string) {
	b.flushText()
	b.parts = append(b.parts, replayPart(*p))
	if p.ThoughtSignature != "" {
		b.sigs = append(b.sigs, Signature{ToolCallID: id, Value: p.ThoughtSignature})
	}
}

// add adds a non-thought, non-call part. A signature stays with the text it
// came with: a signed delta starts a new text part, and a signed empty part
// (Gemini's end-of-stream form) is kept as it is.
func (b *replyBuilder) add(p *Part) {
	switch {
	case p.Text != "" && !p.HasData():
		if p.ThoughtSignature != "" {
			b.flushText()
			b.textSig = p.ThoughtSignature
		}
		b.text = append(b.text, p.Text...)
	case p.HasData() || p.ThoughtSignature != "":
		b.flushText()
		b.parts = append(b.parts, replayPart(*p))
	}
}

func (b *replyBuilder) flushText() {
	if len(b.text) > 0 || b.textSig != "" {
		b.parts = append(b.parts, Part{Text: string(b.text), ThoughtSignature: b.textSig})
		b.text, b.textSig = b.text[:0], ""
	}
}

// build returns a snapshot; the builder can keep growing afterwards.
func (b *replyBuilder) build(usage *UsageMetadata) *Reply {
	parts := slices.Clone(b.parts)
	if len(b.text) > 0 || b.textSig != "" {
		parts = append(parts, Part{Text: string(b.text), ThoughtSignature: b.textSig})
	}
	r := &Reply{Signatures: slices.Clone(b.sigs), Usage: usage}
	if len(parts) > 0 {
		r.Content = &Content{Role: "model", Parts: parts}
	}
	return r
}
