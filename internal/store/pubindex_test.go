package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// indexFilters are compared between the in-memory index and SQL.
var indexFilters = []struct {
	name string
	f    domain.IncidentFilter
}{
	{"empty", domain.IncidentFilter{}},
	{"country", domain.IncidentFilter{Country: []string{"PK"}}},
	{"countries", domain.IncidentFilter{Country: []string{"PK", "BD"}}},
	{"unknown country", domain.IncidentFilter{Country: []string{"ZZ"}}},
	{"known and unknown", domain.IncidentFilter{Country: []string{"ZZ", "IN"}}},
	{"admin1", domain.IncidentFilter{Admin1: []string{"PK-PB", "IN-DL"}}},
	{"category", domain.IncidentFilter{Category: []string{"website_blocked"}}},
	{"unknown category", domain.IncidentFilter{Category: []string{"no_such_code"}}},
	{"family", domain.IncidentFilter{Family: []string{"violence"}}},
	{"actor", domain.IncidentFilter{ActorType: []string{"police", "mob"}}},
	{"role", domain.IncidentFilter{TargetRole: []string{"editor"}}},
	{"gender", domain.IncidentFilter{Gender: []string{"woman"}}},
	{"verification", domain.IncidentFilter{Verification: []string{domain.VerificationConfirmed}}},
	{"tag", domain.IncidentFilter{Tag: []string{"elections"}}},
	{"year", domain.IncidentFilter{Year: []int{2019, 2021}}},
	{"from", domain.IncidentFilter{From: "2023-06-01"}},
	{"to", domain.IncidentFilter{To: "2016-12-31"}},
	{"from to", domain.IncidentFilter{From: "2018-01-01", To: "2018-12-31"}},
	{"demo", domain.IncidentFilter{Demo: new(bool)}},
	{"combined", domain.IncidentFilter{Country: []string{"PK"}, Category: []string{"arrest_detention", "threat"}, Gender: []string{"woman"}, From: "2017-01-01"}},
	{"terms", domain.IncidentFilter{ActorType: []string{"police"}, TargetRole: []string{"reporter"}, Family: []string{"legal"}}},
	{"q", domain.IncidentFilter{Q: "journalist"}},
	{"q urdu", domain.IncidentFilter{Q: "صحافی"}},
	{"q and filter", domain.IncidentFilter{Q: "police court", Country: []string{"IN"}}},
	{"q nothing", domain.IncidentFilter{Q: "nosuchwordanywhere"}},
	{"q no words", domain.IncidentFilter{Q: "*"}},
	{"oldest", domain.IncidentFilter{Sort: "oldest", Country: []string{"AF", "LK"}}},
	{"page 3", domain.IncidentFilter{Page: 3, PerPage: 7, Category: []string{"threat"}}},
	{"deep page", domain.IncidentFilter{Page: 40, PerPage: 10}},
	{"past the end", domain.IncidentFilter{Page: 400, PerPage: 50}},
}

// compareIndex checks that every filter gives the same page, totals, next
// cursor, cursor pages and facets from the index as from SQL.
func compareIndex(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	answer := func(on bool, f domain.IncidentFilter) (*domain.PublicPage, *domain.Facets, []string) {
		t.Helper()
		store.SetPublicIndex(db, on)
		store.DropCache(db)
		page, err := db.SearchPublic(ctx, f)
		if err != nil {
			t.Fatalf("index %v: search: %v", on, err)
		}
		// Facets right after the search (as the list page asks) may come
		// from the search's pass; they must equal facets counted alone.
		warm, err := db.Facets(ctx, f)
		if err != nil {
			t.Fatalf("index %v: facets: %v", on, err)
		}
		store.DropCache(db)
		facets, err := db.Facets(ctx, f)
		if err != nil {
			t.Fatalf("index %v: facets: %v", on, err)
		}
		if !reflect.DeepEqual(warm, facets) {
			t.Errorf("index %v: facets after the search differ from facets alone:\n%+v\n%+v", on, warm, facets)
		}
		// Follow cursors for three pages.
		var refs []string
		g := f
		g.Page, g.PerPage = 0, 9
		for i := 0; i < 3; i++ {
			p, err := db.SearchPublic(ctx, g)
			if err != nil {
				t.Fatalf("index %v: cursor page %d: %v", on, i, err)
			}
			for _, it := range p.Items {
				refs = append(refs, it.Ref)
			}
			if p.NextCursor == "" {
				break
			}
			g.After = p.NextCursor
		}
		return page, facets, refs
	}
	for _, tc := range indexFilters {
		t.Run(tc.name, func(t *testing.T) {
			wantPage, wantFacets, wantRefs := answer(false, tc.f)
			gotPage, gotFacets, gotRefs := answer(true, tc.f)
			if gotPage.Total != wantPage.Total || gotPage.Persons != wantPage.Persons {
				t.Errorf("totals: index %d/%d, SQL %d/%d", gotPage.Total, gotPage.Persons, wantPage.Total, wantPage.Persons)
			}
			if !reflect.DeepEqual(refsIn(gotPage), refsIn(wantPage)) {
				t.Errorf("page: index %v, SQL %v", refsIn(gotPage), refsIn(wantPage))
			}
			if gotPage.NextCursor != wantPage.NextCursor {
				t.Errorf("next cursor: index %q, SQL %q", gotPage.NextCursor, wantPage.NextCursor)
			}
			for i := range gotPage.Items {
				if i < len(wantPage.Items) && gotPage.Items[i].Snippet != wantPage.Items[i].Snippet {
					t.Errorf("snippet %d: index %q, SQL %q", i, gotPage.Items[i].Snippet, wantPage.Items[i].Snippet)
				}
			}
			if !reflect.DeepEqual(gotFacets, wantFacets) {
				t.Errorf("facets differ:\nindex %+v\nSQL   %+v", gotFacets, wantFacets)
			}
			if !reflect.DeepEqual(gotRefs, wantRefs) {
				t.Errorf("cursor pages: index %v, SQL %v", gotRefs, wantRefs)
			}
		})
	}
	store.SetPublicIndex(db, true)
}

