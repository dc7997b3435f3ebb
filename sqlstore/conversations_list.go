package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/hagemi/hagemi/domain/gemini"
)

// conversationRow is a conversations row without its contents.
type conversationRow struct {
	ID        int64  `db:"id"`
	Owner     string `db:"owner"`
	Name      string `db:"name"`
	Turns     int    `db:"turns"`
	Tokens    int    `db:"tokens"`
	Preview   string `db:"preview"`
	CreatedAt int64  `db:"created_at"`
	UpdatedAt int64  `db:"updated_at"`
}

const conversationCols = `id, owner, name, turns, tokens, preview, created_at, updated_at`

func (r conversationRow) info() ConversationInfo {
	return ConversationInfo{
		ID: r.ID, Owner: r.Owner, Name: r.Name, Turns: r.Turns, Tokens: r.Tokens, Preview: r.Preview,
		Created: fromMillis(r.CreatedAt), Updated: fromMillis(r.UpdatedAt),
	}
}

// ListConversations returns a page of conversations, most recently updated
// first, and how many match in all.
func (s *Store) ListConversations(ctx context.Context, f ConversationFilter) ([]ConversationInfo, int, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	var where []string
	var args []any
	if f.Owner != "" {
		where, args = append(where, `owner = ?`), append(args, f.Owner)
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		// LOWER on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's
		// does not. The escapes make "%" and "_" in a search literal.
		pat := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q)) + "%"
		where = append(where, `(LOWER(name) LIKE ? ESCAPE '\' OR LOWER(owner) LIKE ? ESCAPE '\' OR LOWER(preview) LIKE ? ESCAPE '\')`)
		args = append(args, pat, pat, pat)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.r.GetContext(ctx, &total, s.r.Rebind(`SELECT COUNT(*) FROM conversations`+cond), args...); err != nil {
		return nil, 0, fmt.Errorf("sqlstore: list conversations: %w", err)
	}
	var rows []conversationRow
	err := s.r.SelectContext(ctx, &rows, s.r.Rebind(`SELECT `+conversationCols+` FROM conversations`+cond+
		` ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`), append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlstore: list conversations: %w", err)
	}
	infos := make([]ConversationInfo, len(rows))
	for i, r := range rows {
		infos[i] = r.info()
	}
	return infos, total, nil
}

// GetConversation returns conversation id with its contents, for the
// portal; the caller checks the owner. Unknown → domain.ErrNotFound.
func (s *Store) GetConversation(ctx context.Context, id int64) (ConversationInfo, []gemini.Content, error) {
	var row struct {
		conversationRow
		Contents string `db:"contents"`
	}
	err := s.r.GetContext(ctx, &row, s.r.Rebind(`SELECT `+conversationCols+`, contents FROM conversations WHERE id = ?`), id)
	if err != nil {
		return ConversationInfo{}, nil, fmt.Errorf("sqlstore: conversation %d: %w", id, notFound(err))
	}
	contents, err := decodeContents(row.Contents)
	if err != nil {
		return ConversationInfo{}, nil, fmt.Errorf("sqlstore: conversation %d: %w", id, err)
	}
	return row.info(), contents, nil
}
