package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/memory"
)

// LoadConversation returns the stored contents of owner's conversation
// name, or domain.ErrNotFound. With ttl > 0 a conversation idle for longer
// is deleted here rather than returned, so the TTL holds between cleanups;
// one that no longer decodes is deleted too.
func (s *Store) LoadConversation(ctx context.Context, owner, name string, ttl time.Duration) ([]gemini.Content, error) {
	name = conversationName(name)
	var row struct {
		ID        int64  `db:"id"`
		Contents  string `db:"contents"`
		UpdatedAt int64  `db:"updated_at"`
	}
	err := s.r.GetContext(ctx, &row, s.r.Rebind(`SELECT id, contents, updated_at FROM conversations
		WHERE owner = ? AND name = ?`), owner, name)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: conversation %s/%s: %w", owner, name, notFound(err))
	}
	if ttl > 0 && s.now()-row.UpdatedAt > ttl.Milliseconds() {
		return nil, s.dropConversation(ctx, row.ID, row.UpdatedAt, fmt.Errorf("sqlstore: conversation %s/%s expired: %w", owner, name, domain.ErrNotFound))
	}
	contents, err := decodeContents(row.Contents)
	if err != nil {
		return nil, s.dropConversation(ctx, row.ID, row.UpdatedAt, fmt.Errorf("sqlstore: conversation %s/%s corrupt, deleted (%v): %w", owner, name, err, domain.ErrNotFound))
	}
	return contents, nil
}

// dropConversation deletes a row found stale, unless a save replaced it
// meanwhile, and returns why (or the delete's error).
func (s *Store) dropConversation(ctx context.Context, id, updatedAt int64, why error) error {
	_, err := s.w.ExecContext(ctx, s.w.Rebind(`DELETE FROM conversations WHERE id = ? AND updated_at = ?`), id, updatedAt)
	if err != nil {
		return errors.Join(why, fmt.Errorf("sqlstore: conversation %d: %w", id, err))
	}
	return why
}

// SaveConversation stores contents as owner's conversation name, replacing
// what was there, with tokens as its estimate (memory.Estimate).
func (s *Store) SaveConversation(ctx context.Context, owner, name string, contents []gemini.Content, tokens int) error {
	name = conversationName(name)
	if owner == "" {
		return domain.Invalid("owner", "must not be empty")
	}
	if utf8.RuneCountInString(name) > 200 {
		return domain.Invalid("X-Conversation-ID", "must be at most 200 characters")
	}
	if contents == nil {
		contents = []gemini.Content{} // "[]", never "null"
	}
	data, err := encodeContents(contents)
	if err != nil {
		return fmt.Errorf("sqlstore: conversation %s/%s: %w", owner, name, err)
	}
	now := s.now()
	_, err = s.w.ExecContext(ctx, s.w.Rebind(`INSERT INTO conversations
		(owner, name, contents, turns, tokens, preview, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (owner, name) DO UPDATE SET contents = excluded.contents, turns = excluded.turns,
			tokens = excluded.tokens, preview = excluded.preview, updated_at = excluded.updated_at`),
		owner, name, string(data), memory.Exchanges(contents), tokens, preview(contents), now, now)
	if err != nil {
		return fmt.Errorf("sqlstore: save conversation %s/%s: %w", owner, name, err)
	}
	return nil
}

// DeleteConversation deletes conversation id. An empty owner is the admin,
// who may delete any; anyone else gets domain.ErrNotFound for a
// conversation that is not theirs, as if it did not exist.
func (s *Store) DeleteConversation(ctx context.Context, id int64, owner string) error {
	query, args := `DELETE FROM conversations WHERE id = ?`, []any{id}
	if owner != "" {
		query, args = query+` AND owner = ?`, append(args, owner)
	}
	res, err := s.w.ExecContext(ctx, s.w.Rebind(query), args...)
	return oneRow(res, err, "sqlstore: delete conversation %d: %w", id)
}

// DeleteConversationsOf deletes all of owner's conversations and says how
// many there were.
func (s *Store) DeleteConversationsOf(ctx context.Context, owner string) (int, error) {
	res, err := s.w.ExecContext(ctx, s.w.Rebind(`DELETE FROM conversations WHERE owner = ?`), owner)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete conversations of %s: %w", owner, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// PurgeConversations deletes conversations last updated before olderThan
// (unless it is zero), then the oldest beyond the newest keepMax (unless
// keepMax is 0), and says how many went.
func (s *Store) PurgeConversations(ctx context.Context, olderThan time.Time, keepMax int) (int, error) {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: purge conversations: %w", err)
	}
	defer tx.Rollback()
	var total int64
	exec := func(query string, arg any) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(query), arg)
		if err != nil {
			return fmt.Errorf("sqlstore: purge conversations: %w", err)
		}
		n, err := res.RowsAffected()
		total += n
		return err
	}
	if !olderThan.IsZero() {
		if err := exec(`DELETE FROM conversations WHERE updated_at < ?`, millis(olderThan)); err != nil {
			return 0, err
		}
	}
	if keepMax > 0 {
		err := exec(`DELETE FROM conversations WHERE id NOT IN
			(SELECT id FROM conversations ORDER BY updated_at DESC, id DESC LIMIT ?)`, keepMax)
		if err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlstore: purge conversations: %w", err)
	}
	return int(total), nil
}

func conversationName(name string) string {
	if name == "" {
		return domain.DefaultConversation
	}
	return name
}

// preview is the start of the last question, on one line, so the portal
// can list conversations without decoding them.
func preview(contents []gemini.Content) string {
	for i := len(contents) - 1; i >= 0; i-- {
		c := contents[i]
		if c.Role == "model" {
			continue
		}
		var b strings.Builder
		for _, p := range c.Parts {
			if p.Text != "" && !p.Thought && b.Len() < 400 {
				// A few hundred bytes make 80 characters; a pasted book
				// must not be copied on every save.
				b.WriteString(p.Text[:min(len(p.Text), 400)] + " ")
			}
		}
		if text := strings.Join(strings.Fields(b.String()), " "); text != "" {
			if r := []rune(text); len(r) > 80 { // a cut rune at byte 400 is past here
				text = string(r[:79]) + "…"
			}
			return text
		}
	}
	return ""
}
