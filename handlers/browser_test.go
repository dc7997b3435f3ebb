package handlers_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/openai/openai-go/v3"
)

// chromiumPath is Debian's Chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

var updateScreenshots = flag.Bool("update-screenshots", false, "rewrite testdata/screenshots/dashboard.png (linked from the README)")

// newChrome starts a headless Chromium for one test. Without Chromium the
// test is skipped, except on CI, where that is a broken setup.
func newChrome(t *testing.T, scripts bool) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is missing: %v", chromiumPath, err)
		}
		t.Skipf("no %s; install Debian's chromium to run the browser tests", chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox, // root in containers cannot use the sandbox
		chromedp.UserDataDir(profileDir(t)),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTime)
	watchConsole(t, ctx)
	if !scripts {
		// Set on the tab before any page loads: the pages must work as plain
		// HTML forms.
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	return ctx
}

// watchConsole fails the test on an uncaught exception or a Content
// Security Policy violation: htmx or a page doing something the policy
// forbids would only show up there.
func watchConsole(t *testing.T, ctx context.Context) {
	messages := chromedp.Console(ctx)
	var mu sync.Mutex
	var bad []string
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				mu.Lock()
				bad = append(bad, m.String())
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range bad {
			t.Errorf("browser console: %s", m)
		}
	})
}

// profileDir is Chromium's profile directory. Its helper processes can
// still write there for a moment after the browser stops, so removal is
// retried (a plain t.TempDir fails the test with "directory not empty").
func profileDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "hagemi-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return dir
}

// artefacts is where screenshots go: $ARTIFACTS_DIR when set (CI keeps it),
// else a temporary directory.
func artefacts(t *testing.T) string {
	if dir := os.Getenv("ARTIFACTS_DIR"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// shoot saves a PNG of the whole page.
func shoot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// navigate loads url and returns its status.
func navigate(t *testing.T, ctx context.Context, url string) int64 {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	return resp.Status
}

// submit clicks a button that leads to a new page (a plain form post and
// its 303) and waits for that page.
func submit(t *testing.T, ctx context.Context, button string) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(button, chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("submit %s: %v", button, err)
	}
	return resp.Status
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel, chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func browserLogin(t *testing.T, ctx context.Context, base, secret string) {
	t.Helper()
	navigate(t, ctx, base+"/login")
	if err := chromedp.Do(ctx, chromedp.SendKeys("#secret", secret, chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	if status := submit(t, ctx, `main form[action="/login"] button[type=submit]`); status != 200 {
		t.Fatalf("login landed on a %d page", status)
	}
}

// v1Refuses reports whether /v1 answers 401 to secret.
func v1Refuses(t *testing.T, base, secret string) bool {
	client := newClient(base, secret)
	_, err := client.Models.List(context.Background())
	var apiErr *openai.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == 401
}
