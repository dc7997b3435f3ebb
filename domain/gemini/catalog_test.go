package gemini_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

func TestCatalogKeepsLastGoodList(t *testing.T) {
	key := "AIzaSyCATALOG0000000000000000000000000001"
	fake := geminitest.New(t, geminitest.WithKey(key, geminitest.Key{}))
	client := &gemini.Client{HTTP: fake.Client(), BaseURL: fake.URL}
	c := gemini.NewCatalog(client, func() []string { return []string{key} })
	c.AddExtra("gemini-9-secret-preview", "gemini-2.5-flash")
	if c.Loaded() {
		t.Fatal("loaded before the first refresh")
	}
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	chat := c.Models("generateContent")
	if len(chat) == 0 {
		t.Fatal("no chat models")
	}
	for _, m := range chat {
		if m.Name == "gemini-embedding-001" || m.Name == "models/gemini-2.5-flash" {
			t.Errorf("unexpected entry %q", m.Name)
		}
	}
	if m, ok := c.Lookup("gemini-2.5-flash"); !ok || m.InputTokenLimit == 0 {
		t.Errorf("lookup = %+v, %v (an extra must not shadow the upstream entry)", m, ok)
	}
	if m, ok := c.Lookup("gemini-9-secret-preview"); !ok || !m.Supports("generateContent") {
		t.Errorf("extra model = %+v, %v", m, ok)
	}

	// Google becomes unreachable: the refresh fails, the list stays.
	fake.Close()
	if err := c.Refresh(context.Background()); err == nil {
		t.Fatal("refresh against a closed server succeeded")
	}
	if got := len(c.Models("generateContent")); got != len(chat) {
		t.Errorf("after a failed refresh: %d models; want the last good %d", got, len(chat))
	}
}

func TestCatalogPagesThroughTheList(t *testing.T) {
	key := "AIzaSyCATALOG0000000000000000000000000002"
	fake := geminitest.New(t, geminitest.WithKey(key, geminitest.Key{}))
	var many []map[string]any
	for i := range 1500 {
		many = append(many, map[string]any{"name": fmt.Sprintf("models/gemini-test-%d", i),
			"supportedGenerationMethods": []string{"generateContent"}})
	}
	fake.SetModels(many)
	c := gemini.NewCatalog(&gemini.Client{HTTP: fake.Client(), BaseURL: fake.URL}, func() []string { return []string{key} })
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(c.Models("generateContent")); got != 1500 {
		t.Errorf("models = %d; want all 1500 across pages", got)
	}
}
