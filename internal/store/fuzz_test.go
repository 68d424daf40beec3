package store_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// FuzzSearchQuery: whatever a reader types in q, search and facets answer
// without error on SQLite (and PostgreSQL when configured), and the words
// searched for contain no query syntax.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{"journalist", `"`, "AND (", "*", "NEAR(", "a OR b NOT c", "title:x", "^x", "صحافی", "पत्रकार", "'; --", "\x00", "\uE000"} {
		f.Add(s)
	}
	dbs := []*store.DB{storetest.MustOpenSQLite(f)}
	if storetest.PostgresEnabled() {
		dbs = append(dbs, storetest.MustOpenPostgres(f))
	}
	for _, db := range dbs {
		storetest.SeedPublic(f, db, 30, 9)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, w := range store.SearchWords(q) {
			if strings.ContainsAny(w, `"'*():^-+ `) || w == "" || !utf8.ValidString(w) && utf8.ValidString(q) {
				t.Fatalf("word %q of %q carries syntax", w, q)
			}
		}
		if !utf8.ValidString(q) || strings.ContainsRune(q, 0) {
			return // PostgreSQL refuses such text at the driver; the web layer rejects it first
		}
		for _, db := range dbs {
			if _, err := db.SearchPublic(context.Background(), domain.IncidentFilter{Q: q}); err != nil {
				t.Fatalf("%s: search %q: %v", db.Engine(), q, err)
			}
			if _, err := db.Facets(context.Background(), domain.IncidentFilter{Q: q}); err != nil {
				t.Fatalf("%s: facets %q: %v", db.Engine(), q, err)
			}
		}
	})
}
