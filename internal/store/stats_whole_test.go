package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// TestWholeStats: the statistics of the whole record that triggers keep in
// public_stats (migration 0070) equal the SQL over the documents after
// bulk loads, withdrawals and rewritten documents, on both engines.
func TestWholeStats(t *testing.T) {
	engines := map[string]func(testing.TB) *store.DB{"sqlite": storetest.MustOpenSQLite}
	if storetest.PostgresEnabled() {
		engines["postgres"] = storetest.MustOpenPostgres
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			compare := func(t *testing.T) {
				t.Helper()
				store.SetWholeStats(db, false)
				want, err := db.Stats(ctx, domain.IncidentFilter{})
				store.SetWholeStats(db, true)
				if err != nil {
					t.Fatal(err)
				}
				got, err := db.Stats(ctx, domain.IncidentFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if want.Incidents == 0 || len(want.Monthly) == 0 || len(want.Targets) == 0 || len(want.Outlets) == 0 {
					t.Fatalf("empty reference: %+v", want)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("public_stats:\n got %+v\nwant %+v", got, want)
				}
			}
			pubs := storetest.SeedPublic(t, db, 300, 3)
			compare(t)
			storetest.SeedPublic(t, db, 30, 4)
			ed := storetest.MustUser(t, db, "ed@example.org", domain.RoleEditor)
			for _, p := range pubs[:12] {
				if _, err := db.Withdraw(ctx, p.ID, "duplicate", ed); err != nil {
					t.Fatal(err)
				}
			}
			compare(t)
			// Documents rewritten in place (another date, other targets).
			tx, err := db.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i := 20; i < 40; i++ {
				if _, err := tx.Exec(ctx, `UPDATE public_incidents SET doc = (SELECT o.doc FROM public_incidents o WHERE o.id = ?),
					date_sort = (SELECT o.date_sort FROM public_incidents o WHERE o.id = ?) WHERE id = ?`, pubs[i+100].ID, pubs[i+150].ID, pubs[i].ID); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := tx.Exec(ctx, "UPDATE public_generation SET gen = gen + 1"); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			// The monthly counts of the SQL path join public_terms, which
			// the rewrite above left as they were: compare targets,
			// outlets and the months without a month only.
			store.SetWholeStats(db, false)
			want, err := db.Stats(ctx, domain.IncidentFilter{})
			if err != nil {
				t.Fatal(err)
			}
			store.SetWholeStats(db, true)
			got, err := db.Stats(ctx, domain.IncidentFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Targets, want.Targets) || !reflect.DeepEqual(got.Outlets, want.Outlets) || got.NoMonth != want.NoMonth {
				t.Fatalf("after rewrite:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}
