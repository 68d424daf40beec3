package mirror

import (
	"context"
	"log/slog"
	"reflect"
	"testing"

	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/store/storetest"
	"github.com/presswatch/presswatch/internal/web"
)

// TestSearchIndexStreamMatchesJSON: the search index read from the
// incident stream is the one read from the site's JSON list (more than one
// page of it), item for item and in the same order.
func TestSearchIndexStreamMatchesJSON(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	storetest.SeedPublic(t, db, 620, 3)
	svc := editorial.New(db, db, db, db, db, nil)
	h, err := web.New(web.Options{Service: svc, Public: db, Sessions: db, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b := &builder{opts: Options{Handler: h}}
	streamed, err := b.searchIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	paged, err := b.searchIndexJSON(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(streamed) != 620 || len(paged) != 620 {
		t.Fatalf("streamed %d, paged %d items, want 620", len(streamed), len(paged))
	}
	if !reflect.DeepEqual(streamed, paged) {
		for i := range streamed {
			if !reflect.DeepEqual(streamed[i], paged[i]) {
				t.Fatalf("item %d: streamed %+v, paged %+v", i, streamed[i], paged[i])
			}
		}
	}
}
