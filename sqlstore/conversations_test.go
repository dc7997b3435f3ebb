package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
)

func TestConversationRoundTrip(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		want := []gemini.Content{
			user("weather in Paris?"),
			{Role: "model", Parts: []gemini.Part{{ThoughtSignature: "c2lnCg==", FunctionCall: &gemini.FunctionCall{
				ID: "call_1", Name: "get_weather", Args: json.RawMessage(`{"city":"Paris"}`)}}}},
			{Role: "user", Parts: []gemini.Part{{FunctionResponse: &gemini.FunctionResponse{
				ID: "call_1", Name: "get_weather", Response: json.RawMessage(`{"sky":"sunny"}`)}}}},
			{Role: "model", Parts: []gemini.Part{{Text: "thinking", Thought: true}, {Text: "Sunny."}, {ThoughtSignature: "c2ln"}}},
		}
		if _, err := s.LoadConversation(ctx, "key:1", "", 0); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Load(unsaved) err = %v; want ErrNotFound", err)
		}
		if err := s.SaveConversation(ctx, "key:1", "", want, 42); err != nil {
			t.Fatal(err)
		}
		got, err := s.LoadConversation(ctx, "key:1", domain.DefaultConversation, 0)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Load (-want +got):\n%s", diff)
		}
		if _, err := s.LoadConversation(ctx, "key:2", "", 0); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Load(other owner) err = %v; want ErrNotFound", err)
		}
		if err := s.SaveConversation(ctx, "", "x", want, 1); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("Save(no owner) err = %v; want ErrInvalid", err)
		}
	})
}

func TestConversationLazyTTL(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		mustSave(t, s, "admin", "", user("q"))
		c.Add(2 * time.Hour)
		if _, err := s.LoadConversation(ctx, "admin", "", 0); err != nil {
			t.Errorf("Load(ttl 0) err = %v; want none: 0 is forever", err)
		}
		if _, err := s.LoadConversation(ctx, "admin", "", 3*time.Hour); err != nil {
			t.Errorf("Load(within ttl) err = %v", err)
		}
		if _, err := s.LoadConversation(ctx, "admin", "", time.Hour); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Load(expired) err = %v; want ErrNotFound", err)
		}
		if _, n, _ := s.ListConversations(ctx, ConversationFilter{}); n != 0 {
			t.Errorf("%d conversations after lazy expiry; want 0", n)
		}
	})
}

func TestConversationCorruptDropped(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		mustSave(t, s, "admin", "", user("q"))
		if _, err := s.DB().ExecContext(ctx, `UPDATE conversations SET contents = '[{"role":'`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LoadConversation(ctx, "admin", "", 0); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Load(corrupt) err = %v; want ErrNotFound", err)
		}
		if _, n, _ := s.ListConversations(ctx, ConversationFilter{}); n != 0 {
			t.Errorf("%d conversations after corrupt load; want 0", n)
		}
	})
}

