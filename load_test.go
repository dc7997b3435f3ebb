package main

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

// The load suite drives a Hagemi child process against the in-process Gemini
// stand-in and compares it with a bare httputil.ReverseProxy and with the
// stand-in called directly. It never asserts speed, only that requests
// succeed and the child survives. It is slow, so it runs only when asked:
//
//	HAGEMI_LOAD=1 go test -run '^TestLoad$' -v -timeout 20m .
//
// Hagemi is measured with memory off (X-Context: off) and on (each client
// its own conversations of ten exchanges). Open streams are held twice in a
// row, since the second wave reuses freed memory. HAGEMI_LOAD_SECONDS
// (default 5) sets each measurement's length, HAGEMI_LOAD_STREAMS (default
// 10000) the open streams; RLIMIT_NOFILE may lower that (four sockets a
// stream across the processes).

const (
	loadPassword = "load-pw"
	loadOpenAI   = `{"model":"gemini-2.5-flash","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Why is the sky blue? Answer in one sentence."}]}`
	loadGemini   = `{"systemInstruction":{"parts":[{"text":"Be brief."}]},"contents":[{"role":"user","parts":[{"text":"Why is the sky blue? Answer in one sentence."}]}],"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}]}`
	loadLast     = "blue scatters most." // the last chunk: its arrival means the whole answer did
)

// loadPaths are the ways to the stand-in that are compared.
var loadPaths = []string{"Hagemi, memory off", "Hagemi, memory on", "bare ReverseProxy", "direct"}

var loadKeys = []string{"AIzaSyLOADTEST000000000000000000000000001", "AIzaSyLOADTEST000000000000000000000000002",
	"AIzaSyLOADTEST000000000000000000000000003", "AIzaSyLOADTEST000000000000000000000000004"}

// target is one way to ask the stand-in the same question. With conv set,
// each client keeps its own conversations of ten exchanges (Hagemi's memory);
// otherwise every client would grow the one default conversation forever.
type target struct {
	path, url, body, conv string
	header                http.Header
}

// result is one bounded run against a target.
type result struct {
	ok, failed int
	elapsed    time.Duration
	lat        []time.Duration // sorted
	firstErr   error
}

func (r result) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[int(float64(len(r.lat)-1)*p)]
}

func TestLoad(t *testing.T) {
	only := os.Getenv("HAGEMI_LOAD")
	if only != "1" && only != "streams" {
		t.Skip("set HAGEMI_LOAD=1 to run the load suite (HAGEMI_LOAD=streams: only the open streams)")
	}
	fdLimit := raiseFileLimit(t) // before the children start: they inherit the limit
	if only == "streams" {
		mem := streamMemory(t, fdLimit)
		t.Logf("open streams:\n\n%s", loadTable(nil, mem))
		return
	}
	fake := geminitest.New(t, geminitest.WithAnyKey(), geminitest.WithoutRecording())
	fake.Handle("gemini-2.5-flash", func(r geminitest.Request) geminitest.Reply {
		rep := geminitest.Reply{Chunks: []string{"Sunlight ", "scatters off ", "air molecules; ", loadLast}}
		if strings.Contains(r.LastUserText(), "hold") {
			rep.StallAfter = 1 // an open stream: one chunk, then silence until the client leaves
		}
		return rep
	})
	child := startLoadChild(t, "hagemi", fake.URL)
	bare, stopBare := bareLoadProxy(t, fake.URL)
	idleRSS, _ := child.memory(t)

	dur := time.Duration(envInt("HAGEMI_LOAD_SECONDS", 5)) * time.Second
	auth := "Bearer " + loadPassword
	got := map[cell]result{}
	for _, mode := range []string{"non-stream", "stream"} {
		openai, method := loadOpenAI, ":generateContent"
		if mode == "stream" {
			openai, method = strings.Replace(loadOpenAI, `{`, `{"stream":true,`, 1), ":streamGenerateContent?alt=sse"
		}
		targets := []target{
			{loadPaths[0], child.base + "/v1/chat/completions", openai, "", loadHeader("Authorization", auth, "X-Context", "off")},
			{loadPaths[1], child.base + "/v1/chat/completions", openai, mode, loadHeader("Authorization", auth)},
			{loadPaths[2], bare + "/v1beta/models/gemini-2.5-flash" + method, loadGemini, "", loadHeader("Authorization", auth)},
			{loadPaths[3], fake.URL + "/v1beta/models/gemini-2.5-flash" + method, loadGemini, "", loadHeader("X-Goog-Api-Key", loadKeys[0])},
		}
		clients := make([]*http.Client, len(targets))
		for i, tg := range targets {
			clients[i] = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
			measure(clients[i], tg, 64, time.Second) // warm-up: connections and pools
		}
		for _, n := range []int{1, 64} {
			for i, tg := range targets {
				r := measure(clients[i], tg, n, dur)
				child.alive(t)
				got[cell{tg.path, mode, n}] = r
				t.Logf("%-18s %-10s %2d clients: %6.0f req/s  p50 %v  p99 %v  failed %d (first: %v)", tg.path, mode, n,
					r.rate(), r.pct(.5), r.pct(.99), r.failed, r.firstErr)
				if r.failed*100 > r.ok+r.failed {
					t.Errorf("%s, %s, %d clients: %d of %d requests failed; first: %v", tg.path, mode, n,
						r.failed, r.ok+r.failed, r.firstErr)
				}
			}
		}
		for _, c := range clients { // the open streams need the file descriptors
			c.CloseIdleConnections()
		}
	}
	stopBare()
	busyRSS, _ := child.memory(t)
	mem := streamMemory(t, fdLimit)
	t.Logf("results (%v a run, %d CPUs, all on 127.0.0.1; Hagemi's RSS idle %s MB, after the runs %s MB):\n\n%s",
		dur, runtime.NumCPU(), mb(idleRSS), mb(busyRSS), loadTable(got, mem))
}

