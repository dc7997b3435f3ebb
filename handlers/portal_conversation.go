package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/views"
)

// handleConversation shows one conversation. Another owner's is a 404,
// exactly like a missing one, so guessing ids reveals nothing.
func handleConversation(pg *pages, convs ConversationStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok || convs == nil {
			pg.fail(w, r, http.StatusNotFound)
			return
		}
		p, _ := signedIn(r)
		info, contents, err := convs.GetConversation(r.Context(), id)
		if err == nil && p.Role != RoleAdmin && info.Owner != p.Owner {
			err = domain.ErrNotFound
		}
		if err != nil {
			pg.failErr(w, r, err)
			return
		}
		v := views.ConversationView{Meta: pg.meta(r), Info: conversationRow(info), ShowOwner: p.Role == RoleAdmin,
			Turns: turnsOf(contents)}
		pg.render(w, r, http.StatusOK, views.ConversationPage(v))
	})
}

// handleConversationDelete deletes one conversation. The store checks the
// owner in the same statement, so a user cannot delete another's.
func handleConversationDelete(pg *pages, convs ConversationStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok || convs == nil {
			pg.fail(w, r, http.StatusNotFound)
			return
		}
		p, _ := signedIn(r)
		if err := convs.DeleteConversation(r.Context(), id, ownerFilter(p)); err != nil {
			pg.failErr(w, r, err)
			return
		}
		if fragment(r) {
			// An empty answer swaps the row away.
			w.WriteHeader(http.StatusOK)
			return
		}
		pg.flash(r, "flash.conv.deleted", "", false)
		pg.redirect(w, r, "/manage/context")
	})
}

// handleConversationsDeleteOwner deletes all of an owner's conversations:
// a user's own, or for the admin those of the owner of conversation id.
func handleConversationsDeleteOwner(pg *pages, convs ConversationStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if convs == nil {
			pg.fail(w, r, http.StatusNotFound)
			return
		}
		if !parseForm(w, r) {
			pg.fail(w, r, http.StatusBadRequest)
			return
		}
		p, _ := signedIn(r)
		owner := p.Owner
		if p.Role == RoleAdmin {
			// The admin names a conversation, never a raw owner string, so
			// owners need not appear in the page.
			id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
			if err != nil {
				pg.fail(w, r, http.StatusBadRequest)
				return
			}
			info, _, err := convs.GetConversation(r.Context(), id)
			if err != nil {
				pg.failErr(w, r, err)
				return
			}
			owner = info.Owner
		}
		n, err := convs.DeleteConversationsOf(r.Context(), owner)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			pg.serverError(w, r, err)
			return
		}
		pg.flash(r, "flash.conv.deletedn", strconv.Itoa(n), false)
		pg.redirect(w, r, "/manage/context")
	})
}
