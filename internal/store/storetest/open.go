// Package storetest is the contract suite of package store: the same tests
// run on SQLite always and on PostgreSQL when PRESSWATCH_TEST_POSTGRES holds
// a URL. It also gives other packages' tests a migrated database
// (MustOpenSQLite, MustOpenPostgres) and synthetic published incidents
// (GeneratePublic) for benchmarks.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/presswatch/presswatch/internal/store"
)

// PostgresEnv names the variable holding the PostgreSQL test URL.
const PostgresEnv = "PRESSWATCH_TEST_POSTGRES"

// Clock is a settable clock for tests.
type Clock struct{ T time.Time }

// Now returns the clock's time and advances it by a millisecond, so that
// successive writes get distinct, increasing times.
func (c *Clock) Now() time.Time {
	c.T = c.T.Add(time.Millisecond)
	return c.T
}

// MustOpenSQLite opens and migrates a SQLite database in a temporary folder,
// closed when the test ends.
func MustOpenSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	return MustOpen(tb, filepath.Join(tb.TempDir(), "presswatch.db"))
}

// MustOpen opens and migrates the database at url, closed when the test ends.
func MustOpen(tb testing.TB, url string) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		tb.Fatalf("open %s: %v", url, err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db
}

// PostgresURL returns a URL to a fresh, empty schema of the test PostgreSQL
// database (dropped when the test ends), or skips the test when
// PRESSWATCH_TEST_POSTGRES is not set. Tests using it can run in parallel.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skipf("%s is not set; skipping the PostgreSQL run", PostgresEnv)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		tb.Fatalf("postgres: create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("postgres url: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// MustOpenPostgres opens and migrates a fresh schema of the test PostgreSQL
// database, or skips the test when PRESSWATCH_TEST_POSTGRES is not set.
func MustOpenPostgres(tb testing.TB) *store.DB {
	tb.Helper()
	return MustOpen(tb, PostgresURL(tb))
}

// PostgresEnabled reports whether PRESSWATCH_TEST_POSTGRES is set.
func PostgresEnabled() bool { return os.Getenv(PostgresEnv) != "" }
