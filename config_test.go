package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	c, warns, err := loadConfig(envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 7860 || c.Host != "0.0.0.0" || c.RequestsPerMinute != 30 || c.RequestsPerDayPerIP != 600 {
		t.Errorf("defaults = %+v", c)
	}
	if c.RequestTimeout != 600*time.Second || c.MaxRequestBodyBytes != 32<<20 || c.ShutdownGrace != 30*time.Second {
		t.Errorf("timeouts = %+v", c)
	}
	if c.GeminiBaseURL != "https://generativelanguage.googleapis.com" || !c.AllowRemoteImages {
		t.Errorf("upstream = %q remote=%v", c.GeminiBaseURL, c.AllowRemoteImages)
	}
	joined := strings.Join(warns, "\n")
	for _, want := range []string{"GEMINI_API_KEYS", "ADMIN_API_KEY", "SECRET_KEY", "503"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings lack %q:\n%s", want, joined)
		}
	}
}

func TestLoadConfigReportsEveryProblem(t *testing.T) {
	_, _, err := loadConfig(envMap(map[string]string{
		"PORT":                     "seventy",
		"MAX_REQUESTS_PER_MINUTE":  "-1",
		"DISABLE_SAFETY_FILTERING": "maybe",
		"TRUSTED_PROXIES":          "10.0.0.0/8, nonsense",
		"SECRET_KEY":               "placeholder_strong_secret_key_please_replace_me_12345",
		"DATABASE_URL":             "mysql://db/hagemi",
		"REDIS_URL":                "localhost:6379",
	}))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"PORT", "MAX_REQUESTS_PER_MINUTE", "DISABLE_SAFETY_FILTERING", "nonsense", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestGeminiKeysParsing(t *testing.T) {
	k1 := "AIzaSyA0000000000000000000000000000000a"
	k2 := "AIzaSyB0000000000000000000000000000000b"
	c, warns, err := loadConfig(envMap(map[string]string{
		"GEMINI_API_KEYS": k1 + ",\n  proj-b:" + k2 + " " + k1 + "\nnot-a-key-at-all",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.GeminiKeys) != 3 {
		t.Fatalf("keys = %d; want 3 (deduplicated)", len(c.GeminiKeys))
	}
	if c.GeminiKeys[1].Project != "proj-b" || c.GeminiKeys[1].Secret != k2 {
		t.Errorf("labelled key = %+v", c.GeminiKeys[1])
	}
	joined := strings.Join(warns, "\n")
	if !strings.Contains(joined, "does not look like a Gemini key") {
		t.Errorf("no warning for the malformed entry: %s", joined)
	}
	if strings.Contains(joined, "not-a-key-at-all") {
		t.Error("a malformed key was printed in full")
	}
}

func TestDotEnvRealEnvironmentWins(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	os.WriteFile(path, []byte("# comment\nexport PORT=9000\nPASSWORD=\"a,b\" # two users\nHOST='127.0.0.1'\n"), 0o600)
	file, err := readDotEnv(path)
	if err != nil {
		t.Fatal(err)
	}
	get := withDotEnv(envMap(map[string]string{"PORT": "9100"}), file)
	if get("PORT") != "9100" || get("PASSWORD") != "a,b" || get("HOST") != "127.0.0.1" {
		t.Errorf("PORT=%q PASSWORD=%q HOST=%q", get("PORT"), get("PASSWORD"), get("HOST"))
	}
	if m, err := readDotEnv(filepath.Join(dir, "missing")); err != nil || m != nil {
		t.Errorf("missing file = %v, %v", m, err)
	}
}
