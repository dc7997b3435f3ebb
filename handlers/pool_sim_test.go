package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
	"github.com/hagemi/hagemi/handlers"
)

// simClock is the one clock of a simulation: the pool's and the fake
// Google's. It only moves when the driver says so.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// countingUpstream is the real client, counting what reaches Google.
type countingUpstream struct {
	*gemini.Client
	mu      sync.Mutex
	calls   int
	limited int            // 429s
	served  map[string]int // successes by key
}

func (c *countingUpstream) count(key string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	switch {
	case err == nil:
		c.served[key]++
	case errors.Is(err, domain.ErrRateLimited):
		c.limited++
	}
}

func (c *countingUpstream) Generate(ctx context.Context, key, model string, req *gemini.GenerateContentRequest) (*gemini.GenerateContentResponse, error) {
	resp, err := c.Client.Generate(ctx, key, model, req)
	c.count(key, err)
	return resp, err
}

func (c *countingUpstream) Stream(ctx context.Context, key, model string, req *gemini.GenerateContentRequest) (*gemini.Stream, error) {
	st, err := c.Client.Stream(ctx, key, model, req)
	c.count(key, err)
	return st, err
}

// simEnv is Hagemi with a quota-aware pool over a fake Google that
// enforces fakeKey's RPM and RPD on every project, both on clock. With
// projects > 0, key i belongs to project i%projects, else to itself.
type simEnv struct {
	clock *simClock
	pool  *domain.Pool
	up    *countingUpstream
	srv   *httptest.Server
	keys  []string
}

