package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/hagemi/hagemi/handlers"
)

func TestHealthzReportsBackends(t *testing.T) {
	down := func(context.Context) error { return errors.New("connection refused") }
	up := func(context.Context) error { return nil }
	for _, c := range []struct {
		name       string
		db, redis  func(context.Context) error
		wantStatus int
		wantBody   []string
	}{
		{"all up", up, up, 200, []string{`"status":"ok"`, `"redis":"ok"`, `"replica":"r7"`}},
		// Without Redis a replica still serves on its own counts.
		{"redis down", up, down, 200, []string{`"status":"degraded"`, `"redis":"unavailable"`}},
		{"database down", down, up, 503, []string{`"status":"degraded"`, `"database":"unavailable"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, []string{testKey(1)}, nil, func(d *handlers.Deps) {
				d.Health = map[string]handlers.HealthCheck{"database": {Check: c.db}, "redis": {Check: c.redis, Optional: true}}
				d.Replica = "r7"
			})
			resp, err := http.Get(e.srv.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp.Body)
			if resp.StatusCode != c.wantStatus {
				t.Errorf("status %d; want %d (%s)", resp.StatusCode, c.wantStatus, body)
			}
			for _, w := range c.wantBody {
				if !strings.Contains(body, w) {
					t.Errorf("body %s lacks %s", body, w)
				}
			}
			if strings.Contains(body, "refused") {
				t.Errorf("body %s shows the backend's error; /healthz is public", body)
			}
		})
	}
}
