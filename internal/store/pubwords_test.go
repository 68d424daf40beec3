package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// TestFrequentWordSets keeps the match sets of frequent words (thresholds
// lowered to this small record) and checks that searches answered from
// them equal SQL's, after start-up and after publications and withdrawals
// the sets are patched for, and that a set is brought forward, not read
// again.
func TestFrequentWordSets(t *testing.T) { onBothEngines(t, testFrequentWordSets) }

// onBothEngines runs test on a fresh SQLite database and, when
// PRESSWATCH_TEST_POSTGRES is set, on a fresh PostgreSQL schema.
func onBothEngines(t *testing.T, test func(*testing.T, *store.DB)) {
	t.Run("sqlite", func(t *testing.T) { test(t, storetest.MustOpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) {
		if !storetest.PostgresEnabled() {
			t.Skip("set PRESSWATCH_TEST_POSTGRES to run on PostgreSQL")
		}
		test(t, storetest.MustOpenPostgres(t))
	})
}

func testFrequentWordSets(t *testing.T, db *store.DB) {
	defer store.SetWordThresholds(20, 1000)()
	ctx := context.Background()
	pubs := storetest.SeedPublic(t, db, 600, 11)
	if err := db.WarmPublic(ctx); err != nil {
		t.Fatal(err)
	}
	// A word met for the first time by a search is kept when frequent.
	if _, err := db.SearchPublic(ctx, domain.IncidentFilter{Q: "court"}); err != nil {
		t.Fatal(err)
	}
	if g, n := store.WordSet(db, "court"); g < 0 || n < 20 {
		t.Errorf(`"court" after a search: generation %d, %d matches; want kept`, g, n)
	}
	if g, _ := store.WordSet(db, "journalist"); g >= 0 {
		t.Errorf(`"journalist" kept before any search for it or WarmWords`)
	}

	kept, err := db.WarmWords(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if kept < 5 {
		t.Fatalf("WarmWords kept %d word sets, want several", kept)
	}
	gen0, n0 := store.WordSet(db, "journalist")
	if gen0 < 0 {
		t.Fatal(`"journalist" (in most incidents) is not kept`)
	}
	t.Run("warm", func(t *testing.T) { compareIndex(t, db) })

	storetest.SeedPublic(t, db, 30, 12)
	ed := storetest.MustUser(t, db, "ed@example.org", domain.RoleEditor)
	for _, p := range pubs[:20] {
		if _, err := db.Withdraw(ctx, p.ID, "duplicate", ed); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("changed", func(t *testing.T) { compareIndex(t, db) })
	gen1, n1 := store.WordSet(db, "journalist")
	if gen1 <= gen0 {
		t.Errorf(`"journalist" set at generation %d after changes, was %d: not brought forward`, gen1, gen0)
	}
	if n1 == n0 {
		t.Errorf(`"journalist" matches %d before and after 30 publications and 20 withdrawals`, n1)
	}

	// Words whose doclists are long together are listed newest first
	// (SQLite: PostgreSQL's ts_rank scores only the matching rows);
	// under the bound, ranked as SQL ranks them.
	if db.Dialect().IsPostgres() {
		return
	}
	ranked := domain.IncidentFilter{Q: "journalist court", PerPage: 50}
	byDate := ranked
	byDate.Sort = "date"
	store.DropCache(db)
	rel, err := db.SearchPublic(ctx, ranked)
	if err != nil {
		t.Fatal(err)
	}
	newest, err := db.SearchPublic(ctx, byDate)
	if err != nil {
		t.Fatal(err)
	}
	if rel.Total == 0 || rel.Total > 20_000 {
		t.Fatalf("%q matches %d: want some, at most 20,000 (ranked)", ranked.Q, rel.Total)
	}
	if slices.Equal(refsIn(rel), refsIn(newest)) {
		t.Fatalf("%q: relevance order equals date order; the bound below cannot be told apart", ranked.Q)
	}
	restore := store.SetRankWalkBound(10)
	store.DropCache(db)
	bounded, err := db.SearchPublic(ctx, ranked)
	restore()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(refsIn(bounded), refsIn(newest)) {
		t.Errorf("%q over the walk bound: %v, want newest first %v", ranked.Q, refsIn(bounded), refsIn(newest))
	}
	// The page says so (the list tells the reader); a ranked one does not.
	if !bounded.Unranked || rel.Unranked || newest.Unranked {
		t.Errorf("Unranked: %v over the bound, %v ranked, %v by date; want true, false, false", bounded.Unranked, rel.Unranked, newest.Unranked)
	}
}

// TestFrequentWordSetsConcurrent searches kept words from several
// goroutines while incidents are withdrawn (the race detector watches the
// sets' sharing), then checks the answer against SQL.
func TestFrequentWordSetsConcurrent(t *testing.T) {
	onBothEngines(t, testFrequentWordSetsConcurrent)
}

func testFrequentWordSetsConcurrent(t *testing.T, db *store.DB) {
	defer store.SetWordThresholds(20, 1000)()
	ctx := context.Background()
	pubs := storetest.SeedPublic(t, db, 300, 21)
	if _, err := db.WarmWords(ctx); err != nil {
		t.Fatal(err)
	}
	ed := storetest.MustUser(t, db, "ed@example.org", domain.RoleEditor)
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if _, err := db.SearchPublic(ctx, domain.IncidentFilter{Q: "journalist police"}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for _, p := range pubs[:15] {
		if _, err := db.Withdraw(ctx, p.ID, "duplicate", ed); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	f := domain.IncidentFilter{Q: "journalist police"}
	store.DropCache(db)
	got, err := db.SearchPublic(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	store.SetPublicIndex(db, false)
	want, err := db.SearchPublic(ctx, f)
	store.SetPublicIndex(db, true)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != want.Total || !slices.Equal(refsIn(got), refsIn(want)) {
		t.Errorf("after concurrent searches and withdrawals: index %d %v, SQL %d %v", got.Total, refsIn(got), want.Total, refsIn(want))
	}
}
