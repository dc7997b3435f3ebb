package sqlstore

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/sqlstore/sqltest"
)

// clock is a settable Store.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var modes = []string{"memory", "file", "postgres"}

// eachMode runs f against a fresh store in memory mode, in file mode and
// on PostgreSQL (in a schema of its own; skipped without
// HAGEMI_TEST_DATABASE_URL), because all three must behave the same.
func eachMode(t *testing.T, f func(t *testing.T, s *Store, c *clock)) {
	t.Helper()
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			s := openStore(t, mode)
			c := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
			s.Now = c.Now
			f(t, s, c)
		})
	}
}

func openStore(t testing.TB, mode string) *Store {
	t.Helper()
	var s *Store
	var err error
	switch mode {
	case "postgres":
		s, err = OpenPostgres(context.Background(), sqltest.PostgresURL(t))
	case "file":
		s, err = Open(context.Background(), filepath.Join(t.TempDir(), "data", "hagemi.db")) // "data" does not exist yet
	default:
		s, err = Open(context.Background(), "")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if s.Mode() != mode {
		t.Fatalf("Mode() = %q; want %q", s.Mode(), mode)
	}
	return s
}

func user(text string) gemini.Content {
	return gemini.Content{Role: "user", Parts: []gemini.Part{{Text: text}}}
}

func model(text string) gemini.Content {
	return gemini.Content{Role: "model", Parts: []gemini.Part{{Text: text, ThoughtSignature: "sig-" + text}}}
}

func mustSave(t testing.TB, s *Store, owner, name string, contents ...gemini.Content) {
	t.Helper()
	if err := s.SaveConversation(context.Background(), owner, name, contents, 10); err != nil {
		t.Fatal(err)
	}
}
