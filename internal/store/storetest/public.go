package storetest

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
)

// Matches is the reference implementation of the filter (without q): what
// SearchPublic must select, computed in Go.
func Matches(p *domain.PublicIncident, f domain.IncidentFilter) bool {
	if p.Status != domain.PublicationPublished {
		return false
	}
	one := func(vals []string, v string) bool { return len(vals) == 0 || slices.Contains(vals, v) }
	any := func(vals []string, have []string) bool {
		if len(vals) == 0 {
			return true
		}
		for _, h := range have {
			if slices.Contains(vals, h) {
				return true
			}
		}
		return false
	}
	if !one(f.Country, p.Country) || !one(f.Admin1, p.Admin1) || !one(f.Verification, p.Verification) {
		return false
	}
	ds := domain.SortDate(p.DateStart, p.DatePrecision)
	if len(f.Year) > 0 {
		y, _ := strconv.Atoi(ds[:min(4, len(ds))])
		if !slices.Contains(f.Year, y) {
			return false
		}
	}
	if f.From != "" && ds < f.From || f.To != "" && (ds == "" || ds > f.To) {
		return false
	}
	if f.Demo != nil && p.Demo != *f.Demo {
		return false
	}
	fam := domain.NewVocabSet(domain.DefaultTerms())
	var cats, fams, actors, roles, genders []string
	for _, v := range p.Violations {
		cats, fams = append(cats, v.Category), append(fams, fam.Family(v.Category))
		for _, a := range v.Actors {
			actors = append(actors, a.Type)
		}
		for _, t := range v.Targets {
			roles = append(roles, t.Role)
			if t.Kind == domain.TargetPerson {
				genders = append(genders, t.Gender)
			}
		}
	}
	return any(f.Category, cats) && any(f.Family, fams) && any(f.ActorType, actors) && any(f.TargetRole, roles) &&
		any(f.Gender, genders) && any(f.Tag, p.Tags)
}

var filterCases = []struct {
	name string
	f    domain.IncidentFilter
}{
	{"empty", domain.IncidentFilter{}},
	{"country", domain.IncidentFilter{Country: []string{"PK"}}},
	{"two countries", domain.IncidentFilter{Country: []string{"PK", "BD"}}},
	{"unknown country", domain.IncidentFilter{Country: []string{"ZZ"}}},
	{"admin1", domain.IncidentFilter{Admin1: []string{"PK-PB", "IN-DL"}}},
	{"category", domain.IncidentFilter{Category: []string{"website_blocked"}}},
	{"unknown category", domain.IncidentFilter{Category: []string{"no_such_code"}}},
	{"family", domain.IncidentFilter{Family: []string{"violence"}}},
	{"actor type", domain.IncidentFilter{ActorType: []string{"police", "mob"}}},
	{"target role", domain.IncidentFilter{TargetRole: []string{"editor"}}},
	{"gender", domain.IncidentFilter{Gender: []string{"woman"}}},
	{"verification", domain.IncidentFilter{Verification: []string{domain.VerificationConfirmed}}},
	{"tag", domain.IncidentFilter{Tag: []string{"elections"}}},
	{"year", domain.IncidentFilter{Year: []int{2019, 2021}}},
	{"from", domain.IncidentFilter{From: "2023-06-01"}},
	{"to", domain.IncidentFilter{To: "2016-12-31"}},
	{"from to", domain.IncidentFilter{From: "2018-01-01", To: "2018-12-31"}},
	{"demo", domain.IncidentFilter{Demo: new(bool)}},
	{"combined", domain.IncidentFilter{Country: []string{"PK"}, Category: []string{"arrest_detention", "threat"}, Gender: []string{"woman"}, From: "2017-01-01"}},
	{"combined terms", domain.IncidentFilter{ActorType: []string{"police"}, TargetRole: []string{"reporter"}, Family: []string{"legal"}}},
}

