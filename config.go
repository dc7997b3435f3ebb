package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/gemini"
	"github.com/hagemi/hagemi/sqlstore"
)

// config is every setting, read once from the environment at start.
// Defaults live here and nowhere else.
type config struct {
	Host                 string
	Port                 int
	GeminiKeys           []domain.KeySpec
	GeminiBaseURL        string
	Passwords            []string
	AdminKey             string
	SecretKey            string
	RequestsPerMinute    int
	RequestsPerDayPerIP  int
	DisableSafety        bool
	Debug                bool
	TrustedProxies       []netip.Prefix
	MaxRetries           int // 0 = every active key, capped at 5
	RequestTimeout       time.Duration
	MaxRequestBodyBytes  int64
	ShutdownGrace        time.Duration
	AllowRemoteImages    bool
	StreamHeartbeat      time.Duration
	ModelRefreshInterval time.Duration

	// Portal.
	ProtectStatusPage bool
	AccessTokenExpire time.Duration

	// ExtraModels are listed and accepted though the upstream list lacks them.
	ExtraModels []string

	// Key pool.
	ModelLimitsFile     string // MODEL_LIMITS_FILE; empty = app/data/model_limits.json if present
	KeyRecheckInterval  time.Duration
	UsageReportInterval time.Duration
	ReportLevel         slog.Level

	// Logs and metrics.
	LogDir         string
	LogJSON        bool
	LogMaxMB       int
	LogBackups     int
	LogRotation    string
	LogCleanupDays int
	MetricsToken   string

	// Storage and conversation memory.
	DBPath              string // CONTEXT_DB_PATH; empty = memory mode
	DatabaseURL         string // DATABASE_URL: postgres://… shared by replicas; overrides DBPath
	RedisURL            string // REDIS_URL: the replicas' shared counters, cooldowns and limits
	RedisPrefix         string // REDIS_PREFIX: namespace of every Redis key
	Replica             string // REPLICA_NAME: this process in logs, events and /metrics
	StreamSaveReply     bool
	AppendUnnamed       bool
	DefaultMaxContext   int
	ContextSafetyMargin int
	CleanupInterval     time.Duration
	MaxMemoryRecords    int
}

// knownPlaceholders are secrets that shipped in public examples.
var knownPlaceholders = map[string]bool{
	"placeholder_strong_secret_key_please_replace_me_12345": true,
	"your_secure_password": true,
	"changeme":             true,
}

// geminiKeyShape is what Google's keys look like today. Other shapes are
// kept (formats change) but warned about.
var geminiKeyShape = regexp.MustCompile(`^AIza[0-9A-Za-z_-]{35}$`)

