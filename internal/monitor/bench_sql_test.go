package monitor_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/blob"
	"github.com/presswatch/presswatch/internal/evidence"
	"github.com/presswatch/presswatch/internal/evidence/archive"
	"github.com/presswatch/presswatch/internal/monitor"
	mt "github.com/presswatch/presswatch/internal/monitor/monitortest"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// BenchmarkRecheckFleetSQL is BenchmarkRecheckFleet with the product's
// parts: the SQL store on SQLite (leases and all) and the evidence
// pipeline as the article Fetcher (every changed page a capture with its
// WARC blob, capture row and log entry; 304 answers keep nothing). The
// fleet is the 1,000×200 (loaded one outlet per transaction);
// PRESSWATCH_BENCH_FLEET="100x200" scales it. Extra metrics: disk bytes
// (database + WAL + blobs growth) per re-check.
//
// With PRESSWATCH_TEST_POSTGRES set, the sub-benchmark "postgres" runs the
// same fleet on PostgreSQL (its disk metric then counts only the blobs).
func BenchmarkRecheckFleetSQL(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		dir := b.TempDir()
		benchRecheckFleetSQL(b, dir, storetest.MustOpen(b, filepath.Join(dir, "presswatch.db")))
	})
	if storetest.PostgresEnabled() {
		b.Run("postgres", func(b *testing.B) {
			benchRecheckFleetSQL(b, b.TempDir(), storetest.MustOpenPostgres(b))
		})
	}
}

func benchRecheckFleetSQL(b *testing.B, dir string, db *store.DB) {
	ctx := context.Background()
	nOutlets, nArticles := benchSize()
	fleet := mt.NewFleet(b, nOutlets, nArticles, 50)
	store := db.Monitor()
	blobs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < nOutlets; i++ {
		slug := fmt.Sprintf("o%04d", i)
		if err := store.SaveOutlet(ctx, monitor.Outlet{Slug: slug, Name: slug, Homepage: fleet.HomeURL(i)}); err != nil {
			b.Fatal(err)
		}
		batch := make([]monitor.Article, 0, nArticles)
		for j := 0; j < nArticles; j++ {
			page, etag := fleet.Page(i, j, 0)
			u, _ := monitor.NormalizeURL(fleet.ArticleURL(i, j))
			first := now.Add(-time.Duration(r.Int64N(int64(30 * 24 * time.Hour))))
			batch = append(batch, monitor.Article{URL: u, Outlet: slug, FirstSeen: first, NextCheck: first.Add(time.Duration(r.Int64N(int64(time.Hour)))), State: monitor.StateLive,
				Baseline: monitor.Snapshot{Status: 200, URL: u, FinalURL: u, BodyHash: monitor.NewSnapshotHash(page), ETag: etag, FetchedAt: first}})
		}
		if _, err := store.AddArticles(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	client := mt.MustClient(b, 10*time.Second)
	cf := &monitor.CaptureFetcher{Archive: &archive.Service{Store: db, Blobs: blobs,
		Capturer: &evidence.Capturer{Client: client, Software: "presswatch-bench"}}}
	m, err := monitor.New(monitor.Options{Store: store, Fetcher: monitor.SafeFetcher{Client: client}, Articles: cf, Workers: 64})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	disk0 := dirSize(dir)
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
		total.Detections += st.Detections
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Rechecks)/elapsed.Seconds(), "rechecks/s")
	b.ReportMetric(total.NotModifiedShare()*100, "%304")
	b.ReportMetric(float64(dirSize(dir)-disk0)/float64(max(total.Rechecks, 1)), "diskB/recheck")
	b.ReportMetric(float64(cf.DiskBytes.Load())/float64(max(total.Rechecks, 1)), "warcB/recheck")
	b.ReportMetric(float64(rssBytes())/(1<<20), "RSS-MB")
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
