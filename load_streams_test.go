package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain/gemini/geminitest"
)

// TestLoadChild is a server process of TestLoad, separate so that its memory
// can be read without the load generator's: Hagemi, or with
// HAGEMI_LOAD_CHILD=bare the bare reverse proxy, or =relay the minimal
// relay. It does nothing in a normal run.
func TestLoadChild(t *testing.T) {
	switch os.Getenv("HAGEMI_LOAD_CHILD") {
	case "hagemi":
		if err := run(context.Background(), []string{"hagemi", "-env-file="}, os.Getenv, os.Stderr); err != nil {
			t.Fatal(err)
		}
	case "relay":
		t.Fatal(http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), relayHandler(os.Getenv("GEMINI_BASE_URL"))))
	case "bare":
		h, _ := bareHandler(os.Getenv("GEMINI_BASE_URL"))
		t.Fatal(http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), h))
	default:
		t.Skip("only runs as a child of TestLoad")
	}
}

// loadChild is a running server child process.
type loadChild struct {
	base, console string
	pid           int
	done          chan struct{} // closed when the process has exited
	err           error
}

// startLoadChild runs kind ("hagemi" or "bare") in front of upstream. Hagemi
// gets the defaults a user gets, except that nothing limits the load: no
// per-IP limits and no free-tier model limits.
func startLoadChild(t *testing.T, kind, upstream string, env ...string) *loadChild {
	dir := t.TempDir()
	limits := filepath.Join(dir, "limits.json")
	os.WriteFile(limits, []byte(`{"gemini-2.5-flash": {"rpm": null, "rpd": null, "tpm_input": null, "tpd_input": null}}`), 0o600)
	console, err := os.Create(filepath.Join(dir, "console.log"))
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadChild$", "-test.timeout=0")
	cmd.Env = append(os.Environ(), "HAGEMI_LOAD_CHILD="+kind, "HOST=127.0.0.1", fmt.Sprint("PORT=", port),
		"GEMINI_BASE_URL="+upstream, "GEMINI_API_KEYS="+strings.Join(loadKeys, ","), "PASSWORD="+loadPassword,
		"MAX_REQUESTS_PER_MINUTE=0", "MAX_REQUESTS_PER_DAY_PER_IP=0", "MODEL_LIMITS_FILE="+limits,
		"LOG_DIR="+filepath.Join(dir, "logs"), "STREAM_HEARTBEAT_SECONDS=60")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = console, console
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // no orphan if the test is killed
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &loadChild{base: fmt.Sprintf("http://127.0.0.1:%d", port), console: console.Name(),
		pid: cmd.Process.Pid, done: make(chan struct{})}
	go func() { c.err = cmd.Wait(); close(c.done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-c.done; console.Close() })
	if kind == "hagemi" {
		waitHealthy(t, c.base)
		return c
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if resp, err := http.Get(c.base); err == nil { // the stand-in's or the relay's 404: up
			resp.Body.Close()
			return c
		} else if time.Now().After(deadline) {
			t.Fatalf("the bare proxy did not start: %v", err)
		}
	}
}

// alive fails the test, with the child's last console lines, if it exited.
func (c *loadChild) alive(t *testing.T) {
	t.Helper()
	select {
	case <-c.done:
		out, _ := os.ReadFile(c.console)
		t.Fatalf("the child server died: %v\n%s", c.err, out[max(0, len(out)-4000):])
	default:
	}
}

// memory reads the child's resident set and its peak, in kB.
func (c *loadChild) memory(t *testing.T) (rss, hwm int) {
	t.Helper()
	c.alive(t)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.pid))
	if err != nil {
		t.Fatalf("reading the child's memory: %v", err)
	}
	for line := range strings.Lines(string(status)) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			rss, _ = strconv.Atoi(f[1])
		} else if len(f) >= 2 && f[0] == "VmHWM:" {
			hwm, _ = strconv.Atoi(f[1])
		}
	}
	return rss, hwm
}

// raiseFileLimit lifts RLIMIT_NOFILE as far as allowed and returns it.
// Calling Setrlimit makes exec pass the new limit on to the children.
func raiseFileLimit(t *testing.T) int {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		t.Fatal(err)
	}
	want := max(l.Max, 65536)
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: want, Max: want}) != nil {
		// Without CAP_SYS_RESOURCE the hard limit is the ceiling.
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: l.Max, Max: l.Max})
	}
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	return int(l.Cur)
}

