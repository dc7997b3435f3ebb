package domain

import "time"

// DefaultConversation is the conversation a request joins when it names
// none (no X-Conversation-ID).
const DefaultConversation = "default"

// ConversationInfo describes a stored conversation without its contents.
type ConversationInfo struct {
	ID      int64
	Owner   string // opaque, chosen by the caller: "key:12", "user:ab12cd34", "admin"
	Name    string // the X-Conversation-ID, or DefaultConversation
	Turns   int    // exchanges: user questions, not counting tool results
	Tokens  int    // the estimate the caller saved with it
	Created time.Time
	Updated time.Time
	Preview string // the start of the last question
}

// ConversationFilter selects conversations for the portal.
type ConversationFilter struct {
	Owner  string // "" lists every owner's (admin)
	Search string // case-insensitive substring of name, owner or preview
	Limit  int    // 1–500; 0 means 50
	Offset int
}
