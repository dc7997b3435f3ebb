package views

import (
	"time"

	"github.com/a-h/templ"
)

// User is the signed-in caller as pages show it.
type User struct {
	Admin bool
	Label string // safe to show: "admin", "user:ab12…", "key #3"
}

// Flash is a one-time message carried across a redirect. Key is a
// catalogue key; Arg fills its %s or %d, if any.
type Flash struct {
	Error bool
	Key   string
	Arg   string
}

// PageMeta is what the layout of every page needs. Handlers fill it; the
// templates never read the request.
type PageMeta struct {
	Lang    Lang
	User    *User // nil when nobody is signed in
	Flash   *Flash
	Path    string // the request path: the active menu item, the language switch's way back
	Version string
}

// Admin reports whether the caller is the administrator.
func (m PageMeta) Admin() bool { return m.User != nil && m.User.Admin }

// FormErrors maps a form field's name to the catalogue key of its problem.
type FormErrors map[string]string

// LoginView is the sign-in page.
type LoginView struct {
	Meta PageMeta
	Next string // where to go after signing in; a local path
	// Failed says the last attempt was refused, without saying why.
	Failed bool
	// Closed means no credential is configured, so nobody can sign in.
	Closed bool
}

// ErrorView is a friendly error page.
type ErrorView struct {
	Meta   PageMeta
	Status int
	// RetryAfter is shown on 429 pages; zero hides it.
	RetryAfter time.Duration
}

// KeyCounts are the Gemini keys by state.
type KeyCounts struct {
	Configured, Active, Cooling, Invalid int
}

// Totals are request and token counts over some period.
type Totals struct {
	Requests, TokensIn, TokensOut, Errors int64
	// ErrorsKnown is false until the pool counts errors.
	ErrorsKnown bool
}

// StatusView is the status page, and StatusLive its polled numbers.
type StatusView struct {
	Meta PageMeta
	// Protected hides everything but the version until sign-in
	// (PROTECT_STATUS_PAGE).
	Protected bool
	Version   string
	Uptime    time.Duration
	Keys      KeyCounts
	Today     Totals
	// Suggestion is the pool's advice on the number of keys, per model.
	Suggestion string
	Warnings   []string // catalogue keys
	Now        time.Time
}

// ConversationRow is one conversation in a list.
type ConversationRow struct {
	ID      int64
	Owner   string // masked for display
	Name    string
	Turns   int
	Tokens  int
	Updated time.Time
	Preview string
}

// ContextView is the conversations page.
type ContextView struct {
	Meta  PageMeta
	Query string
	Page  int // from 1
	Pages int
	Total int
	Rows  []ConversationRow
	// ShowOwner is true for the admin, who sees every owner's.
	ShowOwner bool
	TTL       TTLForm
}

// TTLForm is the conversation lifetime setting. Only the admin may save it.
type TTLForm struct {
	Days    string
	CanEdit bool
	Saved   bool
	Errors  FormErrors
}

// ConversationView is one conversation with its turns.
type ConversationView struct {
	Meta      PageMeta
	Info      ConversationRow
	ShowOwner bool
	Turns     []Turn
}

// Turn is one message of a stored conversation.
type Turn struct {
	Role  string // "user", "model" or "tool"
	Parts []Part
}

// PartKind says how a Part is drawn.
type PartKind int

// The kinds of parts.
const (
	PartText PartKind = iota
	PartThought
	PartImage
	PartFile
	PartCall
	PartResponse
	PartCode
	PartOmitted // data too large or not an image: described, not shown
)

// Part is one piece of a turn. Image holds a data: URL the handler built
// from a checked image type only.
type Part struct {
	Kind  PartKind
	Text  string // text, thought, code, JSON arguments or result
	Name  string // the function's name; the file's URI
	MIME  string
	Image templ.SafeURL
	Bytes int
}

// Field is a hidden form field.
type Field struct{ Name, Value string }
