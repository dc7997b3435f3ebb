package handlers

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/views"
)

// expiryLayouts are what <input type="datetime-local"> sends, with and
// without seconds; the form says the time is UTC.
var expiryLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05"}

// keySpecFromForm reads the key form. Every field is sent every time, so
// an empty expiry clears it and an unchecked box means false (the
// original's edit form could do neither).
func keySpecFromForm(id int64, form url.Values) (domain.ProxyKeySpec, views.KeyForm) {
	f := views.KeyForm{
		ID:          id,
		Description: form.Get("description"),
		Expires:     strings.TrimSpace(form.Get("expires")),
		RPM:         strings.TrimSpace(form.Get("rpm")),
		RPD:         strings.TrimSpace(form.Get("rpd")),
		TPD:         strings.TrimSpace(form.Get("tpd")),
		Models:      form.Get("models"),
		Enabled:     form.Get("enabled") == "on",
		Memory:      form.Get("memory") == "on",
		Errors:      views.FormErrors{},
	}
	spec := domain.ProxyKeySpec{Description: f.Description, Enabled: f.Enabled, MemoryEnabled: f.Memory,
		AllowedModels: strings.FieldsFunc(f.Models, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' || r == '\t' })}
	if f.Expires != "" {
		var err error
		for _, layout := range expiryLayouts {
			if spec.ExpiresAt, err = time.ParseInLocation(layout, f.Expires, time.UTC); err == nil {
				break
			}
		}
		if err != nil {
			f.Errors["expires"] = "err.expires"
		}
	}
	limit := func(s string) int64 {
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > 1<<40 {
			f.Errors["limits"] = "err.limits"
		}
		return n
	}
	spec.RPMLimit, spec.RPDLimit, spec.TPDLimit = int(limit(f.RPM)), int(limit(f.RPD)), limit(f.TPD)
	if _, bad := f.Errors["limits"]; !bad {
		if err := spec.Normalize(); err != nil {
			f.Errors[fieldOf(err)] = "err." + fieldOf(err)
		}
	}
	return spec, f
}

// fieldOf names the form field a domain.FieldError is about.
func fieldOf(err error) string {
	var fe *domain.FieldError
	if errors.As(err, &fe) {
		switch fe.Param {
		case "description":
			return "description"
		case "allowed_models":
			return "models"
		}
	}
	return "limits"
}

// keyFormOf fills the edit form from a stored key.
func keyFormOf(k domain.ProxyKey) views.KeyForm {
	f := views.KeyForm{ID: k.ID, Description: k.Description, Enabled: k.Enabled, Memory: k.MemoryEnabled,
		Models: strings.Join(k.AllowedModels, "\n")}
	if !k.ExpiresAt.IsZero() {
		f.Expires = k.ExpiresAt.UTC().Format(expiryLayouts[0])
	}
	num := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	f.RPM, f.RPD, f.TPD = num(int64(k.RPMLimit)), num(int64(k.RPDLimit)), num(k.TPDLimit)
	return f
}

// keyRow is one key for the table, with today's usage.
func keyRow(k domain.ProxyKey, today map[int64]domain.ProxyKeyUsage, now time.Time) views.KeyRow {
	u := today[k.ID]
	return views.KeyRow{
		ID: k.ID, Prefix: k.Prefix, Description: k.Description, Created: k.CreatedAt, Expires: k.ExpiresAt,
		Expired: k.Expired(now), Enabled: k.Enabled, LastUsed: k.LastUsedAt, RPM: k.RPMLimit, RPD: k.RPDLimit,
		TPD: k.TPDLimit, Models: k.AllowedModels, Memory: k.MemoryEnabled,
		Today: views.Totals{Requests: u.Requests, TokensIn: u.TokensIn, TokensOut: u.TokensOut},
	}
}
