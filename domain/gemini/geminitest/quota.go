package geminitest

import (
	"fmt"
	"math"
	"strconv"
	"time"
	_ "time/tzdata" // daily quotas reset at midnight America/Los_Angeles, even without system tzdata
)

var pacific = func() *time.Location {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return time.FixedZone("PST", -8*3600)
	}
	return loc
}()

// quotaKey is what Google counts quota by: project and model, not key.
type quotaKey struct{ project, model string }

type quotaUsage struct {
	minute []stamp // requests in the last 60 s, oldest first
	day    string  // Pacific date of count
	count  int
}

type stamp struct {
	at     time.Time
	tokens int
}

// admit counts a generation or embedding call against its project×model
// quotas, or returns the 429 Google would send. Rejected calls do not count.
func (s *Server) admit(req Request) *apiError {
	switch req.Action {
	case actGenerate, actStream, actEmbed, actBatch:
	default:
		return nil // countTokens has its own, generous limit
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys[req.Key]
	if k.RPM == 0 && k.RPD == 0 && k.TPM == 0 {
		return nil
	}
	project := k.Project
	if project == "" {
		project = req.Key
	}
	qk := quotaKey{project, req.Model}
	u := s.usage[qk]
	if u == nil {
		u = &quotaUsage{}
		s.usage[qk] = u
	}
	now := s.now()
	for len(u.minute) > 0 && !u.minute[0].at.After(now.Add(-time.Minute)) {
		u.minute = u.minute[1:]
	}
	if day := now.In(pacific).Format(time.DateOnly); u.day != day {
		u.day, u.count = day, 0
	}
	tokens := estimateTokens(req.Body)
	switch {
	case k.RPD > 0 && u.count >= k.RPD:
		y, m, d := now.In(pacific).Date()
		midnight := time.Date(y, m, d+1, 0, 0, 0, 0, pacific)
		return quotaError(req.Model, "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
			"generate_content_free_tier_requests", k.RPD, midnight.Sub(now))
	case k.RPM > 0 && len(u.minute) >= k.RPM:
		return quotaError(req.Model, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
			"generate_content_free_tier_requests", k.RPM, u.minute[0].at.Add(time.Minute).Sub(now))
	case k.TPM > 0 && usedTokens(u.minute)+tokens > k.TPM:
		return quotaError(req.Model, "GenerateContentInputTokensPerModelPerMinute-FreeTier",
			"generate_content_free_tier_input_token_count", k.TPM, tokenWait(u.minute, tokens, k.TPM, now))
	}
	u.minute = append(u.minute, stamp{now, tokens})
	u.count++
	return nil
}

func usedTokens(st []stamp) int {
	n := 0
	for _, x := range st {
		n += x.tokens
	}
	return n
}

// tokenWait is how long until enough tokens left the window for this call
// (a minute if it can never fit).
func tokenWait(st []stamp, tokens, limit int, now time.Time) time.Duration {
	used := usedTokens(st)
	for _, x := range st {
		used -= x.tokens
		if used+tokens <= limit {
			return x.at.Add(time.Minute).Sub(now)
		}
	}
	return time.Minute
}

// quotaError is Google's free-tier 429: the message (spec B.2), a
// QuotaFailure with quotaValue as a string, Help and RetryInfo.
func quotaError(model, quotaID, metric string, limit int, wait time.Duration) *apiError {
	wait = max(wait, time.Millisecond)
	metric = "generativelanguage.googleapis.com/" + metric
	secs := strconv.FormatFloat(wait.Seconds(), 'f', -1, 64)
	msg := "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. \n" +
		fmt.Sprintf("* Quota exceeded for metric: %s, limit: %d, model: %s\nPlease retry in %ss.", metric, limit, model, secs)
	return &apiError{code: 429, status: "RESOURCE_EXHAUSTED", message: msg, details: []map[string]any{
		{"@type": typeQuota, "violations": []any{map[string]any{
			"quotaMetric": metric, "quotaId": quotaID,
			"quotaDimensions": map[string]any{"location": "global", "model": model},
			"quotaValue":      strconv.Itoa(limit),
		}}},
		{"@type": typeHelp, "links": []any{map[string]any{
			"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}}},
		{"@type": typeRetry, "retryDelay": strconv.Itoa(int(math.Ceil(wait.Seconds()))) + "s"},
	}}
}
