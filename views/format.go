package views

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Time shows an instant in UTC to the minute, or "never" for the zero time.
// UTC because the server cannot know the reader's zone without script.
func (m PageMeta) Time(t time.Time) string {
	if t.IsZero() {
		return m.T("never")
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}

// ISO is the machine-readable form for <time datetime>.
func ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Num writes n with thousands separators.
func Num[T ~int | ~int64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Duration writes d roughly, in days, hours and minutes.
func (m PageMeta) Duration(d time.Duration) string {
	d = d.Round(time.Minute)
	days := int(d / (24 * time.Hour))
	h := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	switch {
	case days > 0:
		return m.T("dur.dh", days, h)
	case h > 0:
		return m.T("dur.hm", h, mins)
	}
	return m.T("dur.m", mins)
}

// Limit shows a limit, "no limit" for 0.
func (m PageMeta) Limit(n int64) string {
	if n == 0 {
		return m.T("keys.nolimit")
	}
	return Num(n)
}

// pageURL keeps the search while changing page.
func pageURL(path, query string, page int) string {
	v := path + "?page=" + strconv.Itoa(page)
	if query != "" {
		v += "&q=" + url.QueryEscape(query)
	}
	return v
}

func itoa[T ~int | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
