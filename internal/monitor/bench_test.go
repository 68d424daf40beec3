package monitor_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/monitor"
	mt "github.com/presswatch/presswatch/internal/monitor/monitortest"
)

// benchSize reads PRESSWATCH_BENCH_FLEET="outlets×articles" (default
// 1000x200, the fleet).
func benchSize() (outlets, articles int) {
	outlets, articles = 1000, 200
	if v := os.Getenv("PRESSWATCH_BENCH_FLEET"); v != "" {
		a, b, ok := strings.Cut(v, "x")
		o, err1 := strconv.Atoi(a)
		n, err2 := strconv.Atoi(b)
		if ok && err1 == nil && err2 == nil && o > 0 && n > 0 {
			outlets, articles = o, n
		}
	}
	return outlets, articles
}

// BenchmarkRecheckFleet re-checks articles of a simulated fleet (one
// virtual host per outlet, in-process server on 127.0.0.1) with the default
// politeness of one request per second per host. Every 50th article changes
// between rounds (full fetch, extraction, confirmation, diff); the others
// answer the conditional GET with 304. One iteration is a round of 1,000
// re-checks. Metrics: rechecks/s, the 304 share, wire bytes per re-check and
// the resident memory (VmRSS) with the whole fleet in the store.
func BenchmarkRecheckFleet(b *testing.B) {
	ctx := context.Background()
	nOutlets, nArticles := benchSize()
	fleet := mt.NewFleet(b, nOutlets, nArticles, 50)
	store := monitor.NewMemStore()
	store.DropRaw = true
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < nOutlets; i++ {
		slug := fmt.Sprintf("o%04d", i)
		if err := store.SaveOutlet(ctx, monitor.Outlet{Slug: slug, Name: slug, Homepage: fleet.HomeURL(i)}); err != nil {
			b.Fatal(err)
		}
		for j := 0; j < nArticles; j++ {
			page, etag := fleet.Page(i, j, 0)
			u, _ := monitor.NormalizeURL(fleet.ArticleURL(i, j))
			first := now.Add(-time.Duration(r.Int64N(int64(30 * 24 * time.Hour))))
			a := monitor.Article{URL: u, Outlet: slug, FirstSeen: first, NextCheck: first.Add(time.Duration(r.Int64N(int64(time.Hour)))), State: monitor.StateLive,
				Baseline: monitor.Snapshot{Status: 200, URL: u, FinalURL: u, BodyHash: monitor.NewSnapshotHash(page), ETag: etag, FetchedAt: first}}
			if _, err := store.AddArticle(ctx, a); err != nil {
				b.Fatal(err)
			}
		}
	}
	m, err := monitor.New(monitor.Options{
		Store:   store,
		Fetcher: monitor.SafeFetcher{Client: mt.MustClient(b, 10*time.Second)},
		Workers: 64,
	})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var total monitor.RoundStats
	var elapsed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fleet.Bump()
		st, err := m.RunOnce(ctx, now, monitor.RunOptions{RecheckAll: true, SkipDiscovery: true, Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		elapsed += st.Duration
		total.Rechecks += st.Rechecks
		total.RecheckNotModified += st.RecheckNotModified
		total.RecheckBytes += st.RecheckBytes
		total.Fetches += st.Fetches
		total.Detections += st.Detections
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Rechecks)/elapsed.Seconds(), "rechecks/s")
	b.ReportMetric(total.NotModifiedShare()*100, "%304")
	b.ReportMetric(float64(total.RecheckBytes)/float64(max(total.Rechecks, 1)), "wireB/recheck")
	b.ReportMetric(float64(rssBytes())/(1<<20), "RSS-MB")
	b.ReportMetric(float64(total.Detections)/float64(max(total.Rechecks, 1))*100, "%detected")
}

// rssBytes reads the resident set size from /proc (Linux); 0 elsewhere.
func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
