package store_test

import (
	"context"
	"math"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// benchPublicRows is the size of the public-data benchmarks: 100,000 by
// default, PRESSWATCH_BENCH_ROWS=1000000 for the targets. The seeded
// SQLite file is cached between runs (storetest.MustOpenSeededSQLite).
func benchPublicRows(b *testing.B) int {
	if v := os.Getenv("PRESSWATCH_BENCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 100_000
}

// BenchmarkEachPublicJSON streams every published document (the exports'
// read path) with and without the memory map, reporting rows/s and the
// peak heap in use while streaming.
func BenchmarkEachPublicJSON(b *testing.B) {
	n := benchPublicRows(b)
	db := storetest.MustOpenSeededSQLite(b, n, 5)
	ctx := context.Background()
	for _, c := range []struct {
		name       string
		set, reset []string
	}{
		{"cache64m", []string{"PRAGMA cache_size = -65536"}, []string{"PRAGMA cache_size = -2000"}},
		{"mmap2g", []string{"PRAGMA mmap_size = 2147418112"}, []string{"PRAGMA mmap_size = 0"}},
		{"default", nil, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			oldSet, oldReset := store.SetExportPragmas(c.set, c.reset)
			defer store.SetExportPragmas(oldSet, oldReset)
			runtime.GC()
			var peak uint64
			cpu0 := cpuTime()
			for b.Loop() {
				rows, bytes := 0, 0
				err := db.EachPublicJSON(ctx, domain.IncidentFilter{}, func(doc []byte) error {
					rows++
					bytes += len(doc)
					if rows%50_000 == 0 {
						var m runtime.MemStats
						runtime.ReadMemStats(&m)
						peak = max(peak, m.HeapInuse)
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				if rows != n {
					b.Fatalf("%d rows, want %d", rows, n)
				}
				b.SetBytes(int64(bytes))
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(n)*float64(b.N)/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
			b.ReportMetric(float64(peak)/(1<<20), "MiB-heap-peak")
		})
	}
}

// BenchmarkStatsWhole computes /stats' numbers for the whole record cold
// (the per-generation cache dropped before every call; the in-memory index
// of the record kept, as a running server keeps it) and with the filter
// country=PK. PostgreSQL runs when PRESSWATCH_TEST_POSTGRES is set, seeded
// afresh (PRESSWATCH_BENCH_PG_ROWS, default 20,000: seeding is slow there).
func BenchmarkStatsWhole(b *testing.B) {
	ctx := context.Background()
	dbs := map[string]*store.DB{"sqlite": storetest.MustOpenSeededSQLite(b, benchPublicRows(b), 5)}
	if storetest.PostgresEnabled() {
		n := 20_000
		if v := os.Getenv("PRESSWATCH_BENCH_PG_ROWS"); v != "" {
			n, _ = strconv.Atoi(v)
		}
		pg := storetest.MustOpenPostgres(b)
		if err := storetest.SeedChunks(ctx, pg, n, 5); err != nil {
			b.Fatal(err)
		}
		dbs["postgres"] = pg
	}
	for name, db := range dbs {
		if err := db.WarmPublic(ctx); err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name string
			f    domain.IncidentFilter
		}{{"whole", domain.IncidentFilter{}}, {"country=PK", domain.IncidentFilter{Country: []string{"PK"}}}} {
			b.Run(name+"/"+c.name, func(b *testing.B) {
				var n int
				for b.Loop() {
					store.DropCache(db)
					st, err := db.Stats(ctx, c.f)
					if err != nil {
						b.Fatal(err)
					}
					n = st.Incidents
				}
				b.ReportMetric(float64(n), "incidents")
			})
		}
	}
}

// BenchmarkPublicRefs lists the refs of the whole public list in order, as
// an incremental mirror build asks for them (PRESSWATCH_BENCH_ROWS, 100,000
// by default).
func BenchmarkPublicRefs(b *testing.B) {
	n := benchPublicRows(b)
	db := storetest.MustOpenSeededSQLite(b, n, 5)
	ctx := context.Background()
	cpu0 := cpuTime()
	for b.Loop() {
		refs, err := db.PublicRefs(ctx, domain.IncidentFilter{})
		if err != nil {
			b.Fatal(err)
		}
		if len(refs) != n {
			b.Fatalf("%d refs, want %d", len(refs), n)
		}
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkWarmPublic builds the in-memory index of the published record
// in a store opened afresh each time, as a new `presswatch mirror build`
// process does (PRESSWATCH_BENCH_ROWS, 100,000 by default): "record" reads
// every published incident, "saved" starts from the copy the store keeps
// (pubindex_saved.go) and applies one publication made since.
func BenchmarkWarmPublic(b *testing.B) {
	n := benchPublicRows(b)
	path := storetest.MustOpenSeededSQLitePath(b, n, 5)
	ctx := context.Background()
	open := func() *store.DB {
		db, err := store.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		return db
	}
	db := open()
	if err := db.Migrate(ctx); err != nil { // a cached database of an older schema
		b.Fatal(err)
	}
	db.Close()
	warm := func(b *testing.B, before func(db *store.DB)) {
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			db := open()
			before(db)
			b.StartTimer()
			cpu0 := cpuTime()
			if err := db.WarmPublic(ctx); err != nil {
				b.Fatal(err)
			}
			cpu += cpuTime() - cpu0
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	}
	exec := func(db *store.DB, q string) {
		tx, err := db.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("record", func(b *testing.B) {
		defer store.SetSavedIndexMinRows(math.MaxInt)()
		warm(b, func(db *store.DB) { exec(db, "DELETE FROM public_index_saved") })
	})
	b.Run("saved", func(b *testing.B) {
		db := open()
		if err := db.WarmPublic(ctx); err != nil { // saves the copy
			b.Fatal(err)
		}
		db.Close()
		// One publication since the copy, as before a mirror build.
		db = open()
		exec(db, "UPDATE public_generation SET gen = gen + 1 WHERE id = 1")
		db.Close()
		warm(b, func(*store.DB) {})
	})
}