// cell names one measurement.
type cell struct {
	path, mode string
	clients    int
}

// loadTable renders the results as a markdown table for the README.
func loadTable(got map[cell]result, mem streamsMemory) string {
	var b strings.Builder
	b.WriteString("| Measurement | " + strings.Join(loadPaths, " | ") + " |\n|---|---|---|---|---|\n")
	row := func(name string, f func(path string) string) {
		b.WriteString("| " + name)
		for _, p := range loadPaths {
			b.WriteString(" | " + f(p))
		}
		b.WriteString(" |\n")
	}
	failed, total := map[string]int{}, map[string]int{}
	for c, r := range got {
		failed[c.path] += r.failed
		total[c.path] += r.ok + r.failed
	}
	for _, mode := range []string{"non-stream", "stream"} {
		for _, n := range []int{1, 64} {
			label := fmt.Sprintf("%s, %d client%s", mode, n, map[bool]string{true: "s"}[n > 1])
			row(label+": throughput", func(p string) string { return fmt.Sprintf("%.0f req/s", got[cell{p, mode, n}].rate()) })
			row(label+": latency p50 / p99", func(p string) string {
				r := got[cell{p, mode, n}]
				return fmt.Sprintf("%.2f / %.2f ms", msf(r.pct(.5)), msf(r.pct(.99)))
			})
			row(label+": added p50 / p99 vs direct", func(p string) string {
				if p == "direct" {
					return "—"
				}
				r, d := got[cell{p, mode, n}], got[cell{"direct", mode, n}]
				return fmt.Sprintf("%+.2f / %+.2f ms", msf(r.pct(.5)-d.pct(.5)), msf(r.pct(.99)-d.pct(.99)))
			})
		}
	}
	row("failed requests", func(p string) string { return fmt.Sprintf("%d of %d", failed[p], total[p]) })
	memRow := func(name string, f func(w [2]held) string) {
		row(name, func(p string) string {
			if w, ok := mem.waves[p]; ok {
				return f(w)
			}
			return "—"
		})
	}
	memRow(fmt.Sprintf("%d open streams: RSS, first / second wave", mem.n), func(w [2]held) string {
		return mb(w[0].rss) + " / " + mb(w[1].rss) + " MB"
	})
	memRow("peak RSS (target ≤ 300 MB at 10,000 streams)", func(w [2]held) string { return mb(w[1].hwm) + " MB" })
	row(fmt.Sprintf("%d open streams from HTTP/2 clients: RSS, first / second wave", mem.n), func(p string) string {
		if p != loadPaths[1] || mem.h2c[0].n == 0 {
			return "—"
		}
		return mb(mem.h2c[0].rss) + " / " + mb(mem.h2c[1].rss) + " MB"
	})
	memRow("RSS per open stream, first / second wave", func(w [2]held) string {
		return fmt.Sprintf("%.0f / %.0f kB", w[0].perStream(), w[1].perStream())
	})
	if mem.n < mem.want {
		memRow(fmt.Sprintf("%d open streams: RSS extrapolated, first / second wave", mem.want), func(w [2]held) string {
			return fmt.Sprintf("≈ %.0f / %.0f MB", w[0].scaled(mem.want), w[1].scaled(mem.want))
		})
	}
	memRow("second wave: goroutines, Go heap / stacks in use", func(w [2]held) string { return w[1].runtime })
	return b.String()
}

// measure sends the target's request from clients goroutines, each in a
// loop, until d has passed.
func measure(c *http.Client, tg target, clients int, d time.Duration) result {
	var mu sync.Mutex
	var res result
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			var lat []time.Duration
			failed := 0
			var first error
			for i := 0; time.Now().Before(deadline); i++ {
				t0 := time.Now()
				if err := call(c, tg, fmt.Sprintf("%s-%d-%d-%d", tg.conv, clients, w, i/10)); err != nil {
					failed++
					first = cmp.Or(first, err)
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			defer mu.Unlock()
			res.lat = append(res.lat, lat...)
			res.failed += failed
			res.firstErr = cmp.Or(res.firstErr, first)
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.ok = len(res.lat)
	slices.Sort(res.lat)
	return res
}

// call makes one request and reads the whole answer.
func call(c *http.Client, tg target, conv string) error {
	req, _ := http.NewRequest("POST", tg.url, strings.NewReader(tg.body))
	req.Header = tg.header.Clone()
	if tg.conv != "" {
		req.Header.Set("X-Conversation-ID", conv)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return err
	case resp.StatusCode != 200:
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, body)
	case !strings.Contains(string(body), loadLast):
		return fmt.Errorf("incomplete answer: %.200s", body)
	}
	return nil
}

// bareLoadProxy is the baseline: a reverse proxy that only swaps the
// credential, with an idle pool as large as Hagemi's upstream client's.
func bareLoadProxy(t *testing.T, upstream string) (string, func()) {
	h, tr := bareHandler(upstream)
	srv := httptest.NewServer(h)
	stop := func() { srv.Close(); tr.CloseIdleConnections() }
	t.Cleanup(stop)
	return srv.URL, stop
}

func bareHandler(upstream string) (http.Handler, *http.Transport) {
	target, _ := url.Parse(upstream)
	tr := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 256}
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Header.Del("Authorization")
			r.Out.Header.Set("x-goog-api-key", loadKeys[0])
		},
		Transport:     tr,
		FlushInterval: -1,
	}, tr
}

func loadHeader(kv ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func mb(kb int) string            { return strconv.Itoa(kb / 1024) }