func refsIn(p *domain.PublicPage) []string {
	out := []string{}
	for _, it := range p.Items {
		out = append(out, it.Ref)
	}
	return out
}

func testPublicIndex(t *testing.T, db *store.DB) {
	ctx := context.Background()
	pubs := storetest.SeedPublic(t, db, 700, 7)
	if err := db.SeedPublic(ctx, statsEdgeIncidents()); err != nil {
		t.Fatal(err)
	}
	t.Run("loaded", func(t *testing.T) { compareIndex(t, db) })
	t.Run("loaded stats", func(t *testing.T) { compareStats(t, db) })
	t.Run("parallel passes", func(t *testing.T) {
		old := store.SetParallelMinRows(1)
		defer store.SetParallelMinRows(old)
		compareIndex(t, db)
		compareStats(t, db)
	})
	gen := store.PublicIndexGen(db)

	// A small bulk load and withdrawals are applied as changes.
	storetest.SeedPublic(t, db, 40, 8)
	ed := storetest.MustUser(t, db, "ed@example.org", domain.RoleEditor)
	for _, p := range pubs[:25] {
		if _, err := db.Withdraw(ctx, p.ID, "duplicate", ed); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("updated", func(t *testing.T) { compareIndex(t, db) })
	t.Run("updated stats", func(t *testing.T) { compareStats(t, db) })
	if g := store.PublicIndexGen(db); g <= gen {
		t.Fatalf("index generation %d after changes, was %d", g, gen)
	}

	// Changes made while the index is off are caught up from
	// public_changes, like changes made by another process.
	store.SetPublicIndex(db, false)
	for _, p := range pubs[25:30] {
		if _, err := db.Withdraw(ctx, p.ID, "duplicate", ed); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("after more changes", func(t *testing.T) { compareIndex(t, db) })
	t.Run("after more changes stats", func(t *testing.T) { compareStats(t, db) })
}

func TestPublicIndexSQLite(t *testing.T) {
	testPublicIndex(t, storetest.MustOpenSQLite(t))
}

func TestPublicIndexPostgres(t *testing.T) {
	if !storetest.PostgresEnabled() {
		t.Skip("set PRESSWATCH_TEST_POSTGRES to run on PostgreSQL")
	}
	testPublicIndex(t, storetest.MustOpenPostgres(t))
}

func TestSortDateEncoding(t *testing.T) {
	for _, s := range []string{"", "2024-06-01", "1999-12-31", "0001-01-01"} {
		n, ok := store.EncodeSortDate(s)
		if !ok || store.DecodeSortDate(n) != s {
			t.Errorf("%q: %d %v → %q", s, n, ok, store.DecodeSortDate(n))
		}
	}
	for _, s := range []string{"2024", "2024-6-1", "2024-06-0x", "0000-00-00", "abcd-ef-gh"} {
		if _, ok := store.EncodeSortDate(s); ok {
			t.Errorf("%q encoded", s)
		}
	}
}

// TestFullTextHalvesOneSnapshot: a publication committed between a
// search's snapshot and its second connection's start must not show in
// the search (the second connection sees another generation, so the first
// reads the upper half itself).
func TestFullTextHalvesOneSnapshot(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	storetest.SeedPublic(t, db, 400, 7)
	old := store.SetParallelMinRows(1)
	defer store.SetParallelMinRows(old)
	f := domain.IncidentFilter{Q: "journalist"}
	want, err := db.SearchPublic(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	if err := db.EachPublic(ctx, f, func(p *domain.PublicIncident) error {
		last = max(last, p.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want.Total < 10 || last == 0 {
		t.Fatalf("too few matches to test: %d", want.Total)
	}
	ed := storetest.MustUser(t, db, "ed@example.org", domain.RoleEditor)
	withdrawn := false
	store.SetFTSHelperStart(func() {
		if !withdrawn {
			withdrawn = true
			if _, err := db.Withdraw(ctx, last, "duplicate", ed); err != nil {
				t.Error(err)
			}
		}
	})
	defer store.SetFTSHelperStart(nil)
	store.DropCache(db)
	got, err := db.SearchPublic(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if !withdrawn {
		t.Fatal("the search did not read its matches in two halves")
	}
	if got.Total != want.Total || !reflect.DeepEqual(refsIn(got), refsIn(want)) {
		t.Errorf("search during a withdrawal: total %d, page %v; want the snapshot's %d, %v", got.Total, refsIn(got), want.Total, refsIn(want))
	}
	after, err := db.SearchPublic(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if after.Total != want.Total-1 {
		t.Errorf("after the withdrawal: total %d, want %d", after.Total, want.Total-1)
	}
}
