package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
)

const scriptPayload = `<script>alert("pwned")</script>`

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ownerOf is the owner a credential's conversations are saved under.
func ownerOf(t *testing.T, pe *portalEnv, secret string) string {
	t.Helper()
	p, err := pe.deps.Credentials.Authenticate(t.Context(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return p.Owner
}

// saveConversation stores one exchange for owner and returns its id.
func saveConversation(t *testing.T, pe *portalEnv, owner, name, text string) int64 {
	t.Helper()
	contents := []gemini.Content{
		{Role: "user", Parts: []gemini.Part{{Text: text}}},
		{Role: "model", Parts: []gemini.Part{{Text: "answer to " + text}}},
	}
	if err := pe.store.SaveConversation(t.Context(), owner, name, contents, 10); err != nil {
		t.Fatal(err)
	}
	list, _, err := pe.store.ListConversations(t.Context(), domain.ConversationFilter{Owner: owner, Search: name})
	if err != nil || len(list) == 0 {
		t.Fatalf("saved conversation not listed: %v", err)
	}
	return list[0].ID
}

func TestPortalUserSeesOnlyOwnConversations(t *testing.T) {
	pe := newPortalEnv(t)
	mine := saveConversation(t, pe, ownerOf(t, pe, userSecret), "mine", "my question "+scriptPayload)
	theirs := saveConversation(t, pe, "key:99", "theirs", "their secret question")
	admins := saveConversation(t, pe, "admin", "admins", "admin question")

	b := pe.browser(t)
	b.login(userSecret)
	resp, body := b.get("/manage/context")
	wantStatus(t, "list", resp, http.StatusOK)
	d := doc(t, body)
	if got := d.Find("#conversations tbody tr").Length(); got != 1 {
		t.Errorf("user sees %d conversations; want 1", got)
	}
	if strings.Contains(body, "their secret question") || strings.Contains(body, "admin question") {
		t.Error("user's list shows another owner's conversation")
	}
	if d.Find("main script").Length() != 0 || !strings.Contains(d.Find(".preview").Text(), scriptPayload) {
		t.Errorf("payload not shown as text: %q", d.Find(".preview").Text())
	}

	resp, body = b.get("/manage/context/" + itoa(mine))
	wantStatus(t, "own conversation", resp, http.StatusOK)
	if got := doc(t, body).Find(".turn-user .text").Text(); got != "my question "+scriptPayload {
		t.Errorf("turn text = %q", got)
	}
	// Guessing ids: another owner's conversation does not exist for them.
	for _, id := range []int64{theirs, admins, 99999} {
		resp, _ = b.get("/manage/context/" + itoa(id))
		wantStatus(t, "view "+itoa(id), resp, http.StatusNotFound)
		resp, _ = b.post("/manage/context/"+itoa(id)+"/delete", nil)
		wantStatus(t, "delete "+itoa(id), resp, http.StatusNotFound)
	}
	// "Delete all" deletes only the caller's, whatever id is sent.
	resp, _ = b.post("/manage/context/delete-owner", url.Values{"id": {itoa(theirs)}})
	wantRedirect(t, "delete mine", resp, "/manage/context")
	_, total, _ := pe.store.ListConversations(t.Context(), domain.ConversationFilter{})
	if total != 2 {
		t.Errorf("%d conversations left; want the 2 of other owners", total)
	}
	resp, _ = b.post("/manage/context/ttl", url.Values{"days": {"1"}})
	wantStatus(t, "user sets TTL", resp, http.StatusForbidden)
}

func TestPortalAdminSeesAllOwnersMasked(t *testing.T) {
	pe := newPortalEnv(t)
	user := ownerOf(t, pe, userSecret)
	saveConversation(t, pe, user, "u1", "question one")
	id := saveConversation(t, pe, "key:7", "k1", "question two")
	b := pe.browser(t)
	b.login(adminSecret)
	_, body := b.get("/manage/context")
	d := doc(t, body)
	if got := d.Find("#conversations tbody tr").Length(); got != 2 {
		t.Errorf("admin sees %d conversations; want 2", got)
	}
	if strings.Contains(body, user) {
		t.Errorf("full owner %q shown", user)
	}
	if !strings.Contains(d.Find("tbody").Text(), "key #7") {
		t.Error("proxy key owner not shown as key #7")
	}
	// Search narrows the list; htmx gets the list alone.
	resp, body := b.get("/manage/context?q=two", "HX-Request", "true", "HX-Target", "conversations")
	wantStatus(t, "search", resp, http.StatusOK)
	d = doc(t, body)
	if d.Find("html header").Length() != 0 || d.Find("tbody tr").Length() != 1 {
		t.Errorf("search fragment: %d rows, layout %v", d.Find("tbody tr").Length(), d.Find("header").Length() > 0)
	}
	// Deleting a row with htmx answers an empty body.
	resp, body = b.post("/manage/context/"+itoa(id)+"/delete", nil, "HX-Request", "true")
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(body) != "" {
		t.Errorf("htmx delete: %d %q", resp.StatusCode, body)
	}
	resp, _ = b.post("/manage/context/delete-owner", url.Values{"id": {"123456"}})
	wantStatus(t, "delete-owner of a missing conversation", resp, http.StatusNotFound)
}

func TestPortalTTL(t *testing.T) {
	pe := newPortalEnv(t)
	b := pe.browser(t)
	b.login(adminSecret)
	resp, body := b.post("/manage/context/ttl", url.Values{"days": {"-3"}})
	wantStatus(t, "negative", resp, http.StatusUnprocessableEntity)
	if doc(t, body).Find("#err-days").Length() != 1 {
		t.Error("no inline error")
	}
	resp, body = b.post("/manage/context/ttl", url.Values{"days": {"x"}}, "HX-Request", "true")
	wantStatus(t, "htmx invalid", resp, http.StatusUnprocessableEntity)
	if d := doc(t, body); d.Find("header").Length() != 0 || d.Find("#ttl #err-days").Length() != 1 {
		t.Error("htmx 422 should be the TTL section alone with its error")
	}
	resp, _ = b.post("/manage/context/ttl", url.Values{"days": {"30"}})
	wantRedirect(t, "valid", resp, "/manage/context")
	if days, _ := pe.store.ContextTTLDays(t.Context()); days != 30 {
		t.Errorf("TTL = %d", days)
	}
	_, body = b.get("/manage/context")
	if got := doc(t, body).Find("#flash").Text(); strings.TrimSpace(got) == "" {
		t.Error("no flash after saving")
	}
}

func TestPortalConversationShowsImagesAndToolCalls(t *testing.T) {
	pe := newPortalEnv(t)
	const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
	contents := []gemini.Content{
		{Role: "user", Parts: []gemini.Part{{Text: "what is this?"}, {InlineData: &gemini.Blob{MimeType: "image/png", Data: png}},
			{InlineData: &gemini.Blob{MimeType: "image/svg+xml", Data: "PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+"}}}},
		{Role: "model", Parts: []gemini.Part{{Text: "thinking…", Thought: true}, {FunctionCall: &gemini.FunctionCall{Name: "lookup", Args: []byte(`{"q":"` + `\u003cb\u003e` + `"}`)}}}},
		{Role: "user", Parts: []gemini.Part{{FunctionResponse: &gemini.FunctionResponse{Name: "lookup", Response: []byte(`{"ok":true}`)}}}},
	}
	owner := ownerOf(t, pe, userSecret)
	if err := pe.store.SaveConversation(t.Context(), owner, "pics", contents, 50); err != nil {
		t.Fatal(err)
	}
	list, _, _ := pe.store.ListConversations(t.Context(), domain.ConversationFilter{Owner: owner})
	b := pe.browser(t)
	b.login(userSecret)
	resp, body := b.get("/manage/context/" + itoa(list[0].ID))
	wantStatus(t, "conversation", resp, http.StatusOK)
	d := doc(t, body)
	imgs := d.Find(".turn img")
	if imgs.Length() != 1 || imgs.AttrOr("src", "") != "data:image/png;base64,"+png {
		t.Errorf("%d images, src %q; want the PNG only (SVG is described, not shown)", imgs.Length(), imgs.AttrOr("src", ""))
	}
	if got := d.Find(".turn-model .call code").Text(); got != "lookup" {
		t.Errorf("function call = %q", got)
	}
	if got := d.Find(".turn-tool .role").Length(); got != 1 {
		t.Errorf("%d tool turns; want 1", got)
	}
	if d.Find(".turn-model details.thought").Length() != 1 {
		t.Error("thought not folded away")
	}
}
