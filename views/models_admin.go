package views

import "time"

// KeyRow is one proxy key in the keys table.
type KeyRow struct {
	ID          int64
	Prefix      string
	Description string
	Created     time.Time
	Expires     time.Time // zero: never
	Expired     bool
	Enabled     bool
	LastUsed    time.Time // zero: never
	RPM, RPD    int
	TPD         int64
	Models      []string // empty: all
	Memory      bool
	// Today is this key's usage in the current Pacific day.
	Today Totals
}

// KeyForm is the create and edit form of a proxy key, as typed.
type KeyForm struct {
	ID          int64 // 0 creates
	Description string
	Expires     string // datetime-local, UTC; empty: never
	RPM, RPD    string
	TPD         string
	Models      string // one per line or comma separated; empty: all
	Memory      bool
	Enabled     bool
	Errors      FormErrors
}

// NewSecret is a proxy key's secret, shown once after create or regenerate.
type NewSecret struct {
	KeyID       int64
	Description string
	Secret      string
}

// KeysView is the proxy keys page; KeysBody is the part htmx swaps.
type KeysView struct {
	Meta   PageMeta
	Keys   []KeyRow
	Form   KeyForm
	Secret *NewSecret
	// Ephemeral warns that keys vanish on restart (memory mode).
	Ephemeral bool
}

// KeyEditView is the page editing one proxy key.
type KeyEditView struct {
	Meta PageMeta
	Key  KeyRow
	Form KeyForm
}

// Meter is one quota gauge: Used against Limit (0: unknown limit).
type Meter struct {
	Label string // "RPD", "RPM", "TPD", "TPM"
	Used  int64
	Limit int64
}

// ModelUsage is one model's gauges on one Gemini key.
type ModelUsage struct {
	Model  string
	Meters []Meter
}

// Cooling is a model a Gemini key may not serve until Until.
type Cooling struct {
	Model string
	Until time.Time
	Why   string
}

// GeminiKey is one upstream key, masked.
type GeminiKey struct {
	Index    int    // position in the pool, for element ids
	ID       string // domain.KeyID: what the forms name the key by
	Masked   string
	Project  string
	Invalid  bool
	Since    time.Time // invalid since
	Why      string    // why invalid
	Disabled bool
	Cooling  []Cooling
	LastUsed time.Time
	Models   []ModelUsage
}

// GeminiView is the Gemini keys page.
type GeminiView struct {
	Meta   PageMeta
	Keys   []GeminiKey
	Counts KeyCounts
	Report string // the usage report's text, when the pool writes one
	Add    AddKeysForm
	// Notice is a catalogue key for an inline message about the last action
	// (for example that the pool cannot do it yet).
	Notice string
}

// AddKeysForm pastes many Gemini keys at once.
type AddKeysForm struct {
	Text   string
	Errors FormErrors
}

// UsageView is the usage charts page.
type UsageView struct {
	Meta      PageMeta
	Requests  Chart // per day, 30 days
	Tokens    Chart // per day, 30 days
	PerKey    Chart // per proxy key, 30 days
	PerModel  Chart // today, from the pool's report
	PerGemini Chart // today, per Gemini key
	Report    string
}

// MeView is a signed-in user's own page.
type MeView struct {
	Meta          PageMeta
	Owner         string // masked
	KeyID         int64  // 0 for a PASSWORD login
	Today         Totals
	Requests      Chart // per day, 30 days; empty when not tracked
	Conversations []ConversationRow
	Total         int
	Memory        bool
	// MemoryAvailable is false when the server has no conversation store.
	MemoryAvailable bool
}
