package domain

import (
	"time"
)

// pacific is the zone Google's daily quotas reset in. main embeds
// time/tzdata, so this load succeeds even in containers without zoneinfo.
var pacific = mustLoad("America/Los_Angeles")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("domain: time zone " + name + " unavailable; import time/tzdata: " + err.Error())
	}
	return loc
}

// PTDay is the Pacific-time calendar day of t, as "2006-01-02".
func PTDay(t time.Time) string { return t.In(pacific).Format(time.DateOnly) }

// NextPTMidnight is the first Pacific midnight after t. It is DST-correct:
// the day after a 23- or 25-hour day still starts at 00:00 local time.
func NextPTMidnight(t time.Time) time.Time {
	l := t.In(pacific)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, pacific)
}
