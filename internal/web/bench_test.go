package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/presswatch/presswatch/internal/demo"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/store"
)

// BenchmarkPublicPages measures the real handlers over the real SQLite
// store filled with the demo set (PRESSWATCH_BENCH_INCIDENTS incidents,
// default 500), requests run in parallel on every core.
func BenchmarkPublicPages(b *testing.B) {
	n := 500
	if v, err := strconv.Atoi(os.Getenv("PRESSWATCH_BENCH_INCIDENTS")); err == nil && v > 0 {
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
	svc := editorial.New(db, db, db, db, db, nil)
	svc.SetPasswordParams(editorial.PasswordParams{Time: 1, Memory: 64, Threads: 1})
	if _, err := demo.Seed(ctx, svc, demo.Options{Incidents: n}); err != nil {
		b.Fatal(err)
	}
	srv, err := New(Options{Service: svc, Public: db, Sessions: db, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, path string }{
		{"list", "/incidents"},
		{"list_country", "/incidents?country=PK"},
		{"list_category_page2", "/incidents?category=threat&page=2"},
		{"home", "/"},
		{"json", "/incidents.json"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					w := httptest.NewRecorder()
					srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, bc.path, nil))
					if w.Code != 200 {
						b.Fatalf("%s: %d", bc.path, w.Code)
					}
				}
			})
		})
	}
}
