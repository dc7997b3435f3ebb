package sqlstore

import (
	"context"
	"io/fs"
	"path"
	"slices"
	"sync"
	"testing"

	"github.com/hagemi/hagemi/sqlstore/sqltest"
)

// TestMigrationsInStep checks that every SQLite migration has a PostgreSQL
// twin of the same name, and (with PostgreSQL) that both build the same
// tables with the same columns.
func TestMigrationsInStep(t *testing.T) {
	names := func(dir string) []string {
		files, err := fs.Glob(migrationFiles, dir+"/*.sql")
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range files {
			files[i] = path.Base(f)
		}
		return files
	}
	lite, pg := names(sqliteDialect.dir), names(postgresDialect.dir)
	if !slices.Equal(lite, pg) {
		t.Fatalf("migration files differ:\n%s: %v\n%s: %v", sqliteDialect.dir, lite, postgresDialect.dir, pg)
	}

	ctx := context.Background()
	type column struct {
		Table   string `db:"tbl"`
		Name    string `db:"name"`
		NotNull bool   `db:"not_null"` // compared only off the primary key, which SQLite reports nullable
		PK      bool   `db:"pk"`
	}
	var liteCols []column
	sl := openStore(t, "memory")
	if err := sl.DB().SelectContext(ctx, &liteCols, `SELECT m.name AS tbl, p.name, p."notnull" AS not_null, p.pk > 0 AS pk
		FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`); err != nil {
		t.Fatal(err)
	}
	sp := openStore(t, "postgres")
	var pgCols []column
	if err := sp.DB().SelectContext(ctx, &pgCols, `SELECT table_name AS tbl, column_name AS name,
			is_nullable = 'NO' AS not_null, false AS pk
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'`); err != nil {
		t.Fatal(err)
	}
	want := map[[2]string]column{}
	for _, c := range liteCols {
		want[[2]string{c.Table, c.Name}] = c
	}
	got := map[[2]string]column{}
	for _, c := range pgCols {
		got[[2]string{c.Table, c.Name}] = c
	}
	for k, c := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("column %s.%s is missing on PostgreSQL", k[0], k[1])
		case !c.PK && g.NotNull != c.NotNull:
			t.Errorf("column %s.%s: NOT NULL %v on PostgreSQL, %v on SQLite", k[0], k[1], g.NotNull, c.NotNull)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("column %s.%s is on PostgreSQL only", k[0], k[1])
		}
	}
}

// TestPostgresConcurrentOpen starts two replicas on one empty schema at
// once: the advisory lock must let exactly one apply each migration.
func TestPostgresConcurrentOpen(t *testing.T) {
	url := sqltest.PostgresURL(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	stores := make([]*Store, 2)
	errs := make([]error, 2)
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = OpenPostgres(ctx, url) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		t.Cleanup(func() { s.Close() })
	}
	ms, err := loadMigrations(postgresDialect.dir)
	if err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := stores[0].DB().GetContext(ctx, &rows, `SELECT COUNT(*) FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) {
		t.Errorf("%d schema_migrations rows; want %d, one per migration", rows, len(ms))
	}
	if got := stores[1].Mode(); got != "postgres" {
		t.Errorf("Mode() = %q; want postgres", got)
	}
}

func TestPostgresNewerSchemaRefused(t *testing.T) {
	url := sqltest.PostgresURL(t)
	ctx := context.Background()
	s, err := OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future.sql')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := OpenPostgres(ctx, url); err == nil {
		s.Close()
		t.Fatal("OpenPostgres of a newer schema succeeded; want an error")
	}
}

func TestIsPostgresURL(t *testing.T) {
	for u, want := range map[string]bool{
		"postgres://h/db": true, "postgresql://u@h:5432/db?sslmode=disable": true,
		"": false, "data/hagemi.db": false, "file:x.db": false, "mysql://h/db": false,
	} {
		if got := IsPostgresURL(u); got != want {
			t.Errorf("IsPostgresURL(%q) = %v; want %v", u, got, want)
		}
	}
}
