package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// TestStats compares the statistics of several filters with counts made in
// Go from the seeded documents, on SQLite and (when set) PostgreSQL.
func TestStats(t *testing.T) {
	engines := map[string]func(testing.TB) *store.DB{"sqlite": storetest.MustOpenSQLite}
	if storetest.PostgresEnabled() {
		engines["postgres"] = storetest.MustOpenPostgres
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			pubs := storetest.SeedPublic(t, db, 400, 7)
			terms, err := db.Terms(ctx)
			if err != nil {
				t.Fatal(err)
			}
			vocab := domain.NewVocabSet(terms)
			for _, f := range []domain.IncidentFilter{
				{},
				{Country: []string{"PK"}},
				{Category: []string{"website_blocked"}, Year: []int{2020, 2021}},
				{Country: []string{"ZZ"}},
			} {
				t.Run(fmt.Sprint(f.Values().Encode()), func(t *testing.T) {
					got, err := db.Stats(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					want := referenceStats(pubs, f, vocab)
					if got.Incidents != want.Incidents {
						t.Errorf("incidents = %d, want %d", got.Incidents, want.Incidents)
					}
					if !slices.Equal(got.Monthly, want.Monthly) {
						t.Errorf("monthly = %v\nwant %v", got.Monthly, want.Monthly)
					}
					if got.NoMonth != want.NoMonth {
						t.Errorf("no month = %d, want %d", got.NoMonth, want.NoMonth)
					}
					if !sameCells(got.Targets, want.Targets) {
						t.Errorf("targets = %v\nwant %v", got.Targets, want.Targets)
					}
					if len(got.Outlets) != len(want.Outlets) {
						t.Errorf("outlets = %v\nwant %v", got.Outlets, want.Outlets)
					}
					for i := range got.Outlets {
						if i < len(want.Outlets) && got.Outlets[i] != want.Outlets[i] {
							t.Errorf("outlet %d = %v, want %v", i, got.Outlets[i], want.Outlets[i])
						}
					}
					again, err := db.Stats(ctx, f)
					if err != nil || !slices.Equal(again.Monthly, got.Monthly) || again.NoMonth != got.NoMonth {
						t.Errorf("cached stats differ: %v", err)
					}
				})
			}
		})
	}
}

func sameCells(a, b []domain.RoleGenderCount) bool {
	m := map[[2]string]int{}
	for _, c := range a {
		m[[2]string{c.Role, c.Gender}] += c.Count
	}
	for _, c := range b {
		m[[2]string{c.Role, c.Gender}] -= c.Count
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

func referenceStats(pubs []*domain.PublicIncident, f domain.IncidentFilter, vocab domain.VocabSet) *domain.Stats {
	out := &domain.Stats{}
	monthly := map[[2]string]int{}
	roles := map[[2]string]int{}
	outlets := map[string]map[string]bool{}
	for _, p := range pubs {
		if !storetest.Matches(p, f) {
			continue
		}
		out.Incidents++
		if p.DateStart != "" && (p.DatePrecision == domain.PrecisionDay || p.DatePrecision == domain.PrecisionMonth) {
			fams := map[string]bool{}
			for _, v := range p.Violations {
				fams[vocab.Family(v.Category)] = true
			}
			for fam := range fams {
				monthly[[2]string{domain.SortDate(p.DateStart, p.DatePrecision)[:7], fam}]++
			}
		} else {
			out.NoMonth++
		}
		for _, v := range p.Violations {
			for _, tg := range v.Targets {
				o := ""
				switch tg.Kind {
				case domain.TargetPerson:
					roles[[2]string{tg.Role, tg.Gender}]++
					o = tg.Outlet
				case domain.TargetOutlet, domain.TargetWebsite:
					o = tg.Name
				}
				if o != "" {
					if outlets[o] == nil {
						outlets[o] = map[string]bool{}
					}
					outlets[o][p.Ref] = true
				}
			}
		}
	}
	for k, n := range monthly {
		out.Monthly = append(out.Monthly, domain.MonthFamilyCount{Month: k[0], Family: k[1], Count: n})
	}
	slices.SortFunc(out.Monthly, func(a, b domain.MonthFamilyCount) int {
		if a.Month != b.Month {
			if a.Month < b.Month {
				return -1
			}
			return 1
		}
		if a.Family < b.Family {
			return -1
		}
		if a.Family > b.Family {
			return 1
		}
		return 0
	})
	if out.Monthly == nil {
		out.Monthly = []domain.MonthFamilyCount{}
	}
	for k, n := range roles {
		out.Targets = append(out.Targets, domain.RoleGenderCount{Role: k[0], Gender: k[1], Count: n})
	}
	for o, refs := range outlets {
		out.Outlets = append(out.Outlets, domain.FacetCount{Value: o, Count: len(refs)})
	}
	slices.SortFunc(out.Outlets, func(a, b domain.FacetCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if a.Value < b.Value {
			return -1
		}
		return 1
	})
	if len(out.Outlets) > domain.StatsTopOutlets {
		out.Outlets = out.Outlets[:domain.StatsTopOutlets]
	}
	return out
}
