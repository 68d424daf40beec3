package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// TestOptimizeSearchMerges loads the record in several batches (each leaves
// its own full-text segments), merges the index and checks that one segment
// is left and that searches find the same incidents, with highlights, as
// before.
func TestOptimizeSearchMerges(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSQLite(t)
	for i := range 4 {
		if err := db.SeedPublic(ctx, storetest.GeneratePublic(300, uint64(100+i*300))); err != nil {
			t.Fatal(err)
		}
	}
	if n := segments(t, db); n < 2 {
		t.Fatalf("%d full-text segments after four loads; the test needs several", n)
	}
	queries := []string{"journalist", "licence raid", "صحافی", "पत्रकार"}
	before := map[string][]string{}
	for _, q := range queries {
		before[q] = searchRefs(t, db, q)
		if len(before[q]) == 0 {
			t.Fatalf("q=%s finds nothing in the seeded record", q)
		}
	}
	if err := db.OptimizeSearch(ctx); err != nil {
		t.Fatal(err)
	}
	if n := segments(t, db); n != 1 {
		t.Fatalf("%d full-text segments after OptimizeSearch, want 1", n)
	}
	for _, q := range queries {
		if got := searchRefs(t, db, q); !slices.Equal(got, before[q]) {
			t.Errorf("q=%s after merging: %v, before: %v", q, got, before[q])
		}
	}
}

func segments(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(context.Background(), "SELECT count(DISTINCT segid) FROM public_fts_idx").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// searchRefs returns the refs and snippets of the first page of q.
func searchRefs(t *testing.T, db *store.DB, q string) []string {
	t.Helper()
	page, err := db.SearchPublic(context.Background(), domain.IncidentFilter{Q: q, PerPage: 50})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range page.Items {
		out = append(out, it.Ref+" "+it.Snippet)
	}
	return out
}
