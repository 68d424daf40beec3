package store_test

import (
	"context"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// A new process starts from the saved copy of the index, brought up to
// date from public_changes, and answers as SQL does; a copy it cannot
// trust is read afresh.
func testSavedIndex(t *testing.T, db *store.DB) {
	ctx := context.Background()
	defer store.SetSavedIndexMinRows(0)()
	pubs := storetest.SeedPublic(t, db, 500, 9)
	if err := db.SeedPublic(ctx, statsEdgeIncidents()); err != nil {
		t.Fatal(err)
	}
	saved := func() (format, gen int64) {
		t.Helper()
		store.WaitIndexSaved(db)
		if err := db.Reader().QueryRow(ctx, "SELECT format, gen FROM public_index_saved WHERE id = 1").Scan(&format, &gen); err != nil {
			t.Fatalf("saved index: %v", err)
		}
		return format, gen
	}
	// newProcess forgets the index, warms it as a new process would and
	// reports whether it read the whole record.
	newProcess := func() (readAll bool) {
		t.Helper()
		store.ForgetPublicIndex(db)
		loads := store.PublicIndexLoads(db)
		if err := db.WarmPublic(ctx); err != nil {
			t.Fatal(err)
		}
		return store.PublicIndexLoads(db) > loads
	}

	if !newProcess() {
		t.Fatal("the first index did not read the record")
	}
	_, gen := saved()
	if gen != store.PublicIndexGen(db) {
		t.Fatalf("saved generation %d, index %d", gen, store.PublicIndexGen(db))
	}

	// Publications and withdrawals since the copy was saved.
	storetest.SeedPublic(t, db, 30, 10)
	ed := storetest.MustUser(t, db, "ed@example.org", domain.RoleEditor)
	for _, p := range pubs[:20] {
		if _, err := db.Withdraw(ctx, p.ID, "duplicate", ed); err != nil {
			t.Fatal(err)
		}
	}
	if newProcess() {
		t.Error("a new process read the whole record with a usable saved copy")
	}
	t.Run("from the copy", func(t *testing.T) { compareIndex(t, db) })
	t.Run("from the copy stats", func(t *testing.T) { compareStats(t, db) })

	for _, tc := range []struct{ name, sql string }{
		{"damaged", "UPDATE public_index_saved SET data = ?"},
		{"another format", "UPDATE public_index_saved SET format = format + 1000"},
		// A change public_changes lost: the copy's rows no longer add up.
		{"changes lost", "DELETE FROM public_changes WHERE gen > (SELECT gen FROM public_index_saved)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newProcess() // the copy is the index now
			store.WaitIndexSaved(db)
			var args []any
			if tc.name == "damaged" {
				args = append(args, []byte{1, 2, 3})
			}
			if tc.name == "changes lost" {
				storetest.SeedPublic(t, db, 1, 11)
			}
			tx, err := db.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, tc.sql, args...); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if !newProcess() {
				t.Error("the index came from a copy it cannot trust")
			}
			compareIndex(t, db)
			if format, gen := saved(); format > 1000 || gen != store.PublicIndexGen(db) {
				t.Errorf("the copy read afresh was not saved: format %d, generation %d, index %d", format, gen, store.PublicIndexGen(db))
			}
		})
	}
}

func TestSavedIndexSQLite(t *testing.T) {
	testSavedIndex(t, storetest.MustOpenSQLite(t))
}

func TestSavedIndexPostgres(t *testing.T) {
	if !storetest.PostgresEnabled() {
		t.Skip("set PRESSWATCH_TEST_POSTGRES to run on PostgreSQL")
	}
	testSavedIndex(t, storetest.MustOpenPostgres(t))
}
