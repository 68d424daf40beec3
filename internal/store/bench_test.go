package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// engines returns the benchmark databases: SQLite always, PostgreSQL when
// PRESSWATCH_TEST_POSTGRES is set.
func engines(b *testing.B) map[string]func(testing.TB) *store.DB {
	m := map[string]func(testing.TB) *store.DB{"sqlite": storetest.MustOpenSQLite}
	if storetest.PostgresEnabled() {
		m["postgres"] = storetest.MustOpenPostgres
	}
	return m
}

// BenchmarkCreateIncident creates incidents with their revision and audit
// rows, one transaction each (target: ≥ 1,000/s on SQLite).
func BenchmarkCreateIncident(b *testing.B) {
	for name, open := range engines(b) {
		b.Run(name, func(b *testing.B) {
			db := open(b)
			ed := storetest.MustUser(b, db, "ed@example.org", domain.RoleEditor)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				inc := storetest.NewIncident(fmt.Sprintf("Benchmark incident %d", i))
				if err := db.CreateIncident(ctx, inc, ed, "bench"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "incidents/s")
		})
	}
}

// BenchmarkPublic100k measures SearchPublic and Facets over 100,000
// published incidents: the default filter, one filter, and a text search;
// "cold" drops the totals/facets cache before every call.
func BenchmarkPublic100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	filters := []struct {
		name string
		f    domain.IncidentFilter
	}{
		{"default", domain.IncidentFilter{}},
		{"country=PK", domain.IncidentFilter{Country: []string{"PK"}}},
		{"category=website_blocked", domain.IncidentFilter{Category: []string{"website_blocked"}}},
		{"q=journalist", domain.IncidentFilter{Q: "journalist"}},
		{"q=صحافی", domain.IncidentFilter{Q: "صحافی"}},
	}
	for name, open := range engines(b) {
		b.Run(name, func(b *testing.B) {
			db := open(b)
			storetest.SeedPublic(b, db, n, 42)
			for _, fc := range filters {
				for _, cold := range []bool{false, true} {
					suffix := "cached"
					if cold {
						suffix = "cold"
					}
					b.Run("search/"+fc.name+"/"+suffix, func(b *testing.B) {
						for b.Loop() {
							if cold {
								store.DropCache(db)
							}
							if _, err := db.SearchPublic(ctx, fc.f); err != nil {
								b.Fatal(err)
							}
						}
					})
					b.Run("search+facets/"+fc.name+"/"+suffix, func(b *testing.B) {
						for b.Loop() {
							if cold {
								store.DropCache(db)
							}
							if _, err := db.SearchPublic(ctx, fc.f); err != nil {
								b.Fatal(err)
							}
							if _, err := db.Facets(ctx, fc.f); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}