// loadConfig reads the settings. It reports every problem at once; warnings
// are for things that work but probably are not what the operator wants.
func loadConfig(getenv func(string) string) (config, []string, error) {
	p := envParser{getenv: getenv}
	c := config{
		Host:                 p.str("HOST", "0.0.0.0"),
		Port:                 p.int("PORT", 7860, 0, 65535),
		GeminiBaseURL:        strings.TrimRight(p.str("GEMINI_BASE_URL", "https://generativelanguage.googleapis.com"), "/"),
		AdminKey:             strings.TrimSpace(getenv("ADMIN_API_KEY")),
		SecretKey:            getenv("SECRET_KEY"),
		RequestsPerMinute:    p.int("MAX_REQUESTS_PER_MINUTE", 30, 0, 1_000_000),
		RequestsPerDayPerIP:  p.int("MAX_REQUESTS_PER_DAY_PER_IP", 600, 0, 1_000_000_000),
		DisableSafety:        p.bool("DISABLE_SAFETY_FILTERING", false),
		Debug:                p.bool("DEBUG", false),
		MaxRetries:           p.int("MAX_RETRIES", 0, 0, 100),
		RequestTimeout:       p.seconds("REQUEST_TIMEOUT_SECONDS", 600),
		MaxRequestBodyBytes:  int64(p.int("MAX_REQUEST_BODY_MB", 32, 1, 1024)) << 20,
		ShutdownGrace:        p.seconds("SHUTDOWN_GRACE_SECONDS", 30),
		AllowRemoteImages:    p.bool("ALLOW_REMOTE_IMAGES", true),
		StreamHeartbeat:      p.seconds("STREAM_HEARTBEAT_SECONDS", 15),
		ModelRefreshInterval: p.seconds("MODEL_REFRESH_SECONDS", 600),
		ProtectStatusPage:    p.bool("PROTECT_STATUS_PAGE", false),
		AccessTokenExpire:    time.Duration(p.int("ACCESS_TOKEN_EXPIRE_MINUTES", 30, 1, 10080)) * time.Minute,
		ModelLimitsFile:      strings.TrimSpace(getenv("MODEL_LIMITS_FILE")),
		KeyRecheckInterval:   time.Duration(p.int("KEY_RECHECK_INTERVAL_MINUTES", 60, 1, 7*24*60)) * time.Minute,
		UsageReportInterval:  time.Duration(p.int("USAGE_REPORT_INTERVAL_MINUTES", 30, 1, 7*24*60)) * time.Minute,
		LogDir:               p.str("LOG_DIR", "logs"),
		LogMaxMB:             p.int("MAX_LOG_SIZE", 10, 1, 10_000),
		LogBackups:           p.int("MAX_LOG_BACKUPS", 5, 0, 1000),
		LogRotation:          p.str("LOG_ROTATION_INTERVAL", "midnight"),
		LogCleanupDays:       p.int("LOG_CLEANUP_DAYS", 30, 0, 3650),
		MetricsToken:         strings.TrimSpace(getenv("METRICS_TOKEN")),
		DBPath:               strings.TrimSpace(getenv("CONTEXT_DB_PATH")),
		DatabaseURL:          strings.TrimSpace(getenv("DATABASE_URL")),
		RedisURL:             strings.TrimSpace(getenv("REDIS_URL")),
		RedisPrefix:          p.str("REDIS_PREFIX", "hagemi:"),
		Replica:              p.str("REPLICA_NAME", defaultReplicaName()),
		StreamSaveReply:      p.bool("STREAM_SAVE_REPLY", true),
		AppendUnnamed:        p.bool("MEMORY_APPEND_WITHOUT_ID", false),
		DefaultMaxContext:    p.int("DEFAULT_MAX_CONTEXT_TOKENS", 30000, 100, 10_000_000),
		ContextSafetyMargin:  p.int("CONTEXT_TOKEN_SAFETY_MARGIN", 200, 0, 1_000_000),
		CleanupInterval:      p.seconds("MEMORY_CONTEXT_CLEANUP_INTERVAL_SECONDS", 3600),
		MaxMemoryRecords:     p.int("MAX_CONTEXT_RECORDS_MEMORY", 5000, 0, 10_000_000),
	}
	c.Passwords = splitList(getenv("PASSWORD"), ",")
	for _, m := range splitList(getenv("EXTRA_MODELS"), ", \t\n") {
		id, err := gemini.ModelID(m)
		if err != nil {
			p.fail("EXTRA_MODELS: %q: %v", m, err)
			continue
		}
		c.ExtraModels = append(c.ExtraModels, id)
	}
	for _, gone := range []string{"CACHE_REFRESH_INTERVAL_SECONDS", "JWT_ALGORITHM"} {
		if getenv(gone) != "" {
			p.warn("%s has no effect: key scores are computed on every request and portal sessions are server-side", gone)
		}
	}
	c.GeminiKeys = p.geminiKeys(getenv("GEMINI_API_KEYS"))
	for _, s := range splitList(getenv("TRUSTED_PROXIES"), ", \t\n") {
		pfx, err := parsePrefix(s)
		if err != nil {
			p.fail("TRUSTED_PROXIES: %q is not a CIDR or an IP address", s)
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, pfx)
	}
	if !strings.HasPrefix(c.GeminiBaseURL, "http://") && !strings.HasPrefix(c.GeminiBaseURL, "https://") {
		p.fail("GEMINI_BASE_URL: must start with http:// or https://")
	}
	if knownPlaceholders[c.SecretKey] {
		p.fail("SECRET_KEY: this is the public placeholder from the example; set a random value")
	}
	for _, pw := range append([]string{c.AdminKey}, c.Passwords...) {
		if knownPlaceholders[pw] {
			p.fail("PASSWORD/ADMIN_API_KEY: a value is a public placeholder from the example; choose your own")
		}
	}
	switch {
	case c.SecretKey == "" && (c.DatabaseURL != "" || c.RedisURL != ""):
		p.warn("SECRET_KEY is not set: each replica uses a random one, so a portal sign-in works only on the replica that made it; give every replica the same SECRET_KEY")
	case c.SecretKey == "":
		p.warn("SECRET_KEY is not set: a random one is used, so portal sessions will not survive a restart")
	}
	if len(c.GeminiKeys) == 0 {
		p.warn("GEMINI_API_KEYS is not set: /v1 cannot reach Gemini until keys are added")
	}
	if c.AdminKey == "" {
		p.warn("ADMIN_API_KEY is not set: nobody can administer this gateway")
	}
	if c.AdminKey == "" && len(c.Passwords) == 0 {
		p.warn("neither PASSWORD nor ADMIN_API_KEY is set: /v1 refuses every request (503) until one is")
	}
	if err := c.ReportLevel.UnmarshalText([]byte(p.str("REPORT_LOG_LEVEL", "INFO"))); err != nil {
		p.fail("REPORT_LOG_LEVEL: want DEBUG, INFO, WARN or ERROR")
	}
	switch f := strings.ToLower(p.str("LOG_FORMAT", "text")); f {
	case "text":
	case "json":
		c.LogJSON = true
	default:
		p.fail("LOG_FORMAT: %q is neither text nor json", f)
	}
	if err := validRotation(c.LogRotation); err != nil {
		p.fail("LOG_ROTATION_INTERVAL: %v", err)
	}
	if c.DatabaseURL != "" && !sqlstore.IsPostgresURL(c.DatabaseURL) {
		p.fail("DATABASE_URL: want a postgres:// or postgresql:// URL")
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		p.fail("REDIS_URL: want a redis:// or rediss:// URL")
	}
	if c.DBPath == "" && c.DatabaseURL == "" {
		p.warn("CONTEXT_DB_PATH is not set: memory mode, so proxy keys and conversations vanish on restart")
	}
	if c.CleanupInterval < time.Minute {
		p.fail("MEMORY_CONTEXT_CLEANUP_INTERVAL_SECONDS: must be at least 60")
	}
	if c.StreamHeartbeat <= 0 {
		p.fail("STREAM_HEARTBEAT_SECONDS: must be at least 1")
	}
	if len(p.errs) > 0 {
		return c, p.warns, errors.New("invalid configuration:\n  " + strings.Join(p.errs, "\n  "))
	}
	return c, p.warns, nil
}

