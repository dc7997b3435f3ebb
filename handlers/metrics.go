package handlers

import (
	"crypto/subtle"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hagemi/hagemi/domain"
)

// Metrics are the Prometheus series Hagemi exports. A nil *Metrics records
// nothing, so tests and callers need no stub.
type Metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	upstream  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	ttfb      *prometheus.HistogramVec
	tokens    *prometheus.CounterVec
	limited   *prometheus.CounterVec
	convSaved prometheus.Counter
}

// NewMetrics registers every series; pool supplies the key gauges.
// A non-empty replica labels every series, so that one Prometheus can
// scrape several replicas behind one name.
func NewMetrics(pool *domain.Pool, replica string) *Metrics {
	reg := prometheus.NewRegistry()
	var into prometheus.Registerer = reg
	if replica != "" {
		into = prometheus.WrapRegistererWith(prometheus.Labels{"replica": replica}, reg)
	}
	m := &Metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hagemi_requests_total",
			Help: "HTTP requests by route, status and model."}, []string{"route", "status", "model"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hagemi_upstream_calls_total",
			Help: "Calls to Gemini by outcome (ok, neutral, key_invalid, rate_limited, server_error)."}, []string{"outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hagemi_request_duration_seconds",
			Help: "Whole request duration.", Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 12)}, []string{"route"}),
		ttfb: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hagemi_time_to_first_byte_seconds",
			Help: "Time until the first response byte.", Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 12)}, []string{"route"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hagemi_tokens_total",
			Help: "Tokens by direction (in, out) and model."}, []string{"direction", "model"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hagemi_limiter_rejections_total",
			Help: "Requests refused by Hagemi's own limits, by limit (ip, key)."}, []string{"limit"}),
		convSaved: prometheus.NewCounter(prometheus.CounterOpts{Name: "hagemi_conversations_saved_total",
			Help: "Conversation saves."}),
	}
	into.MustRegister(m.requests, m.upstream, m.latency, m.ttfb, m.tokens, m.limited, m.convSaved,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		poolCollector{pool})
	return m
}

func (m *Metrics) request(route string, status int, rec *accessRecord, took, ttfb time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status), rec.model).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
	if ttfb > 0 {
		m.ttfb.WithLabelValues(route).Observe(ttfb.Seconds())
	}
	if rec.tokensIn+rec.tokensOut > 0 {
		m.tokens.WithLabelValues("in", rec.model).Add(float64(rec.tokensIn))
		m.tokens.WithLabelValues("out", rec.model).Add(float64(rec.tokensOut))
	}
}

var outcomeNames = map[domain.OutcomeKind]string{
	domain.OutcomeOK: "ok", domain.OutcomeNeutral: "neutral", domain.OutcomeKeyInvalid: "key_invalid",
	domain.OutcomeRateLimited: "rate_limited", domain.OutcomeServerError: "server_error",
}

func (m *Metrics) upstreamCall(k domain.OutcomeKind) {
	if m != nil {
		m.upstream.WithLabelValues(outcomeNames[k]).Inc()
	}
}

func (m *Metrics) rejected(limit string) {
	if m != nil {
		m.limited.WithLabelValues(limit).Inc()
	}
}

func (m *Metrics) conversationSaved() {
	if m != nil {
		m.convSaved.Inc()
	}
}

// poolCollector reports the keys' states at scrape time.
type poolCollector struct{ pool *domain.Pool }

var (
	keysDesc    = prometheus.NewDesc("hagemi_keys", "Gemini keys by state (active, cooling, invalid).", []string{"state"}, nil)
	coolingDesc = prometheus.NewDesc("hagemi_key_cooldowns", "Key×model pairs cooling down now.", nil, nil)
	droppedDesc = prometheus.NewDesc("hagemi_cluster_events_dropped_total",
		"Key-state events not sent to the other replicas because the queue was full.", nil, nil)
)

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- keysDesc
	ch <- coolingDesc
	ch <- droppedDesc
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	active, cooling, invalid, pairs := 0, 0, 0, 0
	for _, s := range c.pool.Status() {
		switch {
		case s.Invalid:
			invalid++
		case len(s.Cooling) > 0:
			cooling++
		default:
			active++
		}
		pairs += len(s.Cooling)
	}
	ch <- prometheus.MustNewConstMetric(keysDesc, prometheus.GaugeValue, float64(active), "active")
	ch <- prometheus.MustNewConstMetric(keysDesc, prometheus.GaugeValue, float64(cooling), "cooling")
	ch <- prometheus.MustNewConstMetric(keysDesc, prometheus.GaugeValue, float64(invalid), "invalid")
	ch <- prometheus.MustNewConstMetric(coolingDesc, prometheus.GaugeValue, float64(pairs))
	ch <- prometheus.MustNewConstMetric(droppedDesc, prometheus.CounterValue, float64(c.pool.DroppedEvents()))
}

// handleMetrics serves /metrics to loopback callers, or to anyone with the
// METRICS_TOKEN bearer token when one is set.
func handleMetrics(m *Metrics, token string) http.Handler {
	h := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allowed := false
		if token != "" {
			got, _ := clientToken(r)
			allowed = subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
		} else if a, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
			allowed = a.Addr().Unmap().IsLoopback()
		}
		if !allowed {
			http.Error(w, "metrics are available from loopback or with METRICS_TOKEN", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
