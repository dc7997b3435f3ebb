package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// migrations/NNNN_name.sql (SQLite) and migrations_pg/NNNN_name.sql
// (PostgreSQL) are append-only: a released file is never edited, a change
// is a new file in both folders, with the same number and name
// (TestMigrationsInStep checks).
//
//go:embed migrations/*.sql migrations_pg/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded files of dir in order and insists that
// their numbers run 1, 2, 3… so a missing or duplicated file fails every test.
func loadMigrations(dir string) ([]migration, error) {
	names, err := fs.Glob(migrationFiles, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for i, name := range names { // fs.Glob sorts, and the numbers are zero-padded
		base := path.Base(name)
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v != i+1 {
			return nil, fmt.Errorf("sqlstore: migration %s: want number %04d", base, i+1)
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(body)})
	}
	return ms, nil
}

// migrate applies the pending migrations, each in its own transaction
// together with the version bump, so a crash leaves the database at one
// version or the next, never between.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations(s.d.dir)
	if err != nil {
		return err
	}
	for {
		done, err := s.migrateOne(ctx, ms)
		if err != nil || done {
			return err
		}
	}
}

func (s *Store) migrateOne(ctx context.Context, ms []migration) (done bool, err error) {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer tx.Rollback()
	// Read the version inside the transaction and after the lock: another
	// process migrating the same database waits for us and then sees our
	// version.
	if err := s.d.lockMigrations(ctx, tx); err != nil {
		return false, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	v, err := s.d.schemaVersion(ctx, tx)
	if err != nil {
		return false, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	switch {
	case v > len(ms):
		return false, fmt.Errorf("sqlstore: database schema version %d is newer than this program's %d", v, len(ms))
	case v == len(ms):
		return true, nil
	}
	m := ms[v]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
	}
	if err := s.d.setVersion(ctx, tx, m); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
	}
	return false, nil
}
