package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"
)

// logs are the program's loggers: the main one (console, app.log, and
// error.log for ERROR and above) and the access log.
type logs struct {
	main    *slog.Logger
	access  *slog.Logger
	errFile *lumberjack.Logger // rotated on LOG_ROTATION_INTERVAL
	files   []io.Closer
	dir     string
}

// openLogs sets up logging. Files go to cfg.LogDir, or to the temp dir when
// that is not writable; with neither, only the console logs.
func openLogs(cfg config, console io.Writer) *logs {
	level := slog.LevelInfo
	if cfg.Debug {
		level = slog.LevelDebug
	}
	newHandler := func(w io.Writer, min slog.Level) slog.Handler {
		o := &slog.HandlerOptions{Level: min}
		if cfg.LogJSON {
			return slog.NewJSONHandler(w, o)
		}
		return slog.NewTextHandler(w, o)
	}
	l := &logs{}
	consoleHandler := newHandler(console, level)
	l.dir = writableDir(cfg.LogDir, filepath.Join(os.TempDir(), "hagemi-logs"))
	if l.dir == "" {
		l.main = slog.New(consoleHandler)
		l.main.Warn("no writable log directory; logging to the console only", "tried", cfg.LogDir)
		return l
	}
	file := func(name string, maxMB int) *lumberjack.Logger {
		f := &lumberjack.Logger{Filename: filepath.Join(l.dir, name), MaxSize: maxMB,
			MaxBackups: cfg.LogBackups, MaxAge: cfg.LogCleanupDays}
		l.files = append(l.files, f)
		return f
	}
	app := file("app.log", cfg.LogMaxMB)
	// error.log rotates by time, not size; a size cap still bounds a storm.
	l.errFile = file("error.log", 1024)
	l.main = slog.New(slog.NewMultiHandler(consoleHandler, newHandler(app, level), newHandler(l.errFile, slog.LevelError)))
	l.access = slog.New(newHandler(file("access.log", cfg.LogMaxMB), slog.LevelInfo))
	return l
}

// writableDir returns the first directory that exists or can be made and
// accepts a file, or "".
func writableDir(dirs ...string) string {
	for _, d := range dirs {
		if d == "" || os.MkdirAll(d, 0o755) != nil {
			continue
		}
		probe := filepath.Join(d, ".write-test")
		if err := os.WriteFile(probe, nil, 0o600); err == nil {
			os.Remove(probe)
			return d
		}
	}
	return ""
}

// rotateErrors rotates error.log at every boundary of the interval ("midnight"
// or a duration) until stop is closed.
func (l *logs) rotateErrors(interval string, stop <-chan struct{}) {
	if l.errFile == nil {
		return
	}
	for {
		t := time.NewTimer(time.Until(nextRotation(time.Now(), interval)))
		select {
		case <-stop:
			t.Stop()
			return
		case <-t.C:
			if err := l.errFile.Rotate(); err != nil {
				l.main.Warn("error.log rotation failed", "err", err)
			}
		}
	}
}

// nextRotation is the next local midnight for "midnight", else now plus the
// interval parsed as a duration.
func nextRotation(now time.Time, interval string) time.Time {
	if d, err := time.ParseDuration(interval); err == nil && d > 0 {
		return now.Add(d)
	}
	y, m, day := now.Date()
	return time.Date(y, m, day+1, 0, 0, 0, 0, now.Location())
}

// Close flushes and closes the log files.
func (l *logs) Close() {
	for _, f := range l.files {
		f.Close()
	}
}

func validRotation(v string) error {
	if v == "midnight" {
		return nil
	}
	if d, err := time.ParseDuration(v); err != nil || d < time.Minute {
		return fmt.Errorf("%q is neither \"midnight\" nor a duration of at least 1m", v)
	}
	return nil
}