func newSimEnv(t *testing.T, limitsJSON string, keys, projects int, fakeKey geminitest.Key) *simEnv {
	t.Helper()
	clock := &simClock{t: time.Date(2026, 6, 10, 15, 0, 0, 0, time.UTC)} // 08:00 PDT
	fake := geminitest.New(t, geminitest.WithClock(clock.Now), geminitest.WithoutRecording())
	limits, err := domain.LoadLimits(strings.NewReader(limitsJSON))
	if err != nil {
		t.Fatal(err)
	}
	e := &simEnv{clock: clock}
	var specs []domain.KeySpec
	for i := range keys {
		k := testKey(100 + i)
		if projects > 0 {
			fakeKey.Project = fmt.Sprintf("project-%d", i%projects)
		}
		fake.AddKey(k, fakeKey)
		specs = append(specs, domain.KeySpec{Secret: k, Project: fakeKey.Project})
		e.keys = append(e.keys, k)
	}
	e.pool = domain.NewPool(specs, clock.Now, domain.WithLimits(limits))
	client := &gemini.Client{HTTP: gemini.NewHTTPClient(30 * time.Second), BaseURL: fake.URL}
	e.up = &countingUpstream{Client: client, served: map[string]int{}}
	catalog := gemini.NewCatalog(client, e.pool.Secrets)
	if err := catalog.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(handlers.New(handlers.Deps{
		Log:             slog.New(slog.NewTextHandler(io.Discard, nil)),
		Upstream:        e.up,
		Catalog:         catalog,
		Pool:            e.pool,
		Credentials:     handlers.NewCredentials(adminSecret, []string{userSecret}, nil),
		KeyLimiter:      domain.NewClientLimiter(0, 0),
		MaxBodyBytes:    1 << 20,
		RequestTimeout:  30 * time.Second,
		Heartbeat:       time.Minute,
		SafetyThreshold: "BLOCK_NONE",
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// burst sends n chat requests at once (every fourth a stream) and returns
// how many were answered.
func (e *simEnv) burst(t *testing.T, n int) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range n {
		wg.Go(func() {
			body := `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}],"stream":` +
				map[bool]string{true: "true", false: "false"}[i%4 == 3] + `}`
			req, _ := http.NewRequest("POST", e.srv.URL+"/v1/chat/completions", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+userSecret)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			text, _ := io.ReadAll(resp.Body)
			switch {
			case resp.StatusCode == 200 && !strings.Contains(string(text), `"error"`):
				mu.Lock()
				ok++
				mu.Unlock()
			case resp.StatusCode != 429:
				t.Errorf("status %d: %s", resp.StatusCode, text)
			}
		})
	}
	wg.Wait()
	return ok
}

// TestPoolSimulation drives more load than the keys can carry through the
// real handler, client and a fake Google that enforces RPM and RPD per
// project like Google does, all on one simulated clock, and measures what
// the pool gets out of the free tier: (a) requests served over the
// theoretical capacity, (b) 429s over upstream calls, (c) the spread of
// successes over keys.
func TestPoolSimulation(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	const (
		keys    = 6
		rpm     = 5
		length  = 30 * time.Minute
		step    = 2 * time.Second
		perStep = 2 // a request every second: twice the 0.5/s six keys carry at 5 RPM
	)
	known := `{"gemini-2.5-flash": {"rpm": 5, "tpm_input": 250000, "rpd": %d}}`
	unknown := `{"gemini-2.5-flash": {"rpm": null, "tpm_input": null, "rpd": null, "tpd_input": null}}`
	tests := []struct {
		name     string
		limits   string
		rpd      int // 140 binds just before the RPM capacity (150 in 30 minutes) does
		projects int
		max429   float64
	}{
		{"limits known", fmt.Sprintf(known, 140), 140, 0, 0.01},
		{"minute limit only", fmt.Sprintf(known, 0), 0, 0, 0.01},
		{"two keys per project", fmt.Sprintf(known, 140), 140, 3, 0.01},
		{"limits learned from 429s", unknown, 140, 0, 0.05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSimEnv(t, tt.limits, keys, tt.projects, geminitest.Key{RPM: rpm, RPD: tt.rpd})
			offered, served := 0, 0
			for elapsed := time.Duration(0); elapsed < length; elapsed += step {
				served += e.burst(t, perStep)
				offered += perStep
				e.clock.Add(step)
			}
			perProject := rpm * int((length+time.Minute-1)/time.Minute)
			if tt.rpd > 0 {
				perProject = min(perProject, tt.rpd)
			}
			projects := keys
			if tt.projects > 0 {
				projects = tt.projects
			}
			capacity := projects * perProject
			minKey, maxKey := 1<<30, 0
			for _, k := range e.keys {
				minKey, maxKey = min(minKey, e.up.served[k]), max(maxKey, e.up.served[k])
			}
			fraction := float64(served) / float64(capacity)
			rate429 := float64(e.up.limited) / float64(e.up.calls)
			spread := float64(maxKey) / float64(max(minKey, 1))
			t.Logf("offered %d, served %d of capacity %d = %.1f%%; upstream calls %d, 429s %d = %.2f%%; per key %d..%d, spread %.2f",
				offered, served, capacity, 100*fraction, e.up.calls, e.up.limited, 100*rate429, minKey, maxKey, spread)
			if testing.Verbose() {
				t.Logf("\n%s", e.pool.UsageReport(e.clock.Now()).Text())
			}
			if fraction < 0.98 {
				t.Errorf("served %.1f%% of capacity; want ≥ 98%%", 100*fraction)
			}
			if rate429 > tt.max429 {
				t.Errorf("429s are %.2f%% of upstream calls; want ≤ %.0f%%", 100*rate429, 100*tt.max429)
			}
			if spread > 1.2 {
				t.Errorf("spread max/min = %.2f; want ≤ 1.2", spread)
			}
			if got := e.pool.UsageReport(e.clock.Now()).Models[0].Limits; got.RPM != rpm || got.RPD != int64(tt.rpd) {
				t.Errorf("limits in force %+v; want RPM %d, RPD %d", got, rpm, tt.rpd)
			}
		})
	}
}

// TestConcurrentRequestsNeverOversubscribe fires 30 requests at once at 6
// keys × 3 RPM: exactly 18 reach Google, and none of them gets a 429.
func TestConcurrentRequestsNeverOversubscribe(t *testing.T) {
	e := newSimEnv(t, `{"gemini-2.5-flash": {"rpm": 3}}`, 6, 0, geminitest.Key{RPM: 3})
	served := e.burst(t, 30)
	if served != 18 || e.up.calls != 18 || e.up.limited != 0 {
		t.Errorf("served %d, upstream calls %d, 429s %d; want 18, 18, 0", served, e.up.calls, e.up.limited)
	}
	for _, k := range e.keys {
		if n := e.up.served[k]; n != 3 {
			t.Errorf("key %s served %d; want 3", k[len(k)-4:], n)
		}
	}
}
