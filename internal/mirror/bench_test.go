package mirror_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/mirror"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
	"github.com/presswatch/presswatch/internal/web"
)

// BenchmarkBuild builds a full mirror, then an incremental one with
// nothing changed, of PRESSWATCH_BENCH_MIRROR_INCIDENTS bulk-seeded
// incidents (default 1,000; the target is 100,000 in ≤ 2 min).
func BenchmarkBuild(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("PRESSWATCH_BENCH_MIRROR_INCIDENTS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	storetest.SeedPublic(b, db, n, 7)
	svc := editorial.New(db, db, db, db, db, nil)
	h, err := web.New(web.Options{Service: svc, Public: db, Sessions: db, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("full-"+strconv.Itoa(n), func(b *testing.B) {
		for b.Loop() {
			res, err := mirror.Build(ctx, mirror.Options{Handler: h, Out: b.TempDir(), Version: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(res.Rendered), "pages")
		}
	})
}
