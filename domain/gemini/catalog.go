package gemini

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"
)

// ModelLister is the part of Client that Catalog needs.
type ModelLister interface {
	ListModels(ctx context.Context, key string) ([]Model, error)
}

// Catalog caches the upstream model list. A failed refresh keeps the last
// good list, so clients keep seeing models while Google is unreachable.
type Catalog struct {
	lister ModelLister
	keys   func() []string
	extra  []Model
	snap   atomic.Pointer[catalogSnapshot]
}

type catalogSnapshot struct {
	models  []Model          // as listed, ids without "models/"
	byID    map[string]Model // by bare id
	fetched time.Time
}

// NewCatalog makes an empty catalog that lists models with keys().
func NewCatalog(lister ModelLister, keys func() []string) *Catalog {
	return &Catalog{lister: lister, keys: keys}
}

// AddExtra lists models the upstream list lacks (EXTRA_MODELS: new
// previews, tuned aliases) as chat models, from the next refresh on.
func (c *Catalog) AddExtra(ids ...string) {
	for _, id := range ids {
		c.extra = append(c.extra, Model{Name: id, SupportedGenerationMethods: []string{"generateContent", "countTokens"}})
	}
}

// Refresh fetches the list with the first key that works (trying at most
// three, so one bad key does not leave the catalog empty).
func (c *Catalog) Refresh(ctx context.Context) error {
	keys := c.keys()
	if len(keys) == 0 {
		return errors.New("gemini: no key to list models with")
	}
	var err error
	for i, key := range keys {
		if i == 3 {
			break
		}
		var models []Model
		if models, err = c.lister.ListModels(ctx, key); err == nil {
			c.set(models)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

func (c *Catalog) set(models []Model) {
	s := &catalogSnapshot{byID: make(map[string]Model, len(models)), fetched: time.Now()}
	for _, m := range append(models, c.extra...) {
		m.Name = strings.TrimPrefix(m.Name, "models/")
		if _, dup := s.byID[m.Name]; dup {
			continue
		}
		s.models = append(s.models, m)
		s.byID[m.Name] = m
	}
	c.snap.Store(s)
}

// Run refreshes every interval until ctx ends, reporting failures to onErr.
func (c *Catalog) Run(ctx context.Context, interval time.Duration, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.Refresh(ctx); err != nil && ctx.Err() == nil {
				onErr(err)
			}
		}
	}
}

// Loaded reports whether a list was ever fetched. Until then model names
// cannot be checked and are let through.
func (c *Catalog) Loaded() bool { return c.snap.Load() != nil }

// Lookup finds a model by bare id.
func (c *Catalog) Lookup(id string) (Model, bool) {
	s := c.snap.Load()
	if s == nil {
		return Model{}, false
	}
	m, ok := s.byID[id]
	return m, ok
}

// Models lists the models that support method (e.g. "generateContent"),
// with bare ids.
func (c *Catalog) Models(method string) []Model {
	s := c.snap.Load()
	if s == nil {
		return nil
	}
	var out []Model
	for _, m := range s.models {
		if m.Supports(method) {
			out = append(out, m)
		}
	}
	return out
}

// Supports reports whether the model lists method among its generation
// methods.
func (m Model) Supports(method string) bool {
	for _, s := range m.SupportedGenerationMethods {
		if s == method {
			return true
		}
	}
	return false
}
