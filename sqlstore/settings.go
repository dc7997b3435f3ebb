package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/hagemi/hagemi/domain"
)

// settingContextTTLDays is the conversation TTL in days; 0 means never.
const settingContextTTLDays = "context_ttl_days"

// defaultContextTTLDays is the TTL until the admin sets one.
const defaultContextTTLDays = 7

// Setting returns the value of a runtime setting, or def if it is unset.
func (s *Store) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := s.r.GetContext(ctx, &v, s.r.Rebind(`SELECT value FROM settings WHERE key = ?`), key)
	if errors.Is(notFound(err), domain.ErrNotFound) {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("sqlstore: setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting stores a runtime setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.w.ExecContext(ctx, s.w.Rebind(`INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
	if err != nil {
		return fmt.Errorf("sqlstore: set setting %s: %w", key, err)
	}
	return nil
}

// ContextTTLDays returns how many days an idle conversation is kept; 0
// means forever. A stored value that is not a whole number of days, or is
// negative, reads as the default of 7 rather than as "forever".
func (s *Store) ContextTTLDays(ctx context.Context) (int, error) {
	v, err := s.Setting(ctx, settingContextTTLDays, "")
	if err != nil {
		return 0, err
	}
	days, err := strconv.Atoi(v)
	if err != nil || days < 0 {
		return defaultContextTTLDays, nil
	}
	return days, nil
}

// SetContextTTLDays sets the conversation TTL; 0 keeps conversations
// until deleted, a negative value is domain.ErrInvalid.
func (s *Store) SetContextTTLDays(ctx context.Context, days int) error {
	if days < 0 {
		return domain.Invalid("context_ttl_days", "must be 0 (never) or more days")
	}
	return s.SetSetting(ctx, settingContextTTLDays, strconv.Itoa(days))
}
