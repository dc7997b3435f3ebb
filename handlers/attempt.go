package handlers

import (
	"context"
	"errors"
	"strings"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/memory"
)

// outcomeOf tells the pool what an upstream failure says about the key:
// for a 429, which quotas and limits Google named, so the pool learns them.
func outcomeOf(err error) domain.Outcome {
	var ue *gemini.UpstreamError
	if !errors.As(err, &ue) {
		return domain.Outcome{Kind: domain.OutcomeServerError, Reason: "network"}
	}
	switch ue.Kind {
	case gemini.KindKeyInvalid:
		return domain.Outcome{Kind: domain.OutcomeKeyInvalid, Reason: keyInvalidReason(ue)}
	case gemini.KindRateLimited:
		o := domain.Outcome{Kind: domain.OutcomeRateLimited, RetryDelay: ue.RetryDelay, Detailed: len(ue.Violations) > 0, Reason: "429 " + ue.Status}
		for _, v := range ue.Violations {
			q := domain.QuotaHit{Value: v.Value, HasValue: v.HasValue}
			switch {
			case v.PerDay() && v.TokenBased():
				q.Kind = domain.QuotaTPD
			case v.PerDay():
				q.Kind = domain.QuotaRPD
			case v.PerMinute() && v.TokenBased():
				q.Kind = domain.QuotaTPM
			case v.PerMinute():
				q.Kind = domain.QuotaRPM
			case v.HasValue && v.Value == 0:
				q.Kind = domain.QuotaRPD // window unknown, but no quota is no quota
			default:
				continue // a limit without its window would teach a wrong one
			}
			o.Quotas = append(o.Quotas, q)
			if v.PerDay() {
				o.Daily = true
				o.Reason = "daily quota " + v.QuotaID
			} else if v.QuotaID != "" {
				o.Reason = "quota " + v.QuotaID
			}
		}
		return o
	case gemini.KindNetwork:
		// No status and a dial failure: the request never left, so Google
		// counted nothing and the pool can give the reservation back.
		notSent := ue.HTTPStatus == 0 && strings.Contains(ue.Message, "dial ")
		return domain.Outcome{Kind: domain.OutcomeServerError, Reason: ue.Kind.String(), NotSent: notSent}
	case gemini.KindServer, gemini.KindTimeout, gemini.KindTruncated:
		return domain.Outcome{Kind: domain.OutcomeServerError, Reason: ue.Kind.String()}
	}
	return domain.Outcome{Kind: domain.OutcomeNeutral}
}

func keyInvalidReason(ue *gemini.UpstreamError) string {
	if ue.Reason != "" {
		return ue.Reason
	}
	return gemini.RedactKeys(ue.Message)
}

// retryable reports whether another key may succeed where this one failed.
func retryable(err error) bool {
	var ue *gemini.UpstreamError
	return errors.As(err, &ue) && ue.Retryable()
}

// finalError picks what to tell the client when the pool has no key left:
// a pool verdict about cooldowns beats a stale upstream 429, otherwise the
// last upstream failure says most.
func finalError(last, acquire error) error {
	if last == nil {
		return acquire
	}
	var ra *domain.RetryAfterError
	if errors.As(acquire, &ra) {
		return acquire
	}
	return last
}

func logAttempt(d *Deps, lease domain.Lease, model string, err error) {
	d.Log.Warn("upstream attempt failed", "key", lease.Masked, "model", model, "err", gemini.RedactKeys(err.Error()))
}

// report tells the pool how an attempt ended and counts it for the access
// log and the metrics.
func report(ctx context.Context, d *Deps, lease domain.Lease, o domain.Outcome) {
	d.Pool.Report(lease, o)
	rec := recordOf(ctx)
	rec.attempts++
	rec.key = lease.Masked
	d.Metrics.upstreamCall(o.Kind)
}

// okOutcome reports a success with Google's exact token counts.
func okOutcome(reply *gemini.Reply) domain.Outcome {
	o := domain.Outcome{Kind: domain.OutcomeOK}
	if reply != nil && reply.Usage != nil {
		u := reply.Usage
		o.InputTokens = u.PromptTokenCount + u.ToolUsePromptTokenCount
		o.OutputTokens = u.CandidatesTokenCount + u.ThoughtsTokenCount
	}
	return o
}

// estimateInput estimates a request's prompt tokens (media at their fixed
// cost, never by base64 length).
func estimateInput(req *gemini.GenerateContentRequest) int {
	n := memory.Estimate(req.Contents)
	if req.SystemInstruction != nil {
		n += memory.Estimate([]gemini.Content{*req.SystemInstruction})
	}
	for _, t := range req.Tools {
		for _, f := range t.FunctionDeclarations {
			n += (len(f.Name) + len(f.Description) + len(f.Parameters) + len(f.ParametersJSONSchema)) * 2 / 7
		}
	}
	return n
}
