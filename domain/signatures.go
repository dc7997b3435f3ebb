package domain

import (
	"sync"
	"time"
)

// SignatureCache remembers the Gemini thought signature that came with each
// tool call id we issued, so a stateless OpenAI client that echoes only the
// id still gets the signature sent back to Gemini 3 on the next turn.
// Entries expire after ttl; the cache holds at most max entries, dropping the
// oldest generation when full.
type SignatureCache struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu       sync.Mutex
	current  map[string]sigEntry
	previous map[string]sigEntry
}

type sigEntry struct {
	value string
	at    time.Time
}

// NewSignatureCache makes a cache.
func NewSignatureCache(ttl time.Duration, max int, now func() time.Time) *SignatureCache {
	return &SignatureCache{ttl: ttl, max: max, now: now, current: map[string]sigEntry{}}
}

// Put stores a signature for a tool call id.
func (c *SignatureCache) Put(id, signature string) {
	if id == "" || signature == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// Two generations give O(1) bounded eviction without a list: when the
	// current map is full it becomes the previous one, and the old previous
	// one is dropped whole.
	if len(c.current) >= c.max/2 {
		c.previous, c.current = c.current, make(map[string]sigEntry, c.max/2)
	}
	c.current[id] = sigEntry{value: signature, at: c.now()}
}

// Get returns the signature stored for id, if any and not expired.
func (c *SignatureCache) Get(id string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.current[id]
	if !ok {
		e, ok = c.previous[id]
	}
	if !ok || c.now().Sub(e.at) > c.ttl {
		return "", false
	}
	return e.value, true
}
