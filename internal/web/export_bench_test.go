package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/store/storetest"
	"github.com/presswatch/presswatch/internal/web"
)

// discard is a ResponseWriter that counts and drops the body, sampling the
// heap every 64 KiB so the benchmark sees the peak while streaming.
type discard struct {
	h        http.Header
	n        int64
	next     int64
	peakHeap uint64
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) WriteHeader(int)     {}
func (d *discard) Write(b []byte) (int, error) {
	d.n += int64(len(b))
	if d.n >= d.next {
		d.next = d.n + 4<<20
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		d.peakHeap = max(d.peakHeap, m.HeapInuse)
	}
	return len(b), nil
}

// benchRows is the size of the export benchmarks: 100,000 by default,
// PRESSWATCH_BENCH_ROWS=1000000 for the target.
func benchRows(b *testing.B) int {
	if v := os.Getenv("PRESSWATCH_BENCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 100_000
}

// BenchmarkExportCSV streams /incidents.csv and /incidents.ndjson for every
// incident and reports rows/s and the peak heap in use while streaming
// (which must not grow with the row count).
func BenchmarkExportCSV(b *testing.B) {
	n := benchRows(b)
	start := time.Now()
	db := storetest.MustOpenSeededSQLite(b, n, 5)
	b.Logf("opened %d seeded incidents in %v", n, time.Since(start))
	// A cached database seeded before migration 0071 has no stored CSV
	// rows: build them first (once; a running server does it after the
	// first export), so the benchmark measures the steady state.
	start = time.Now()
	filled, err := db.FillPublicCSV(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("filled %d stored CSV rows in %v", filled, time.Since(start))
	srv, err := web.New(web.Options{Service: editorial.New(db, db, db, db, db, nil), Public: db, Sessions: db})
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"/incidents.csv", "/incidents.ndjson"} {
		b.Run(path[1:], func(b *testing.B) {
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base)
			var peak uint64
			cpu0 := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				d := &discard{h: http.Header{}}
				srv.ServeHTTP(d, httptest.NewRequest(http.MethodGet, path, nil))
				if d.n < int64(n)*100 {
					b.Fatalf("only %d bytes", d.n)
				}
				peak = max(peak, d.peakHeap)
				b.SetBytes(d.n)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(n)*float64(b.N)/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
			b.ReportMetric(float64(base.HeapInuse)/(1<<20), "MiB-heap-before")
			b.ReportMetric(float64(peak)/(1<<20), "MiB-heap-peak")
		})
	}
}

// BenchmarkStatsPage renders /stats over the seeded set, cold (cache
// dropped by a changed filter each time is not possible, so the first
// iteration is cold and the rest warm) and the API statistics.
func BenchmarkStatsPage(b *testing.B) {
	n := benchRows(b)
	db := storetest.MustOpenSeededSQLite(b, n, 5)
	srv, err := web.New(web.Options{Service: editorial.New(db, db, db, db, db, nil), Public: db, Sessions: db})
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"/stats", "/stats?country=PK", "/map"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
				if w.Code != 200 {
					b.Fatalf("%s: %d", path, w.Code)
				}
			}
		})
	}
}

// cpuTime is the process's user and system time: on a machine shared with
// other work, rows per CPU second does not depend on how long the scheduler
// kept the benchmark waiting.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