// streamsMemory is what open streams cost Hagemi and the bare proxy.
type streamsMemory struct {
	n, want int
	waves   map[string][2]held // by loadPaths entry
	h2c     [2]held            // Hagemi, memory on, clients speaking HTTP/2 without TLS
}

// held is what one wave of open streams cost a child.
type held struct {
	n, base, rss, hwm int // kB, but n; base is the RSS before the first wave
	runtime           string
}

func (h held) perStream() float64 { return float64(h.rss-h.base) / float64(h.n) }

// scaled extrapolates the RSS linearly to a number of streams, in MB.
func (h held) scaled(streams int) float64 {
	return (float64(h.base) + h.perStream()*float64(streams)) / 1024
}

// streamMemory holds streams open through Hagemi (memory on, the default,
// each in its own conversation) and through the bare proxy, each a fresh
// child, in two waves: the second reuses memory the first freed, which Go
// then zeroes and so makes resident. Upstream is a stand-in speaking HTTP/2
// over TLS, as Google does, so streams share a few upstream connections;
// each stream costs one socket in the child and one here, so the file
// limit caps the count.
func streamMemory(t *testing.T, fdLimit int) streamsMemory {
	fake := geminitest.New(t, geminitest.WithAnyKey(), geminitest.WithoutRecording(), geminitest.WithTLS())
	fake.Handle("gemini-2.5-flash", func(geminitest.Request) geminitest.Reply {
		return geminitest.Reply{Chunks: []string{"Sunlight ", "scatters off "}, StallAfter: 1}
	})
	cert := filepath.Join(t.TempDir(), "stand-in.pem")
	if err := os.WriteFile(cert, fake.CertificatePEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	child := startLoadChild(t, "hagemi", fake.URL, "SSL_CERT_FILE="+cert)
	m := streamsMemory{want: envInt("HAGEMI_LOAD_STREAMS", 10_000), waves: map[string][2]held{}}
	if m.n = min(m.want, fdLimit-1000); m.n < m.want {
		t.Logf("RLIMIT_NOFILE %d allows %d of the %d streams", fdLimit, m.n, m.want)
	}
	hold := strings.Replace(strings.Replace(loadOpenAI, "Why is the sky blue?", "Please hold.", 1), `{`, `{"stream":true,`, 1)
	hagemiHold := func(ctx context.Context, i int) *http.Request {
		r, _ := http.NewRequestWithContext(ctx, "POST", child.base+"/v1/chat/completions", strings.NewReader(hold))
		r.Header = loadHeader("Authorization", "Bearer "+loadPassword, "X-Conversation-ID", fmt.Sprint("hold-", i))
		return r
	}
	m.waves[loadPaths[1]] = twoWaves(t, child, fake, m.n, false, hagemiHold)
	// The same through a fresh child, from clients speaking HTTP/2.
	child = startLoadChild(t, "hagemi", fake.URL, "SSL_CERT_FILE="+cert)
	m.h2c = twoWaves(t, child, fake, m.n, true, hagemiHold)
	// The floor: the least a Go gateway on net/http spends on a stream.
	relay := startLoadChild(t, "relay", fake.URL, "SSL_CERT_FILE="+cert)
	floor := twoWaves(t, relay, fake, m.n, false, func(ctx context.Context, i int) *http.Request {
		r, _ := http.NewRequestWithContext(ctx, "POST", relay.base+"/", strings.NewReader(hold))
		return r
	})
	t.Logf("minimal net/http relay, %d open streams: RSS %s / %s MB (first / second wave)", m.n, mb(floor[0].rss), mb(floor[1].rss))
	bare := startLoadChild(t, "bare", fake.URL, "SSL_CERT_FILE="+cert)
	hold = strings.Replace(loadGemini, "Why is the sky blue?", "Please hold.", 1)
	m.waves[loadPaths[2]] = twoWaves(t, bare, fake, m.n, false, func(ctx context.Context, i int) *http.Request {
		r, _ := http.NewRequestWithContext(ctx, "POST", bare.base+"/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
			strings.NewReader(hold))
		r.Header = loadHeader("Authorization", "Bearer "+loadPassword)
		return r
	})
	return m
}

// twoWaves holds n streams open through child twice in a row.
func twoWaves(t *testing.T, child *loadChild, fake *geminitest.Server, n int, h2c bool, req func(ctx context.Context, i int) *http.Request) [2]held {
	base, _ := child.memory(t)
	return [2]held{holdStreams(t, child, fake, base, n, h2c, req), holdStreams(t, child, fake, base, n, h2c, req)}
}

// holdStreams holds n streams open through a child, each answered with one
// chunk and then silence, reads the child's memory once every stream has its
// first chunk, and closes them. req makes stream i's request.
func holdStreams(t *testing.T, child *loadChild, fake *geminitest.Server, base, n int, h2c bool, req func(ctx context.Context, i int) *http.Request) held {
	h := held{n: n, base: base}
	tr := &http.Transport{MaxConnsPerHost: 0, MaxIdleConns: n, MaxIdleConnsPerHost: n,
		ResponseHeaderTimeout: time.Minute} // Hagemi sends headers with the first chunk
	if h2c { // HTTP/2 without TLS: streams share connections
		tr.Protocols = new(http.Protocols)
		tr.Protocols.SetUnencryptedHTTP2(true)
	}
	c := &http.Client{Transport: tr}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ready, failed atomic.Int64
	var errOnce sync.Once
	var firstErr error
	sem := make(chan struct{}, 128) // opening in batches keeps the listen backlog from overflowing
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			resp, err := firstChunk(c, req(ctx, i))
			<-sem
			if err != nil {
				failed.Add(1)
				errOnce.Do(func() { firstErr = err })
				return
			}
			ready.Add(1)
			<-ctx.Done()
			resp.Body.Close()
		})
	}
	for deadline := time.Now().Add(5 * time.Minute); ready.Load()+failed.Load() < int64(n); time.Sleep(50 * time.Millisecond) {
		child.alive(t)
		if time.Now().After(deadline) {
			t.Fatalf("after 5 minutes, %d of %d streams open, %d failed", ready.Load(), n, failed.Load())
		}
	}
	took := time.Since(start)
	h.rss, h.hwm = child.memory(t)
	h.runtime = runtimeStats(child.base)
	cancel()
	wg.Wait()
	c.CloseIdleConnections()
	if !fake.Wait(30*time.Second, func() bool { return fake.InFlight() == 0 }) {
		t.Errorf("%d upstream streams still open 30 s after their clients left", fake.InFlight())
	}
	child.alive(t)
	t.Logf("%d streams open in %v (%d failed); VmRSS %d kB, VmHWM %d kB; %s", ready.Load(), took.Round(time.Millisecond),
		failed.Load(), h.rss, h.hwm, h.runtime)
	if failed.Load()*100 > int64(n) {
		t.Errorf("%d of %d streams failed to open; first: %v", failed.Load(), n, firstErr)
	}
	return h
}