func refsOf(ps []*domain.PublicIncident) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Ref
	}
	sort.Strings(out)
	return out
}

func testFilters(t *testing.T, db *store.DB) {
	pubs := SeedPublic(t, db, 600, 1)
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			var want []*domain.PublicIncident
			persons := 0
			for _, p := range pubs {
				if Matches(p, tc.f) {
					want = append(want, p)
					persons += p.Persons()
				}
			}
			var got []*domain.PublicIncident
			must(t, db.EachPublic(ctx, tc.f, func(p *domain.PublicIncident) error { got = append(got, p); return nil }))
			if w, g := refsOf(want), refsOf(got); !slices.Equal(w, g) {
				t.Fatalf("EachPublic: %d incidents, want %d", len(g), len(w))
			}
			f := tc.f
			f.PerPage = 500
			page, err := db.SearchPublic(ctx, f)
			must(t, err)
			if page.Total != len(want) || page.Persons != persons {
				t.Fatalf("SearchPublic totals = %d incidents, %d persons; want %d, %d", page.Total, page.Persons, len(want), persons)
			}
			if len(want) > 0 && len(want) <= 500 && !slices.Equal(refsOf(page.Items), refsOf(want)) {
				t.Fatal("SearchPublic items differ from the reference")
			}
			for i := 1; i < len(page.Items); i++ {
				a, b := domain.SortDate(page.Items[i-1].DateStart, page.Items[i-1].DatePrecision), domain.SortDate(page.Items[i].DateStart, page.Items[i].DatePrecision)
				if a < b {
					t.Fatalf("not newest first at %d: %s before %s", i, a, b)
				}
			}
		})
	}
}

func testPaging(t *testing.T, db *store.DB) {
	SeedPublic(t, db, 230, 2)
	for _, sortBy := range []string{"date", "oldest", "updated", "relevance"} {
		t.Run(sortBy, func(t *testing.T) {
			base := domain.IncidentFilter{Sort: sortBy, PerPage: 25}
			if sortBy == "relevance" {
				base.Q = "journalist"
			}
			var all []*domain.PublicIncident
			must(t, db.EachPublic(ctx, base, func(p *domain.PublicIncident) error { all = append(all, p); return nil }))
			// Pages by number.
			var byPage []string
			for n := 1; ; n++ {
				f := base
				f.Page = n
				page, err := db.SearchPublic(ctx, f)
				must(t, err)
				if page.Total != len(all) {
					t.Fatalf("page %d: total %d, want %d", n, page.Total, len(all))
				}
				if len(page.Items) == 0 {
					break
				}
				for _, p := range page.Items {
					byPage = append(byPage, p.Ref)
				}
			}
			// Pages by cursor.
			var byCursor []string
			f := base
			for i := 0; i < 100; i++ {
				page, err := db.SearchPublic(ctx, f)
				must(t, err)
				for _, p := range page.Items {
					byCursor = append(byCursor, p.Ref)
				}
				if page.NextCursor == "" {
					break
				}
				f.After = page.NextCursor
			}
			var want []string
			for _, p := range all {
				want = append(want, p.Ref)
			}
			if !slices.Equal(byPage, want) {
				t.Errorf("pages by number: %d refs, want %d in the stream's order", len(byPage), len(want))
			}
			if !slices.Equal(byCursor, want) {
				t.Errorf("pages by cursor: %d refs, want %d in the stream's order", len(byCursor), len(want))
			}
			// The refs alone, in the same order (a mirror's index patch).
			refs, err := db.PublicRefs(ctx, base)
			must(t, err)
			if !slices.Equal(refs, want) {
				t.Errorf("PublicRefs: %d refs, want the %d of EachPublic in its order", len(refs), len(want))
			}
			// Pages at any offset (the public list's blocks counted from
			// the oldest start anywhere).
			for _, off := range []int{1, 7, 24, 200, 229, 230} {
				f := base
				f.Offset, f.PerPage = off, 25
				page, err := db.SearchPublic(ctx, f)
				must(t, err)
				var got []string
				for _, p := range page.Items {
					got = append(got, p.Ref)
				}
				if w := want[min(off, len(want)):min(off+25, len(want))]; !slices.Equal(got, w) || page.Total != len(all) {
					t.Errorf("offset %d: %v (total %d), want %v", off, got, page.Total, w)
				}
			}
		})
	}
	for _, bad := range []string{"x", "!!!", "eyJzIjoiZGF0ZSJ9x", "eyJzIjoib2xkZXN0In0"} {
		_, err := db.SearchPublic(ctx, domain.IncidentFilter{After: bad})
		wantCode(t, err, domain.EINVALID)
	}
}

