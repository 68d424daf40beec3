package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/presswatch/presswatch/internal/store"
)

// SeedCacheDirEnv names the variable that moves the folder of cached seeded
// benchmark databases (default: presswatch-bench in the system temp folder).
const SeedCacheDirEnv = "PRESSWATCH_BENCH_CACHE"

// seedChunk is how many incidents are generated and loaded at a time; the
// same as cmd/seed's default, so both produce the same database.
const seedChunk = 50_000

// SeedChunks bulk-loads n synthetic published incidents in chunks of 50,000
// (chunk k generated with seed+k*50,000, as cmd/seed does), so memory stays
// bounded at any size, then refreshes the planner's statistics.
func SeedChunks(ctx context.Context, db *store.DB, n int, seed uint64) error {
	for done := 0; done < n; {
		k := min(seedChunk, n-done)
		if err := db.SeedPublic(ctx, GeneratePublic(k, seed+uint64(done))); err != nil {
			return err
		}
		done += k
	}
	return db.Analyze(ctx)
}

// MustOpenSeededSQLite opens a SQLite database holding n seeded published
// incidents. The file is cached between runs in $PRESSWATCH_BENCH_CACHE (or
// the temp folder) under a name keyed by n and seed, so a benchmark over a
// million incidents seeds once. The database is migrated on open; callers
// must not write to it.
func MustOpenSeededSQLite(tb testing.TB, n int, seed uint64) *store.DB {
	tb.Helper()
	return MustOpen(tb, MustOpenSeededSQLitePath(tb, n, seed))
}

// MustOpenSeededSQLitePath is the file MustOpenSeededSQLite opens, seeded
// first when it is not cached yet; the caller opens it.
func MustOpenSeededSQLitePath(tb testing.TB, n int, seed uint64) string {
	tb.Helper()
	dir := os.Getenv(SeedCacheDirEnv)
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "presswatch-bench")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("public-%d-%d.db", n, seed))
	if _, err := os.Stat(path); err != nil {
		tmp := filepath.Join(dir, fmt.Sprintf("seeding-%d-%d.db", n, seed))
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp + suffix)
		}
		ctx := context.Background()
		db, err := store.Open(ctx, tmp)
		if err != nil {
			tb.Fatal(err)
		}
		err = db.Migrate(ctx)
		if err == nil {
			err = SeedChunks(ctx, db, n, seed)
		}
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			tb.Fatalf("seed %d incidents: %v", n, err)
		}
		if _, err := os.Stat(tmp + "-wal"); err == nil {
			tb.Fatalf("seed cache: %s-wal left after close", tmp)
		}
		if err := os.Rename(tmp, path); err != nil {
			tb.Fatal(err)
		}
	}
	return path
}
