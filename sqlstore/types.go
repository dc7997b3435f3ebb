package sqlstore

import "github.com/hagemi/hagemi/domain"

// The store's values are domain types, so handlers can name them without
// importing this package; these aliases keep the store's own code short.
type (
	ProxyKey           = domain.ProxyKey
	ProxyKeySpec       = domain.ProxyKeySpec
	ProxyKeyUsage      = domain.ProxyKeyUsage
	ConversationInfo   = domain.ConversationInfo
	ConversationFilter = domain.ConversationFilter
)