func testSearch(t *testing.T, db *store.DB) {
	ed := MustUser(t, db, "ed@example.org", domain.RoleEditor)
	ed2 := MustUser(t, db, "ed2@example.org", domain.RoleEditor)
	SeedPublic(t, db, 60, 3)
	en := NewIncident("Editor of <b>Weekly</b> Frontier detained")
	en.Body = "The editor was held for questioning about a column on floods."
	en.Violations[0].Targets[0].Outlet = "Frontier Weekly"
	en.Translations = map[string]domain.Translation{
		"ur": {Title: "مدیر زیر حراست", Summary: "ہفت روزہ فرنٹیئر کے مدیر کو حراست میں لے لیا گیا"},
		"hi": {Title: "संपादक हिरासत में", Summary: "फ्रंटियर साप्ताहिक के संपादक को हिरासत में लिया गया"},
	}
	p := publishNow(t, db, en, ed, ed2)

	tests := []struct {
		q       string
		wantRef bool // the published incident is among the results
		min     int  // at least this many results
	}{
		{"frontier", true, 1},
		{"FLOODS", true, 1},
		{"Ayesha Malik", true, 1},    // target name
		{"Frontier Weekly", true, 1}, // outlet
		{"Khabar", false, 1},         // seeded outlets
		{"حراست", true, 1},           // Urdu
		{"مدیر", true, 1},            // Urdu
		{"हिरासत", true, 1},          // Hindi (with combining marks)
		{"संपादक", true, 1},          // Hindi
		{"صحافی", false, 1},          // Urdu in seeded translations
		{"पत्रकार", false, 1},        // Hindi in seeded translations
		{"frontier nosuchword", false, 0},
		{`"`, false, 0},
		{`AND (`, false, 0},
		{`*`, false, 0},
		{`NEAR(`, false, 0},
		{`frontier (`, true, 1},
		{`floods AND (`, false, 0},
		{`frontier"`, true, 1},
		{`title:frontier`, false, 0},
		{`-frontier`, true, 1},
		{`'; DROP TABLE public_incidents; --`, false, 0},
		{`col:* OR ^x`, false, 0},
		{strings.Repeat("zq ", 100), false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			page, err := db.SearchPublic(ctx, domain.IncidentFilter{Q: tc.q, PerPage: 100})
			if err != nil {
				t.Fatalf("search %q: %v", tc.q, err)
			}
			found := false
			for _, it := range page.Items {
				if it.Ref == p.Ref {
					found = true
					if !strings.Contains(it.Snippet, "<mark>") {
						t.Errorf("snippet without highlight: %q", it.Snippet)
					}
					if strings.Contains(it.Snippet, "<b>") {
						t.Errorf("snippet not HTML-escaped: %q", it.Snippet)
					}
				}
			}
			if found != tc.wantRef || page.Total < tc.min || page.Total != len(page.Items) && len(page.Items) < 100 {
				t.Fatalf("q %q: found %v (want %v), total %d (want ≥ %d)", tc.q, found, tc.wantRef, page.Total, tc.min)
			}
			f, err := db.Facets(ctx, domain.IncidentFilter{Q: tc.q})
			must(t, err)
			if f.Incidents != page.Total {
				t.Errorf("facets count %d, search %d", f.Incidents, page.Total)
			}
		})
	}
	// Search combines with filters.
	page, err := db.SearchPublic(ctx, domain.IncidentFilter{Q: "frontier floods", Country: []string{"IN"}})
	must(t, err)
	if page.Total != 0 {
		t.Errorf("q + country: %d results, want 0", page.Total)
	}
}

