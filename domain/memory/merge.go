package memory

import (
	"bytes"
	"encoding/json"
	"hash/maphash"
	"strconv"
	"strings"

	"github.com/hagemi/hagemi/domain/gemini"
)

// Outcome says how Merge combined the stored history with a request.
type Outcome int

const (
	// FullHistory means the request resends the conversation: it overlaps
	// the stored history, so it is used as it is.
	FullHistory Outcome = iota + 1
	// NewTurns means the request carries only new user or tool turns, so
	// they are appended to the stored history.
	NewTurns
	// Restart means the request carries model turns that contradict the
	// stored history: the client started over or edited the past, and the
	// request replaces the history.
	Restart
)

// String returns the outcome's name, for logs.
func (o Outcome) String() string {
	switch o {
	case FullHistory:
		return "full-history"
	case NewTurns:
		return "new-turns"
	case Restart:
		return "restart"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// Merge combines the stored history with the contents of a request. The
// rule, in order:
//
//  1. incoming has no model turn (only user text, media or tool results):
//     NewTurns, merged = stored + incoming. A client that sends one new
//     message at a time relies on this; it is also why a client that
//     starts a new chat must use another conversation id.
//  2. stored is empty: FullHistory, merged = incoming.
//  3. incoming and stored overlap: FullHistory, merged = incoming. They
//     overlap when, comparing contents one by one, either incoming begins
//     with stored[k:] for some k (the client resends everything, resends
//     only its own recent window, or rewound to regenerate an answer), or
//     stored begins at incoming[j] (we truncated our copy and the client
//     still sends the whole conversation). The match runs until one of
//     the two ends and must include a model turn, so a repeated "hi"
//     proves nothing.
//  4. otherwise: Restart, merged = incoming.
//
// Two contents match when their role ("" counts as "user"), their text
// (all non-thought text parts joined, spaces at the ends trimmed), their
// function calls (name and args, compacted), function responses (name),
// media (MIME type and size) and file URIs agree. Thought parts, thought
// signatures and call ids are ignored: OpenAI clients cannot carry them.
// That is also why, on FullHistory, each model turn of incoming that
// matched is replaced by its stored copy: the stored copy keeps Gemini's
// thought signatures, which Gemini wants replayed with function calls.
//
// Merge never modifies its arguments; merged may share incoming's array.
func Merge(stored, incoming []gemini.Content) (merged []gemini.Content, how Outcome) {
	if !hasModel(incoming) {
		if len(stored) == 0 {
			return incoming, NewTurns
		}
		merged = make([]gemini.Content, 0, len(stored)+len(incoming))
		return append(append(merged, stored...), incoming...), NewTurns
	}
	if len(stored) == 0 {
		return incoming, FullHistory
	}
	var h maphash.Hash
	sk, ik := keys(&h, stored), keys(&h, incoming)
	j, k, n, ok := align(sk, ik, stored)
	if !ok {
		return incoming, Restart
	}
	merged = make([]gemini.Content, len(incoming))
	copy(merged, incoming)
	for t := range n {
		if stored[k+t].Role == "model" {
			merged[j+t] = stored[k+t]
		}
	}
	return merged, FullHistory
}

func hasModel(cs []gemini.Content) bool {
	for _, c := range cs {
		if c.Role == "model" {
			return true
		}
	}
	return false
}

// align finds where incoming[j:] and stored[k:] match, with j or k zero,
// for n contents up to the end of one of them.
func align(s, in []uint64, stored []gemini.Content) (j, k, n int, ok bool) {
	for k := range s {
		if n, ok := overlap(s[k:], in, stored[k:]); ok {
			return 0, k, n, true
		}
	}
	for j := 1; j < len(in); j++ {
		if n, ok := overlap(s, in[j:], stored); ok {
			return j, 0, n, true
		}
	}
	return 0, 0, 0, false
}

// overlap reports whether a and b agree up to the shorter one's length and
// that stretch holds a model turn of stored.
func overlap(a, b []uint64, stored []gemini.Content) (int, bool) {
	n := min(len(a), len(b))
	model := false
	for t := range n {
		if a[t] != b[t] {
			return 0, false
		}
		model = model || stored[t].Role == "model"
	}
	return n, model
}

// keys hashes the normalised form of each content. Hashing once makes the
// alignment search a comparison of integers.
func keys(h *maphash.Hash, cs []gemini.Content) []uint64 {
	out := make([]uint64, len(cs))
	var buf bytes.Buffer
	for i, c := range cs {
		h.Reset()
		if c.Role == "model" {
			h.WriteByte('m')
		} else {
			h.WriteByte('u')
		}
		h.WriteString(joinedText(c))
		for _, p := range c.Parts {
			switch {
			case p.FunctionCall != nil:
				h.WriteString("\x00c" + p.FunctionCall.Name + "\x00")
				writeJSON(h, &buf, p.FunctionCall.Args)
			case p.FunctionResponse != nil:
				h.WriteString("\x00r" + p.FunctionResponse.Name)
			case p.InlineData != nil:
				// MIME type and size, not the bytes: hashing megabytes of
				// base64 on every request is what this package avoids.
				h.WriteString("\x00i" + p.InlineData.MimeType + strconv.Itoa(len(p.InlineData.Data)))
			case p.FileData != nil:
				h.WriteString("\x00f" + p.FileData.FileURI)
			}
		}
		out[i] = h.Sum64()
	}
	return out
}

// joinedText is the content's visible text, joined and trimmed, so that a
// reply stored in several streamed parts matches the one string a client
// sends back.
func joinedText(c gemini.Content) string {
	var first string
	var b strings.Builder
	n := 0
	for _, p := range c.Parts {
		if p.Thought || p.Text == "" {
			continue
		}
		switch n {
		case 0:
			first = p.Text
		case 1:
			b.WriteString(first)
			fallthrough
		default:
			b.WriteString(p.Text)
		}
		n++
	}
	if n > 1 {
		first = b.String()
	}
	return strings.TrimSpace(first)
}

// writeJSON hashes compacted JSON so that clients which re-indent
// arguments still match; "{}", null and nothing are the same.
func writeJSON(h *maphash.Hash, buf *bytes.Buffer, raw json.RawMessage) {
	buf.Reset()
	if err := json.Compact(buf, raw); err != nil {
		h.Write(raw)
		return
	}
	if s := buf.String(); s != "{}" && s != "null" {
		h.Write(buf.Bytes())
	}
}
