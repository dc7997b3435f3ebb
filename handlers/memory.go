package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/memory"
)

// conversation is the server-side memory of one chat request: whose it is
// and the history sent upstream, to which the reply is appended on success.
type conversation struct {
	owner, name string
	history     []gemini.Content
}

// joinConversation merges the stored history into the converted request,
// truncated to the model's window. It returns nil when memory is off for
// this request: no store, the credential's switch (a proxy key's own, or
// the portal's "my memory" setting for a password user), or "X-Context: off".
func joinConversation(ctx context.Context, d *Deps, r *http.Request, call *chatCall, inputLimit int) (*conversation, error) {
	p := principalFrom(ctx)
	if d.Conversations == nil || p.NoMemory || strings.EqualFold(r.Header.Get("X-Context"), "off") {
		return nil, nil
	}
	if p.KeyID == 0 { // static credentials keep their switch in the settings
		on, err := ownerMemoryEnabled(ctx, d.Settings, p.Owner)
		if err != nil || !on {
			return nil, err
		}
	}
	named := strings.TrimSpace(r.Header.Get("X-Conversation-ID")) != ""
	name, err := conversationName(r.Header.Get("X-Conversation-ID"))
	if err != nil {
		return nil, err
	}
	req := call.converted.Request
	stored, err := d.Conversations.LoadConversation(ctx, p.Owner, name, d.ttl(ctx))
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return nil, err
	}
	merged, how := memory.Merge(stored, req.Contents)
	if how == memory.NewTurns && len(stored) > 0 && !named && !d.Memory.AppendUnnamed {
		// A request without model turns is also how every client opens a
		// new chat (and how Open WebUI asks for titles): without a
		// conversation id, prepending the last chat would leak it into the
		// new one. Such a request starts the default conversation afresh.
		merged = req.Contents
	}
	if inputLimit <= 0 {
		inputLimit = d.Memory.DefaultMaxTokens
	}
	budget := inputLimit - d.Memory.SafetyMargin - (estimateInput(&gemini.GenerateContentRequest{SystemInstruction: req.SystemInstruction, Tools: req.Tools}))
	if merged, err = memory.Truncate(merged, budget); err != nil {
		return nil, err
	}
	req.Contents = merged
	return &conversation{owner: p.Owner, name: name, history: merged}, nil
}

// conversationName validates X-Conversation-ID.
func conversationName(h string) (string, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return domain.DefaultConversation, nil
	}
	if len(h) > 128 {
		return "", domain.Invalid("X-Conversation-ID", "must be at most 128 characters")
	}
	if !utf8.ValidString(h) { // PostgreSQL stores UTF-8 text only
		return "", domain.Invalid("X-Conversation-ID", "must be UTF-8 text")
	}
	for _, c := range h {
		if c < 0x20 || c == 0x7f {
			return "", domain.Invalid("X-Conversation-ID", "must not contain control characters")
		}
	}
	return h, nil
}

// save stores the history with the reply appended (when there is one and
// withReply is set). It runs before the client sees the end of the answer,
// so an answer the client saw complete is never missing after a crash.
func (c *conversation) save(ctx context.Context, d *Deps, reply *gemini.Reply, withReply bool) {
	if c == nil {
		return
	}
	contents := c.history
	if withReply && reply != nil && reply.Content != nil && len(reply.Content.Parts) > 0 {
		turn := *reply.Content
		turn.Role = "model"
		contents = append(contents[:len(contents):len(contents)], turn)
	}
	// A client that went away still had its answer generated; keep it.
	ctx = context.WithoutCancel(ctx)
	if err := d.Conversations.SaveConversation(ctx, c.owner, c.name, contents, memory.Estimate(contents)); err != nil {
		d.Log.Error("conversation not saved", "owner", c.owner, "err", err)
		return
	}
	d.Metrics.conversationSaved()
}

// ttlCache keeps the TTL setting for a few seconds: it is read on every
// memory request but changes rarely.
type ttlCache struct {
	value atomic.Int64 // nanoseconds; -1 unknown
	at    atomic.Int64 // unix nanoseconds of the read
}

func (d *Deps) ttl(ctx context.Context) time.Duration {
	now := d.Now().UnixNano()
	if now-d.ttlCache.at.Load() < int64(5*time.Second) {
		return time.Duration(d.ttlCache.value.Load())
	}
	days := 7
	if d.Settings != nil {
		if v, err := d.Settings.ContextTTLDays(ctx); err == nil {
			days = v
		}
	}
	ttl := time.Duration(days) * 24 * time.Hour
	d.ttlCache.value.Store(int64(ttl))
	d.ttlCache.at.Store(now)
	return ttl
}