// Addr is the listen address.
func (c config) Addr() string { return joinHostPort(c.Host, c.Port) }

func joinHostPort(host string, port int) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// splitList splits on any of seps, trims, and drops empty entries.
func splitList(s, seps string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) })
}

type envParser struct {
	getenv func(string) string
	errs   []string
	warns  []string
}

func (p *envParser) fail(format string, args ...any) {
	p.errs = append(p.errs, fmt.Sprintf(format, args...))
}
func (p *envParser) warn(format string, args ...any) {
	p.warns = append(p.warns, fmt.Sprintf(format, args...))
}

func (p *envParser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

func (p *envParser) int(name string, def, lo, hi int) int {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail("%s: %q is not a whole number from %d to %d", name, v, lo, hi)
		return def
	}
	return n
}

func (p *envParser) seconds(name string, def int) time.Duration {
	return time.Duration(p.int(name, def, 0, 7*24*3600)) * time.Second
}

func (p *envParser) bool(name string, def bool) bool {
	v := strings.ToLower(strings.TrimSpace(p.getenv(name)))
	switch v {
	case "":
		return def
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	}
	p.fail("%s: %q is not true or false", name, v)
	return def
}

// geminiKeys splits on commas, whitespace and newlines, removes duplicates,
// and reads an optional "project:" label in front of each key.
func (p *envParser) geminiKeys(s string) []domain.KeySpec {
	var out []domain.KeySpec
	seen := map[string]bool{}
	for _, f := range splitList(s, ", \t\r\n;") {
		project, secret, ok := strings.Cut(f, ":")
		if !ok {
			project, secret = "", f
		}
		if secret == "" {
			p.warn("GEMINI_API_KEYS: an entry with an empty key (%q label) was skipped", project)
			continue
		}
		if seen[secret] {
			continue
		}
		seen[secret] = true
		if !geminiKeyShape.MatchString(secret) {
			p.warn("GEMINI_API_KEYS: entry %s does not look like a Gemini key (AIza… 39 characters); kept anyway", domain.MaskSecret(secret))
		}
		out = append(out, domain.KeySpec{Secret: secret, Project: project})
	}
	return out
}

// defaultReplicaName tells replicas apart: the host name (a container's
// id) and the process id, as two processes may share a host.
func defaultReplicaName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "hagemi"
	}
	return host + "-" + strconv.Itoa(os.Getpid())
}
