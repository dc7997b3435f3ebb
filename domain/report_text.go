package domain

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// reportListMax bounds the keys listed by name per group, so a pool of a
// thousand keys still makes a readable log entry.
const reportListMax = 10

// Text renders the report as one multi-line log entry. Available and busy
// keys with identical meters are grouped ("3× …"); cooling, exhausted and
// invalid keys are listed masked with their reason.
func (r UsageReport) Text() string {
	var b strings.Builder
	at := r.At.In(pacific)
	fmt.Fprintf(&b, "--- usage report %s (Pacific day %s, %.0f%% elapsed) ---\n", at.Format("2006-01-02 15:04 MST"), r.Day, 100*r.DayFraction)
	fmt.Fprintf(&b, "keys: %d configured, %d active, %d invalid\n", r.Configured, r.Active, r.Configured-r.Active)
	if len(r.Models) == 0 {
		b.WriteString("no usage yet\n")
	}
	for _, m := range r.Models {
		l := m.Limits
		fmt.Fprintf(&b, "[%s] limits per project: RPM %s, TPM_in %s, RPD %s, TPD_in %s\n", m.Model,
			limitText(l.RPM), limitText(l.TPMInput), limitText(l.RPD), limitText(l.TPDInput))
		fmt.Fprintf(&b, "  today: %s\n", totalsText(m.Today))
		est := "too early"
		if m.HasEstimate {
			est = totalsText(m.Estimate)
		}
		avg := "no history"
		if m.Avg7Days > 0 {
			avg = fmt.Sprintf("%s (%d days)", totalsText(m.Avg7), m.Avg7Days)
		}
		fmt.Fprintf(&b, "  day estimate: %s; 7-day average: %s\n", est, avg)
		if m.CapacityRPD > 0 || m.CapacityTPD > 0 {
			fmt.Fprintf(&b, "  capacity: %d projects → RPD %s, TPD_in %s\n", m.Projects, limitText(m.CapacityRPD), limitText(m.CapacityTPD))
		}
		for _, g := range m.Groups {
			fmt.Fprintf(&b, "  %s (%d):\n", g.State, len(g.Keys))
			if g.State == "available" || g.State == "busy" {
				writeMeterLines(&b, g.Keys)
			} else {
				writeKeyList(&b, g)
			}
		}
		fmt.Fprintf(&b, "  suggestion: %s\n", m.Suggestion.Text)
	}
	b.WriteString("--- end of usage report ---")
	return b.String()
}

func writeMeterLines(b *strings.Builder, keys []KeyUsage) {
	count := map[string]int{}
	for _, k := range keys {
		count[meterLine(k)]++
	}
	lines := make([]string, 0, len(count))
	for l := range count {
		lines = append(lines, l)
	}
	sort.Slice(lines, func(i, j int) bool {
		if count[lines[i]] != count[lines[j]] {
			return count[lines[i]] > count[lines[j]]
		}
		return lines[i] < lines[j]
	})
	for i, l := range lines {
		if i == reportListMax {
			fmt.Fprintf(b, "    … and %d more kinds\n", len(lines)-i)
			break
		}
		fmt.Fprintf(b, "    %d× %s\n", count[l], l)
	}
}

func writeKeyList(b *strings.Builder, g KeyGroup) {
	for i, k := range g.Keys {
		if i == reportListMax {
			fmt.Fprintf(b, "    … and %d more\n", len(g.Keys)-i)
			return
		}
		when := "until " + k.Until.In(pacific).Format("01-02 15:04:05 MST")
		if g.State == "invalid" {
			when = "since " + k.Since.In(pacific).Format("01-02 15:04 MST")
		}
		fmt.Fprintf(b, "    %s %s (%s)\n", k.Masked, when, k.Why)
	}
}

func meterLine(k KeyUsage) string {
	return fmt.Sprintf("RPD=%s | RPM=%s | TPD_in=%s | TPM_in=%s | score %.2f",
		meterText(k.RPD), meterText(k.RPM), meterText(k.TPDIn), meterText(k.TPMIn), k.Score)
}

func meterText(m Meter) string {
	if m.Limit <= 0 {
		return strconv.FormatInt(m.Used, 10) + "/∞"
	}
	left := max(0, 100-100*m.Used/m.Limit)
	return fmt.Sprintf("%d/%d (%d%% left)", m.Used, m.Limit, left)
}

func limitText(v int64) string {
	if v <= 0 {
		return "unlimited"
	}
	return strconv.FormatInt(v, 10)
}

func totalsText(d DayTotals) string {
	return fmt.Sprintf("%d requests, %d input tokens, %d output tokens, %d errors", d.Requests, d.InputTokens, d.OutputTokens, d.Errors)
}
