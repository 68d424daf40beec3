package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// statsFilters are the filters whose statistics are compared between the
// in-memory index and SQL, beside indexFilters.
var statsFilters = []struct {
	name string
	f    domain.IncidentFilter
}{
	{"country and year", domain.IncidentFilter{Country: []string{"PK"}, Year: []int{2020}}},
	{"odd outlets", domain.IncidentFilter{Tag: []string{"stats-edge"}}},
	{"odd outlets by name", domain.IncidentFilter{Q: "Edgeoutlet"}},
	{"month precision", domain.IncidentFilter{From: "2019-03-01", To: "2019-03-31"}},
}

// compareStats checks that Stats gives the same answer from the index as
// from SQL (the documents) for every filter, with a cold and a warm cache.
func compareStats(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	answer := func(on bool, f domain.IncidentFilter) *domain.Stats {
		t.Helper()
		store.SetPublicIndex(db, on)
		store.SetWholeStats(db, on)
		st, err := db.Stats(ctx, f)
		if err != nil {
			t.Fatalf("index %v: stats: %v", on, err)
		}
		again, err := db.Stats(ctx, f)
		if err != nil {
			t.Fatalf("index %v: stats again: %v", on, err)
		}
		if !reflect.DeepEqual(st, again) {
			t.Errorf("index %v: cached stats differ:\n%+v\n%+v", on, again, st)
		}
		// Stats after a search (whose pass may have cached the facets)
		// equal stats alone.
		store.DropCache(db)
		if _, err := db.SearchPublic(ctx, f); err != nil {
			t.Fatalf("index %v: search: %v", on, err)
		}
		after, err := db.Stats(ctx, f)
		if err != nil {
			t.Fatalf("index %v: stats after search: %v", on, err)
		}
		if !reflect.DeepEqual(st, after) {
			t.Errorf("index %v: stats after a search differ:\n%+v\n%+v", on, after, st)
		}
		return st
	}
	filters := append(append(statsFilters[:0:0], statsFilters...), indexFilters...)
	counted := false
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			want := answer(false, tc.f)
			got := answer(true, tc.f)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("stats differ:\nindex %+v\nSQL   %+v", got, want)
			}
			if want.Incidents > 0 && len(want.Monthly) > 0 && len(want.Targets) > 0 && len(want.Outlets) > 0 {
				counted = true
			}
		})
	}
	if !counted {
		t.Error("no filter had monthly, target and outlet counts: the comparison proves nothing")
	}
	store.SetPublicIndex(db, true)
	store.SetWholeStats(db, true)
}

// statsEdgeIncidents are incidents whose statistics are easy to get wrong:
// outlet names with separators, quotes and Urdu, the same outlet twice in
// one incident, persons without role or gender, a month-precision date.
func statsEdgeIncidents() []*domain.PublicIncident {
	pubs := storetest.GeneratePublic(6, 99)
	names := []string{"Edgeoutlet \x1f one=two", `Edgeoutlet "quoted", comma`, "Edgeoutlet روزنامہ", "Edgeoutlet 5:x"}
	for i, p := range pubs {
		p.Tags = []string{"stats-edge"}
		p.Violations = p.Violations[:1]
		v := &p.Violations[0]
		v.Targets = []domain.Target{
			{Kind: domain.TargetPerson, Name: "A", Outlet: names[i%len(names)]},
			{Kind: domain.TargetPerson, Name: "B", Role: "editor", Outlet: names[i%len(names)]},
			{Kind: domain.TargetOutlet, Name: names[(i+1)%len(names)]},
			{Kind: domain.TargetWebsite, Name: names[i%len(names)], URL: "https://example.org/"},
		}
	}
	pubs[0].DatePrecision, pubs[0].DateStart = domain.PrecisionMonth, "2019-03"
	pubs[1].DatePrecision, pubs[1].DateStart = domain.PrecisionDay, "2019-03-15"
	return pubs
}

func TestStatsEdgeIncidentsSeeded(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	if err := db.SeedPublic(context.Background(), statsEdgeIncidents()); err != nil {
		t.Fatal(err)
	}
	st, err := db.Stats(context.Background(), domain.IncidentFilter{Tag: []string{"stats-edge"}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Incidents != 6 || len(st.Outlets) != 4 {
		t.Fatalf("edge incidents: %+v", st)
	}
}