// firstChunk sends a streaming request and returns once its first content
// chunk has arrived.
func firstChunk(c *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	br := bufio.NewReaderSize(resp.Body, 512)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("stream ended before its first chunk: %w", err)
		}
		if strings.Contains(line, "Sunlight") {
			return resp, nil
		}
	}
}

// runtimeStats reads goroutines and Go memory from Hagemi's /metrics (open
// to loopback); the bare proxy has none.
func runtimeStats(base string) string {
	resp, err := http.Get(base + "/metrics")
	if err != nil || resp.StatusCode != 200 {
		return "—"
	}
	defer resp.Body.Close()
	v := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if name, val, ok := strings.Cut(sc.Text(), " "); ok {
			v[name], _ = strconv.ParseFloat(val, 64)
		}
	}
	return fmt.Sprintf("%.0f goroutines, %.0f / %.0f MB", v["go_goroutines"],
		v["go_memstats_heap_inuse_bytes"]/(1<<20), v["go_memstats_stack_inuse_bytes"]/(1<<20))
}

// relayHandler is the least a streaming gateway can be on net/http: it
// sends every POST / upstream as a fixed Gemini stream request over
// HTTP/2 and copies the answer through a 512-byte buffer, nothing else.
// TestLoad measures it as the floor under Hagemi's per-stream memory.
func relayHandler(upstream string) http.Handler {
	client := &http.Client{Transport: &http.Transport{ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 256}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" || r.Method != "POST" {
			http.NotFound(w, r)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), "POST", upstream+"/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", strings.NewReader(loadGemini))
		req.Header.Set("x-goog-api-key", loadKeys[0])
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", "text/event-stream")
		buf := make([]byte, 512)
		for {
			n, err := resp.Body.Read(buf)
			if n > 0 {
				w.Write(buf[:n])
				w.(http.Flusher).Flush()
			}
			if err != nil {
				return
			}
		}
	})
}
