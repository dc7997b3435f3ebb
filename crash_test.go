package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain/gemini/geminitest"
	"github.com/hagemi/hagemi/domain/memory"
	"github.com/hagemi/hagemi/handlers"
	"github.com/hagemi/hagemi/sqlstore"
)

// TestCrashChild is the server process of TestKillDuringLoadLosesNothing;
// it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	if os.Getenv("HAGEMI_CRASH_CHILD") != "1" {
		t.Skip("only runs as the child of TestKillDuringLoadLosesNothing")
	}
	run(context.Background(), []string{"hagemi", "-env-file="}, os.Getenv, os.Stderr)
}

// TestKillDuringLoadLosesNothing kills a file-mode server with SIGKILL while
// clients are talking to it: every conversation a client saw answered must
// be in the database after the crash.
func TestKillDuringLoadLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	key := "AIzaSyCRASHTEST00000000000000000000000001"
	fake := geminitest.New(t, geminitest.WithKey(key, geminitest.Key{}), geminitest.WithoutRecording())
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "hagemi.db")
	// The fake has no quota; neither may the pool's free-tier table.
	limits := filepath.Join(dir, "limits.json")
	os.WriteFile(limits, []byte(`{"gemini-2.5-flash": {"rpm": null, "rpd": null, "tpm_input": null, "tpd_input": null}}`), 0o600)
	port := freePort(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), "HAGEMI_CRASH_CHILD=1", "HOST=127.0.0.1", fmt.Sprint("PORT=", port),
		"GEMINI_BASE_URL="+fake.URL, "GEMINI_API_KEYS="+key, "PASSWORD=crash-pw", "CONTEXT_DB_PATH="+dbPath,
		"MAX_REQUESTS_PER_MINUTE=0", "MAX_REQUESTS_PER_DAY_PER_IP=0", "LOG_DIR="+t.TempDir(), "MODEL_LIMITS_FILE="+limits)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHealthy(t, base)

	var mu sync.Mutex
	answered := map[string]bool{}
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				conv := fmt.Sprintf("w%d-c%d", w, i)
				req, _ := http.NewRequest("POST", base+"/v1/chat/completions", strings.NewReader(
					`{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"remember `+conv+`"}]}`))
				req.Header.Set("Authorization", "Bearer crash-pw")
				req.Header.Set("X-Conversation-ID", conv)
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				ok := resp.StatusCode == 200
				resp.Body.Close()
				if ok {
					mu.Lock()
					answered[conv] = true
					mu.Unlock()
				}
			}
		})
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(answered)
		mu.Unlock()
		if n >= 200 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	wg.Wait()

	store, err := sqlstore.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	defer store.Close()
	p, _ := handlers.NewCredentials("", []string{"crash-pw"}, nil).Authenticate(context.Background(), "crash-pw")
	missing := 0
	for conv := range answered {
		contents, err := store.LoadConversation(context.Background(), p.Owner, conv, 0)
		if err != nil || memory.Exchanges(contents) != 1 || contents[len(contents)-1].Role != "model" {
			missing++
		}
	}
	t.Logf("answered before SIGKILL: %d, missing after restart: %d", len(answered), missing)
	if len(answered) == 0 || missing > 0 {
		t.Errorf("answered %d, missing %d", len(answered), missing)
	}
}
