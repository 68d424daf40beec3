package web

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/intake"
)

// memPeak samples the heap in use and the resident set size of the
// process (client and server together) every 10 ms until stopped.
type memPeak struct {
	baseHeap, baseRSS uint64
	peakHeap, peakRSS uint64
	stop              chan struct{}
	done              chan struct{}
}

func startMemPeak() *memPeak {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := &memPeak{baseHeap: ms.HeapInuse, baseRSS: rss(), stop: make(chan struct{}), done: make(chan struct{})}
	m.peakHeap, m.peakRSS = m.baseHeap, m.baseRSS
	go func() {
		defer close(m.done)
		var ms runtime.MemStats
		for {
			select {
			case <-m.stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			m.peakHeap = max(m.peakHeap, ms.HeapInuse)
			m.peakRSS = max(m.peakRSS, rss())
		}
	}()
	return m
}

// report stops sampling and reports the growths in MiB.
func (m *memPeak) report(b *testing.B) {
	close(m.stop)
	<-m.done
	b.ReportMetric(float64(m.peakHeap-m.baseHeap)/(1<<20), "MiB-heap-growth")
	b.ReportMetric(float64(m.peakRSS-m.baseRSS)/(1<<20), "MiB-RSS-growth")
}

// rss is the resident set size of this process in bytes (Linux), or 0.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkSubmit100MB sends a 100 MB attachment through the real
// /submit/reports/{id} handler (multipart streaming → SealedWriter → blob
// store, fsync) on an EXISTING report of a logged-in source, so the
// Argon2id derivation of a new source is not counted. It reports MB/s and
// the growth of the heap in use and of the resident set, separately.
func BenchmarkSubmit100MB(b *testing.B) {
	ie := MustIntakeEnv(b, intake.Options{MaxBytes: 200_000_000,
		Limits: intake.Limits{GlobalSubmitsPerMinute: 1e6, GlobalLoginsPerMinute: 1e6, SessionActionsPerMinute: 1e6, Derivations: 2}})
	c := ie.client()
	if code, r := ie.submitReport(c, "first report", nil); code == "" {
		b.Fatalf("first report: %d", r.status)
	}
	page := c.get("/submit/reports")
	csrf := reCSRF.FindStringSubmatch(page.body)[1]
	id := regexp.MustCompile(`/submit/reports/([0-9]+)`).FindStringSubmatch(page.body)[1]
	const size = 100_000_000
	b.SetBytes(size)
	m := startMemPeak()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := c.postMultipart("/submit/reports/"+id, csrf, url.Values{"text": {"big"}}, []filePart{{"big.bin", io.LimitReader(zeroReader{}, size)}})
		if r.status != http.StatusSeeOther {
			b.Fatalf("status %d %s", r.status, excerpt(r.body))
		}
	}
	b.StopTimer()
	m.report(b)
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

// BenchmarkSubmitConcurrentExisting is BenchmarkSubmitConcurrent without
// the Argon2id derivations: 100 messages of 1 MB at once on an existing
// report of one logged-in source. The difference between the two is what
// the derivations (one per new source, two at a time) cost.
func BenchmarkSubmitConcurrentExisting(b *testing.B) {
	ie := MustIntakeEnv(b, intake.Options{
		Limits: intake.Limits{GlobalSubmitsPerMinute: 1e6, GlobalLoginsPerMinute: 1e6, SessionActionsPerMinute: 1e6, Derivations: 2}})
	c := ie.client()
	if code, r := ie.submitReport(c, "first report", nil); code == "" {
		b.Fatalf("first report: %d", r.status)
	}
	page := c.get("/submit/reports")
	csrf := reCSRF.FindStringSubmatch(page.body)[1]
	id := regexp.MustCompile(`/submit/reports/([0-9]+)`).FindStringSubmatch(page.body)[1]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var mu sync.Mutex
		var times []time.Duration
		var wg sync.WaitGroup
		errs := make(chan string, 100)
		for j := 0; j < 100; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start := time.Now()
				r := c.postMultipart("/submit/reports/"+id, csrf, url.Values{"text": {"x"}}, []filePart{{"f.bin", strings.NewReader(strings.Repeat("q", 1_000_000))}})
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
			b.Fatalf("a message failed: %s", e)
		}
		sort.Slice(times, func(x, y int) bool { return times[x] < times[y] })
		b.ReportMetric(float64(times[98].Milliseconds()), "p99-ms")
		b.ReportMetric(float64(times[49].Milliseconds()), "p50-ms")
	}
}
