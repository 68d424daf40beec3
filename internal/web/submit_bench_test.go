package web

import (
	"io"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/intake"
)

// BenchmarkSubmit100MB sends a 100 MB attachment through the real /submit
// handler (multipart streaming → SealedWriter → blob store) and reports
// MB/s and the growth of the heap in use.
func BenchmarkSubmit100MB(b *testing.B) {
	ie := MustIntakeEnv(b, intake.Options{MaxBytes: 200_000_000,
		Limits: intake.Limits{GlobalSubmitsPerMinute: 1e6, GlobalLoginsPerMinute: 1e6, SessionActionsPerMinute: 1e6, Derivations: 2}})
	const size = 100_000_000
	b.SetBytes(size)
	var peak uint64
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak {
					peak = m.HeapInuse
				}
			}
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := ie.client()
		csrf := c.token("/submit")
		r := c.postMultipart("/submit", csrf, url.Values{"text": {"big"}}, []filePart{{"big.bin", io.LimitReader(zeroReader{}, size)}})
		if r.status != http.StatusSeeOther {
			b.Fatalf("status %d", r.status)
		}
	}
	b.StopTimer()
	close(stop)
	if peak > base {
		b.ReportMetric(float64(peak-base)/(1<<20), "MiB-heap-growth")
	}
}

// BenchmarkSubmitConcurrent sends 100 submissions of 1 MB at once and
// reports the p99 time.
func BenchmarkSubmitConcurrent(b *testing.B) {
	ie := MustIntakeEnv(b, intake.Options{
		Limits: intake.Limits{GlobalSubmitsPerMinute: 1e6, GlobalLoginsPerMinute: 1e6, SessionActionsPerMinute: 1e6, Derivations: 2}})
	for i := 0; i < b.N; i++ {
		var mu sync.Mutex
		var times []time.Duration
		var wg sync.WaitGroup
		errs := make(chan string, 100)
		for j := 0; j < 100; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := ie.client()
				csrf := c.token("/submit")
				start := time.Now()
				r := c.postMultipart("/submit", csrf, url.Values{"text": {"x"}}, []filePart{{"f.bin", strings.NewReader(strings.Repeat("q", 1_000_000))}})
				d := time.Since(start)
				if r.status != http.StatusSeeOther {
					errs <- http.StatusText(r.status)
				}
				mu.Lock()
				times = append(times, d)
				mu.Unlock()
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			b.Fatalf("a submission failed: %s", e)
		}
		sort.Slice(times, func(x, y int) bool { return times[x] < times[y] })
		b.ReportMetric(float64(times[98].Milliseconds()), "p99-ms")
		b.ReportMetric(float64(times[49].Milliseconds()), "p50-ms")
	}
}