func testFacets(t *testing.T, db *store.DB) {
	SeedPublic(t, db, 400, 4)
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			facets, err := db.Facets(ctx, tc.f)
			must(t, err)
			page, err := db.SearchPublic(ctx, tc.f)
			must(t, err)
			if facets.Incidents != page.Total || facets.Persons != page.Persons {
				t.Fatalf("facets totals %d/%d, search %d/%d", facets.Incidents, facets.Persons, page.Total, page.Persons)
			}
			for _, field := range domain.FacetFields {
				if termFieldSet(tc.f, field) {
					// An incident with several categories counts under each;
					// the filter cannot say "this one too", so skip.
					continue
				}
				for _, c := range facets.Fields[field] {
					f := withValue(tc.f, field, c.Value)
					got, err := db.SearchPublic(ctx, f)
					must(t, err)
					if got.Total != c.Count {
						t.Errorf("facet %s=%s counts %d, search with it %d", field, c.Value, c.Count, got.Total)
					}
				}
			}
			if page.Total > 0 && len(facets.Fields["country"]) == 0 {
				t.Error("no country facet")
			}
			again, err := db.Facets(ctx, tc.f) // cached
			must(t, err)
			if fmt.Sprint(again) != fmt.Sprint(facets) {
				t.Error("cached facets differ")
			}
		})
	}
}

func termFieldSet(f domain.IncidentFilter, field string) bool {
	switch field {
	case "family":
		return len(f.Family) > 0
	case "category":
		return len(f.Category) > 0
	case "actor_type":
		return len(f.ActorType) > 0
	case "target_role":
		return len(f.TargetRole) > 0
	case "gender":
		return len(f.Gender) > 0
	}
	return false
}

// withValue adds one value of a facet field to the filter (AND with it).
func withValue(f domain.IncidentFilter, field, v string) domain.IncidentFilter {
	switch field {
	case "country":
		f.Country = []string{v}
	case "admin1":
		f.Admin1 = []string{v}
	case "family":
		f.Family = []string{v}
	case "category":
		f.Category = []string{v}
	case "actor_type":
		f.ActorType = []string{v}
	case "target_role":
		f.TargetRole = []string{v}
	case "gender":
		f.Gender = []string{v}
	case "year":
		y, _ := strconv.Atoi(v)
		f.Year = []int{y}
	case "verification":
		f.Verification = []string{v}
	}
	return f
}

func testConcurrentWriters(t *testing.T, db *store.DB) {
	ed := MustUser(t, db, "ed@example.org", domain.RoleEditor)
	const writers, each = 20, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	refs := make(chan string, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				inc := NewIncident(fmt.Sprintf("Concurrent %d/%d", w, i))
				if err := db.CreateIncident(ctx, inc, ed, ""); err != nil {
					errs <- err
					continue
				}
				refs <- inc.Ref
				inc.Summary = "edited"
				if err := db.UpdateIncident(ctx, inc, ed, ""); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	close(refs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	seen := map[string]bool{}
	for r := range refs {
		if seen[r] {
			t.Errorf("duplicate ref %s", r)
		}
		seen[r] = true
	}
	_, total, err := db.ListIncidents(ctx, domain.StaffFilter{})
	must(t, err)
	if total != writers*each || len(seen) != writers*each {
		t.Fatalf("%d incidents, %d refs; want %d", total, len(seen), writers*each)
	}
	var revs int
	must(t, db.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM incident_revisions").Scan(&revs))
	if revs != 2*writers*each {
		t.Errorf("%d revisions, want %d", revs, 2*writers*each)
	}
}
