package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// BenchmarkList100k measures /incidents over 100,000 published incidents
// (PRESSWATCH_BENCH_PUBLIC overrides the count) bulk-loaded into a real
// SQLite store, through the real Server, requests in parallel on every
// core. It reports requests/s and the p99 latency of the requests.
// Issue 2's target: ≥ 2,000 requests/s with p99 < 50 ms on 2 cores.
func BenchmarkList100k(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("PRESSWATCH_BENCH_PUBLIC")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	url := os.Getenv("PRESSWATCH_BENCH_DB") // a database seeded with internal/store/storetest/cmd/seed
	if url == "" {
		url = filepath.Join(b.TempDir(), "bench.db")
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if os.Getenv("PRESSWATCH_BENCH_DB") == "" {
		storetest.SeedPublic(b, db, n, 42)
	}
	if err := db.WarmPublic(ctx); err != nil {
		b.Fatal(err)
	}
	svc := editorial.New(db, db, db, db, db, nil)
	srv, err := New(Options{Service: svc, Public: db, Sessions: db, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	// Paths with %d get a new page number on every request (1 to 2,000),
	// so each misses the page cache and is rendered: the cost of a filter
	// nobody asked for since the last publication.
	for _, bc := range []struct{ name, path string }{
		{"default", "/incidents"},
		{"country", "/incidents?country=PK"},
		{"category", "/incidents?category=website_blocked"},
		{"ur_default", "/ur/incidents"},
		{"q", "/incidents?q=election"},
		{"uncached_default", "/incidents?page=%d"},
		{"uncached_country", "/incidents?country=PK&page=%d"},
		{"uncached_category", "/incidents?category=website_blocked&page=%d"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var mu sync.Mutex
			var lat []time.Duration
			var seq atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					path := bc.path
					if strings.Contains(path, "%d") {
						path = fmt.Sprintf(path, 1+seq.Add(1)%2000)
					}
					t := time.Now()
					w := httptest.NewRecorder()
					srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
					if w.Code != 200 {
						b.Fatalf("%s: %d", bc.path, w.Code)
					}
					mine = append(mine, time.Since(t))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
		})
	}
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(float64(len(d))*p))]
}
