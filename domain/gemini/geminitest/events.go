package geminitest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// events turns a reply into the stream's GenerateContentResponse events:
// thought, text deltas, all function calls in one event, an optional
// signature-only part; usage cumulative on each, finishReason on the last,
// responseId and modelVersion on all.
func (s *Server) events(req Request, rep Reply) []map[string]any {
	if len(rep.Events) > 0 {
		out := make([]map[string]any, 0, len(rep.Events))
		for _, raw := range rep.Events {
			var ev map[string]any
			if err := json.Unmarshal(raw, &ev); err != nil {
				s.tb.Errorf("geminitest: Reply.Events holds invalid JSON: %v", err)
				continue
			}
			out = append(out, ev)
		}
		return out
	}
	id := fmt.Sprintf("fake-%06d", s.seq.Add(1))
	prompt := max(estimateTokens(req.norm), 1)
	gen3 := strings.HasPrefix(req.Model, "gemini-3")
	var steps [][]any
	thoughts, output := tokens(rep.Thought), 0
	if rep.Thought != "" && req.IncludeThoughts() {
		steps = append(steps, []any{map[string]any{"text": rep.Thought, "thought": true}})
	}
	chunks := rep.Chunks
	if chunks == nil && rep.Text != "" {
		chunks = splitText(rep.Text)
	}
	for _, c := range chunks {
		steps = append(steps, []any{map[string]any{"text": c}})
	}
	if len(rep.FunctionCalls) > 0 {
		var parts []any
		for i, c := range rep.FunctionCalls {
			args := c.Args
			if args == nil {
				args = map[string]any{}
			}
			fc := map[string]any{"name": c.Name, "args": args}
			if c.ID != "" {
				fc["id"] = c.ID
			}
			p := map[string]any{"functionCall": fc}
			sig := c.Signature
			if sig == "" && gen3 && i == 0 {
				sig = base64.StdEncoding.EncodeToString([]byte("fake-signature/" + id + "/" + c.Name))
			}
			if sig != "" {
				p["thoughtSignature"] = sig
			}
			parts = append(parts, p)
		}
		steps = append(steps, parts)
	}
	if rep.TrailingSignature != "" {
		steps = append(steps, []any{map[string]any{"text": "", "thoughtSignature": rep.TrailingSignature}})
	}
	usage := func() map[string]any {
		u := map[string]any{"promptTokenCount": prompt, "totalTokenCount": prompt + output + thoughts,
			"promptTokensDetails": []any{map[string]any{"modality": "TEXT", "tokenCount": prompt}}}
		if output > 0 {
			u["candidatesTokenCount"] = output
		}
		if thoughts > 0 {
			u["thoughtsTokenCount"] = thoughts
		}
		return u
	}
	base := func() map[string]any { return map[string]any{"modelVersion": req.Model, "responseId": id} }
	if rep.BlockReason != "" {
		ev := base()
		ev["promptFeedback"] = map[string]any{"blockReason": rep.BlockReason}
		ev["usageMetadata"] = finalUsage(rep, usage())
		return []map[string]any{ev}
	}
	if len(steps) == 0 {
		steps = append(steps, nil)
	}
	out := make([]map[string]any, len(steps))
	for i, parts := range steps {
		content := map[string]any{"role": "model"}
		if parts != nil {
			content["parts"] = parts
		}
		for _, p := range parts {
			if t, ok := obj(p)["text"].(string); ok && obj(p)["thought"] == nil {
				output += tokens(t)
			} else if ok := obj(p)["functionCall"] != nil; ok {
				output += tokens(show(obj(p)["functionCall"]))
			}
		}
		cand := map[string]any{"content": content}
		ev := base()
		ev["candidates"] = []any{cand}
		ev["usageMetadata"] = usage()
		if i == len(steps)-1 {
			cand["finishReason"] = orDefault(rep.FinishReason, "STOP")
			ev["usageMetadata"] = finalUsage(rep, usage())
		}
		out[i] = ev
	}
	return out
}

func finalUsage(rep Reply, u map[string]any) map[string]any {
	if rep.Usage != nil {
		return rep.Usage
	}
	return u
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// merge folds stream events into one unary answer: all parts in order
// (adjacent plain text joined, a trailing signature-only part moved onto
// the text before it), everything else from the last event.
func merge(evs []map[string]any) map[string]any {
	if len(evs) == 0 {
		return map[string]any{}
	}
	var parts []any
	for _, ev := range evs {
		cands := list(ev["candidates"])
		if len(cands) == 0 {
			continue
		}
		for _, p := range list(obj(obj(cands[0])["content"])["parts"]) {
			p := obj(p)
			if n := len(parts); n > 0 {
				prev := obj(parts[n-1])
				t, isText := p["text"].(string)
				pt, prevText := prev["text"].(string)
				switch {
				case isText && prevText && p["thought"] == prev["thought"] && p["thoughtSignature"] == nil && prev["thoughtSignature"] == nil:
					parts[n-1] = with(prev, "text", pt+t)
					continue
				case isText && t == "" && p["thoughtSignature"] != nil && prevText && prev["thoughtSignature"] == nil && len(p) == 2:
					parts[n-1] = with(prev, "thoughtSignature", p["thoughtSignature"])
					continue
				}
			}
			parts = append(parts, p)
		}
	}
	last := evs[len(evs)-1]
	out := with(last)
	if cands := list(last["candidates"]); len(cands) > 0 {
		cand := with(obj(cands[0]))
		content := with(obj(cand["content"]), "role", "model")
		if len(parts) > 0 {
			content["parts"] = parts
		}
		cand["content"] = content
		out["candidates"] = append([]any{cand}, cands[1:]...)
	}
	return out
}

// with returns a shallow copy of m with key set to v (when given).
func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	if len(kv) == 2 {
		out[kv[0].(string)] = kv[1]
	}
	return out
}

// tokens estimates a text's tokens at about four characters each.
func tokens(s string) int {
	return (len([]rune(s)) + 3) / 4
}
