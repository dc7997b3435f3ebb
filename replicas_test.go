package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini/geminitest"
	"github.com/hagemi/hagemi/sqlstore/sqltest"
)

// TestReplicaChild is a server process of TestTwoReplicasShareState; it
// does nothing in a normal run.
func TestReplicaChild(t *testing.T) {
	if os.Getenv("HAGEMI_REPLICA_CHILD") != "1" {
		t.Skip("only runs as a child of TestTwoReplicasShareState")
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() { // the parent ends us by closing our stdin
		io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	if err := run(ctx, []string{"hagemi", "-env-file="}, os.Getenv, os.Stderr); err != nil {
		t.Fatal(err)
	}
}

// replica is one server process.
type replica struct {
	base string
	log  *syncBuffer
}

func startReplica(t *testing.T, name string, env []string) replica {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestReplicaChild$")
	cmd.Env = append(os.Environ(), append(env, "HAGEMI_REPLICA_CHILD=1", "HOST=127.0.0.1",
		fmt.Sprint("PORT=", port), "REPLICA_NAME="+name, "LOG_DIR="+t.TempDir())...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	r := replica{base: fmt.Sprintf("http://127.0.0.1:%d", port), log: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = r.log, r.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close() // a graceful stop, so the child flushes and exits
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s log:\n%s", name, r.log.String())
		}
	})
	waitHealthy(t, r.base)
	return r
}

// chat posts one chat completion with credential and returns the status
// and body.
func (r replica) chat(t *testing.T, credential, model, conv, text string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", r.base+"/v1/chat/completions", strings.NewReader(
		`{"model":"`+model+`","messages":[{"role":"user","content":"`+text+`"}]}`))
	req.Header.Set("Authorization", "Bearer "+credential)
	if conv != "" {
		req.Header.Set("X-Conversation-ID", conv)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestTwoReplicasShareState runs two server processes on one PostgreSQL
// and one Redis, with no balancer: the test talks to each in turn.
func TestTwoReplicasShareState(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two child processes")
	}
	dbURL := sqltest.PostgresURL(t)
	redisURL := sqltest.RedisURL(t)
	good := "AIzaSyREPLICATEST0000000000000000000001"
	bad := "AIzaSyREPLICATEST0000000000000000000002"
	// Both keys allow 3 calls a minute of gemini-2.5-flash, at the fake
	// as in the pool's table: 6 calls in all, however they are spread.
	fake := geminitest.New(t, geminitest.WithKey(good, geminitest.Key{RPM: 3}), geminitest.WithKey(bad, geminitest.Key{RPM: 3}))
	limits := filepath.Join(t.TempDir(), "limits.json")
	os.WriteFile(limits, []byte(`{"gemini-2.5-flash": {"rpm": 3, "rpd": null, "tpm_input": null, "tpd_input": null},
		"gemini-2.0-flash": {"rpm": null, "rpd": null, "tpm_input": null, "tpd_input": null}}`), 0o600)
	env := []string{"DATABASE_URL=" + dbURL, "REDIS_URL=" + redisURL, "REDIS_PREFIX=" + sqltest.RedisPrefix(t),
		"GEMINI_BASE_URL=" + fake.URL, "GEMINI_API_KEYS=" + good + "," + bad, "PASSWORD=replica-pw",
		"ADMIN_API_KEY=replica-admin-key-0123456789", "SECRET_KEY=replica-session-secret-0123456789abcdef",
		"MAX_REQUESTS_PER_MINUTE=0", "MAX_REQUESTS_PER_DAY_PER_IP=0", "MODEL_LIMITS_FILE=" + limits}
	r1 := startReplica(t, "r1", env)
	r2 := startReplica(t, "r2", env)
	both := []replica{r1, r2}

	t.Run("a key's RPM holds across both", func(t *testing.T) {
		codes := map[int]int{}
		for i := range 10 {
			code, body := both[i%2].chat(t, "replica-pw", "gemini-2.5-flash", "", "hello")
			codes[code]++
			if code != 200 && code != 429 {
				t.Fatalf("call %d: %d %s", i, code, body)
			}
		}
		upstream := 0
		for _, rq := range fake.Requests() {
			if rq.Model == "gemini-2.5-flash" {
				upstream++
			}
		}
		if codes[200] != 6 || codes[429] != 4 || upstream != 6 {
			t.Fatalf("answers %v, %d calls reached Google; want 6×200 and 4×429 with 6 calls (RPM 3 × 2 keys)", codes, upstream)
		}
	})

	t.Run("a key found invalid on one is skipped by the other", func(t *testing.T) {
		fake.AddKey(good, geminitest.Key{})
		fake.AddKey(bad, geminitest.Key{Invalid: true}) // Google revokes it now
		before := fake.Calls(bad)
		for i := 0; fake.Calls(bad) == before && i < 4; i++ {
			if code, body := r1.chat(t, "replica-pw", "gemini-2.0-flash", "", "hi"); code != 200 {
				t.Fatalf("r1: %d %s", code, body)
			}
		}
		refusedAt := fake.Calls(bad)
		if refusedAt == before {
			t.Fatal("r1 never tried the revoked key")
		}
		time.Sleep(time.Second)
		for range 6 {
			if code, body := r2.chat(t, "replica-pw", "gemini-2.0-flash", "", "hi"); code != 200 {
				t.Fatalf("r2: %d %s", code, body)
			}
		}
		if n := fake.Calls(bad) - refusedAt; n != 0 {
			t.Fatalf("r2 used the key r1 found invalid %d times", n)
		}
	})

	t.Run("a conversation continues on the other replica", func(t *testing.T) {
		if code, body := r1.chat(t, "replica-pw", "gemini-2.0-flash", "shared-conv", "my name is Ada"); code != 200 {
			t.Fatalf("r1: %d %s", code, body)
		}
		if code, body := r2.chat(t, "replica-pw", "gemini-2.0-flash", "shared-conv", "what is my name?"); code != 200 {
			t.Fatalf("r2: %d %s", code, body)
		}
		reqs := fake.Requests()
		last := fmt.Sprint(reqs[len(reqs)-1].Body["contents"])
		if !strings.Contains(last, "my name is Ada") || !strings.Contains(last, "what is my name?") {
			t.Fatalf("r2 sent %s; want r1's turn before the new one", last)
		}
	})

	t.Run("a portal session, a disabled proxy key and Gemini key changes hold on both", func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		post := func(base, path string, form url.Values) (int, string) {
			resp, err := browser.PostForm(base+path, form) // follows the redirect
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		get := func(base, path string) (int, string) {
			resp, err := browser.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		post(r1.base, "/login", url.Values{"secret": {"replica-admin-key-0123456789"}})
		// The cookie r1 set is for 127.0.0.1, so the jar sends it to r2
		// too; r2 knows the session only from the shared database.
		code, page := post(r2.base, "/manage/keys", url.Values{"description": {"shared"}, "enabled": {"on"}, "memory": {"on"}})
		secret := regexp.MustCompile(`hk-[A-Za-z0-9_-]{20,}`).FindString(page)
		if code != 200 || secret == "" {
			t.Fatalf("creating a key on r2 with r1's session: %d, no new key shown:\n%s", code, page)
		}
		code, page = get(r1.base, "/manage/keys")
		id := regexp.MustCompile(`/manage/keys/(\d+)/toggle`).FindStringSubmatch(page)
		if code != 200 || id == nil {
			t.Fatalf("r1 /manage/keys: %d, the key r2 created is not listed:\n%s", code, page)
		}
		for _, r := range both {
			if code, body := r.chat(t, secret, "gemini-2.0-flash", "", "hi"); code != 200 {
				t.Fatalf("%s with the new key: %d %s", r.base, code, body)
			}
		}
		post(r1.base, "/manage/keys/"+id[1]+"/toggle", nil)
		for _, r := range both {
			if code, body := r.chat(t, secret, "gemini-2.0-flash", "", "hi"); code != 401 || !strings.Contains(body, "disabled") {
				t.Fatalf("%s with the disabled key: %d %s; want 401 saying it is disabled", r.base, code, body)
			}
		}

		// The admin disables the last working Gemini key on r1 and adds
		// another: r2 must follow at once.
		added := "AIzaSyREPLICATEST0000000000000000000003"
		fake.AddKey(added, geminitest.Key{})
		post(r1.base, "/manage/gemini/"+domain.KeyID(good)+"/toggle", nil)
		post(r1.base, "/manage/gemini/add", url.Values{"keys": {added}})
		time.Sleep(time.Second)
		goodBefore := fake.Calls(good)
		for range 4 {
			if code, body := r2.chat(t, "replica-pw", "gemini-2.0-flash", "", "hi"); code != 200 {
				t.Fatalf("r2 after the key changes on r1: %d %s", code, body)
			}
		}
		if n := fake.Calls(good) - goodBefore; n != 0 || fake.Calls(added) < 4 {
			t.Fatalf("r2 used the key disabled on r1 %d times and the key added on r1 %d times; want 0 and 4", n, fake.Calls(added))
		}
	})

	t.Run("healthz names the replica and its backends", func(t *testing.T) {
		for i, r := range both {
			resp, err := http.Get(r.base + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := fmt.Sprintf(`"replica":"r%d"`, i+1)
			if resp.StatusCode != 200 || !strings.Contains(string(b), want) || !strings.Contains(string(b), `"redis":"ok"`) ||
				!strings.Contains(string(b), `"database":"ok"`) {
				t.Fatalf("healthz: %d %s", resp.StatusCode, b)
			}
		}
	})
}