func TestListAndGetConversations(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		for i := range 5 {
			owner := "key:1"
			if i%2 == 1 {
				owner = "user:ab12"
			}
			mustSave(t, s, owner, fmt.Sprintf("chat-%d", i), user("first"), model("a"),
				user(fmt.Sprintf("  question\n number %d 100%%  ", i)), model("b"))
			c.Add(time.Minute)
		}
		// Saving again moves a conversation to the top and keeps its creation time.
		mustSave(t, s, "key:1", "chat-0", user("first"), model("a"), user("again"), model("c"), user(strings.Repeat("é", 100)))
		infos, total, err := s.ListConversations(ctx, ConversationFilter{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		created := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		want := ConversationInfo{ID: infos[0].ID, Owner: "key:1", Name: "chat-0", Turns: 3, Tokens: 10,
			Created: created, Updated: created.Add(5 * time.Minute), Preview: strings.Repeat("é", 79) + "…"}
		if total != 5 || len(infos) != 2 {
			t.Fatalf("List = %d of %d; want 2 of 5", len(infos), total)
		}
		if diff := cmp.Diff(want, infos[0]); diff != "" {
			t.Errorf("newest (-want +got):\n%s", diff)
		}
		if got, want := infos[1].Name, "chat-4"; got != want {
			t.Errorf("second = %q; want %q", got, want)
		}
		tests := []struct {
			f     ConversationFilter
			names string
			total int
		}{
			{ConversationFilter{Owner: "user:ab12"}, "chat-3 chat-1", 2},
			{ConversationFilter{Search: "NUMBER 2"}, "chat-2", 1},
			{ConversationFilter{Search: "100%"}, "chat-4 chat-3 chat-2 chat-1", 4},
			{ConversationFilter{Search: "_"}, "", 0},
			{ConversationFilter{Search: "ab12", Offset: 1}, "chat-1", 2},
			{ConversationFilter{Owner: "key:1", Search: "chat-0"}, "chat-0", 1},
		}
		for _, tt := range tests {
			infos, total, err := s.ListConversations(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, in := range infos {
				names = append(names, in.Name)
			}
			if got := strings.Join(names, " "); got != tt.names || total != tt.total {
				t.Errorf("List(%+v) = %q of %d; want %q of %d", tt.f, got, total, tt.names, tt.total)
			}
		}
		info, contents, err := s.GetConversation(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, info); diff != "" {
			t.Errorf("Get info (-want +got):\n%s", diff)
		}
		if got := len(contents); got != 5 {
			t.Errorf("Get: %d contents; want 5", got)
		}
		if _, _, err := s.GetConversation(ctx, 999); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Get(unknown) err = %v; want ErrNotFound", err)
		}
	})
}

func TestDeleteConversationOwnerIsolation(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		mustSave(t, s, "user:a", "x", user("q"))
		mustSave(t, s, "user:b", "x", user("q"))
		mustSave(t, s, "user:b", "y", user("q"))
		infos, _, _ := s.ListConversations(ctx, ConversationFilter{Owner: "user:a"})
		id := infos[0].ID
		if err := s.DeleteConversation(ctx, id, "user:b"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Delete(someone else's) err = %v; want ErrNotFound", err)
		}
		if _, _, err := s.GetConversation(ctx, id); err != nil {
			t.Errorf("conversation gone after a refused delete: %v", err)
		}
		if err := s.DeleteConversation(ctx, id, "user:a"); err != nil {
			t.Errorf("Delete(own) err = %v", err)
		}
		infos, _, _ = s.ListConversations(ctx, ConversationFilter{Owner: "user:b"})
		if err := s.DeleteConversation(ctx, infos[0].ID, ""); err != nil {
			t.Errorf("Delete(admin) err = %v", err)
		}
		if err := s.DeleteConversation(ctx, infos[0].ID, ""); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Delete twice err = %v; want ErrNotFound", err)
		}
		mustSave(t, s, "user:b", "z", user("q"))
		if n, err := s.DeleteConversationsOf(ctx, "user:b"); err != nil || n != 2 {
			t.Errorf("DeleteConversationsOf = %d, %v; want 2", n, err)
		}
	})
}

func TestPurgeConversations(t *testing.T) {
	eachMode(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		start := c.Now()
		for i := range 10 {
			mustSave(t, s, "admin", fmt.Sprintf("c%d", i), user("q"))
			c.Add(time.Hour)
		}
		if n, err := s.PurgeConversations(ctx, time.Time{}, 0); err != nil || n != 0 {
			t.Errorf("Purge(nothing) = %d, %v; want 0", n, err)
		}
		// c0 and c1 are older than start+2h; then keep the newest 5 of c2…c9.
		n, err := s.PurgeConversations(ctx, start.Add(2*time.Hour), 5)
		if err != nil || n != 5 {
			t.Errorf("Purge = %d, %v; want 5", n, err)
		}
		infos, _, _ := s.ListConversations(ctx, ConversationFilter{})
		var names []string
		for _, in := range infos {
			names = append(names, in.Name)
		}
		if got, want := strings.Join(names, " "), "c9 c8 c7 c6 c5"; got != want {
			t.Errorf("left = %q; want %q", got, want)
		}
	})
}
