package handlers

import (
	"context"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
)

// ProxyKeyStore keeps issued proxy keys; *sqlstore.Store implements it.
type ProxyKeyStore interface {
	LookupProxyKey(ctx context.Context, secret string) (domain.ProxyKey, error)
	CreateProxyKey(ctx context.Context, spec domain.ProxyKeySpec) (domain.ProxyKey, string, error)
	ListProxyKeys(ctx context.Context) ([]domain.ProxyKey, error)
	GetProxyKey(ctx context.Context, id int64) (domain.ProxyKey, error)
	UpdateProxyKey(ctx context.Context, id int64, spec domain.ProxyKeySpec) (domain.ProxyKey, error)
	SetProxyKeyEnabled(ctx context.Context, id int64, enabled bool) error
	RegenerateProxyKey(ctx context.Context, id int64) (string, error)
	DeleteProxyKey(ctx context.Context, id int64) error
	TouchProxyKeys(ctx context.Context, used map[int64]time.Time) error
	AddProxyKeyUsage(ctx context.Context, batch []domain.ProxyKeyUsage) error
	ProxyKeyUsageSince(ctx context.Context, day string) ([]domain.ProxyKeyUsage, error)
}

// ConversationStore keeps conversation memory; *sqlstore.Store implements it.
type ConversationStore interface {
	LoadConversation(ctx context.Context, owner, name string, ttl time.Duration) ([]gemini.Content, error)
	SaveConversation(ctx context.Context, owner, name string, contents []gemini.Content, tokens int) error
	ListConversations(ctx context.Context, f domain.ConversationFilter) ([]domain.ConversationInfo, int, error)
	GetConversation(ctx context.Context, id int64) (domain.ConversationInfo, []gemini.Content, error)
	DeleteConversation(ctx context.Context, id int64, owner string) error
	DeleteConversationsOf(ctx context.Context, owner string) (int, error)
	PurgeConversations(ctx context.Context, olderThan time.Time, keepMax int) (int, error)
}

// SettingsStore keeps runtime settings; *sqlstore.Store implements it.
type SettingsStore interface {
	ContextTTLDays(ctx context.Context) (int, error)
	SetContextTTLDays(ctx context.Context, days int) error
	Setting(ctx context.Context, key, def string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}
