package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/views"
)

// conversationsPerPage is the page size of the conversations list.
const conversationsPerPage = 25

// ownerFilter is whose conversations p may see: every owner's for the
// admin (""), else only p's own.
func ownerFilter(p Principal) string {
	if p.Role == RoleAdmin {
		return ""
	}
	return p.Owner
}

// handleContext lists conversations, searchable and paged; the list alone
// for the search box's htmx requests.
func handleContext(pg *pages, convs ConversationStore, settings SettingsStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := signedIn(r)
		q := r.URL.Query()
		page, err := strconv.Atoi(q.Get("page"))
		if err != nil || page < 1 {
			page = 1
		}
		v := views.ContextView{Meta: pg.meta(r), Query: strings.TrimSpace(q.Get("q")), Page: page, ShowOwner: p.Role == RoleAdmin}
		if err := listConversations(r.Context(), convs, p, &v); err != nil {
			pg.serverError(w, r, err)
			return
		}
		if fragment(r) && r.Header.Get("HX-Target") == "conversations" {
			pg.render(w, r, http.StatusOK, views.ConversationList(v))
			return
		}
		ttl, err := ttlForm(r.Context(), settings, p)
		if err != nil {
			pg.serverError(w, r, err)
			return
		}
		v.TTL = ttl
		pg.render(w, r, http.StatusOK, views.ContextPage(v))
	})
}

func listConversations(ctx context.Context, convs ConversationStore, p Principal, v *views.ContextView) error {
	if convs == nil {
		return nil
	}
	f := domain.ConversationFilter{Owner: ownerFilter(p), Search: v.Query, Limit: conversationsPerPage,
		Offset: (v.Page - 1) * conversationsPerPage}
	infos, total, err := convs.ListConversations(ctx, f)
	if err != nil {
		return err
	}
	v.Total = total
	v.Pages = max(1, (total+conversationsPerPage-1)/conversationsPerPage)
	for _, c := range infos {
		v.Rows = append(v.Rows, conversationRow(c))
	}
	return nil
}

func conversationRow(c domain.ConversationInfo) views.ConversationRow {
	return views.ConversationRow{ID: c.ID, Owner: maskOwner(c.Owner), Name: c.Name, Turns: c.Turns,
		Tokens: c.Tokens, Updated: c.Updated, Preview: c.Preview}
}

func ttlForm(ctx context.Context, settings SettingsStore, p Principal) (views.TTLForm, error) {
	f := views.TTLForm{CanEdit: p.Role == RoleAdmin && settings != nil}
	if settings == nil {
		return f, nil
	}
	days, err := settings.ContextTTLDays(ctx)
	f.Days = strconv.Itoa(days)
	return f, err
}

// handleTTL sets how long idle conversations are kept (admin).
func handleTTL(pg *pages, convs ConversationStore, settings SettingsStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if settings == nil {
			pg.fail(w, r, http.StatusNotFound)
			return
		}
		if !parseForm(w, r) {
			pg.fail(w, r, http.StatusBadRequest)
			return
		}
		f := views.TTLForm{CanEdit: true, Days: strings.TrimSpace(r.PostFormValue("days"))}
		days, err := strconv.Atoi(f.Days)
		if err != nil || days < 0 || days > 36500 {
			f.Errors = views.FormErrors{"days": "err.days"}
			pg.renderTTL(w, r, http.StatusUnprocessableEntity, f, convs)
			return
		}
		if err := settings.SetContextTTLDays(r.Context(), days); err != nil {
			pg.serverError(w, r, err)
			return
		}
		if fragment(r) {
			f.Saved = true
			pg.render(w, r, http.StatusOK, views.TTLSection(pg.meta(r), f))
			return
		}
		pg.flash(r, "saved", "", false)
		pg.redirect(w, r, "/manage/context")
	})
}

// renderTTL shows the TTL form with its error: alone for htmx, else on the
// whole conversations page.
func (pg *pages) renderTTL(w http.ResponseWriter, r *http.Request, status int, f views.TTLForm, convs ConversationStore) {
	if fragment(r) {
		pg.render(w, r, status, views.TTLSection(pg.meta(r), f))
		return
	}
	p, _ := signedIn(r)
	v := views.ContextView{Meta: pg.meta(r), Page: 1, ShowOwner: true, TTL: f}
	if err := listConversations(r.Context(), convs, p, &v); err != nil {
		pg.serverError(w, r, err)
		return
	}
	pg.render(w, r, status, views.ContextPage(v))
}
