package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// decodedOnly hides the stored CSV rows of a store: the export decodes
// every document, as it did before they existed.
type decodedOnly struct {
	domain.PublicStore
	docs publicDocs
}

func (d decodedOnly) EachPublicJSON(ctx context.Context, f domain.IncidentFilter, fn func(doc []byte) error) error {
	return d.docs.EachPublicJSON(ctx, f, fn)
}

// countingCSV counts the incidents the store gave as stored rows and as
// documents.
type countingCSV struct {
	*store.DB
	rows, docs atomic.Int64
}

func (c *countingCSV) EachPublicCSV(ctx context.Context, f domain.IncidentFilter, vocab string, fn func(ref, cells, doc []byte) error) error {
	return c.DB.EachPublicCSV(ctx, f, vocab, func(ref, cells, doc []byte) error {
		if doc != nil {
			c.docs.Add(1)
		} else {
			c.rows.Add(1)
		}
		return fn(ref, cells, doc)
	})
}

// TestStoredCSVMatchesDecoded holds /incidents.csv written from the rows
// stored at publish time to the bytes the decoding path writes, on seeded
// data with awkward titles, for several filters and a base URL that needs
// quoting; then after a category changes family (rows stale) and on a
// database whose rows were never built (older than migration 0071): the
// export decodes those incidents, prints the same, and the fill it starts
// makes the rows current again.
func TestStoredCSVMatchesDecoded(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSQLite(t)
	pubs := storetest.GeneratePublic(300, 11)
	pubs[0].Title = `Journalist "arrested", then released` + "\nsecond line\r\nthird"
	pubs[1].Title = "صحافی گرفتار، لاہور, \"اردو\""
	pubs[2].Title = "=HYPERLINK(\"x\") पत्रकार की गिरफ़्तारी, दिल्ली"
	pubs[3].Title, pubs[3].City = " leading space", `\.`
	pubs[4].District = "-1,5\r"
	pubs[5].Ref = "PK-2024-9999"
	if err := db.SeedPublic(ctx, pubs); err != nil {
		t.Fatal(err)
	}
	terms, err := db.Terms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vocab := domain.NewVocabSet(terms)
	pub := &countingCSV{DB: db}

	export := func(store domain.PublicStore, query, base string) []byte {
		t.Helper()
		q, _ := url.ParseQuery(query)
		f, err := domain.ParseIncidentFilter(q)
		if err != nil {
			t.Fatal(err)
		}
		x := exportRows{vocab: vocab, base: base, snapshot: "2025-03-01T09:00:00Z", row: &incidentRow{}}
		var out bytes.Buffer
		decoded, err := writeCSVExport(httptest.NewRequest("GET", "/incidents.csv?"+query, nil), store, f, ShapeIncidents, x, &out)
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := store.(*countingCSV); ok && int64(decoded) != c.docs.Load() {
			t.Fatalf("?%s: writeCSVExport says %d decoded, the store gave %d documents", query, decoded, c.docs.Load())
		}
		return out.Bytes()
	}
	compare := func(stage string, wantDocs bool) {
		t.Helper()
		for _, c := range []struct{ query, base string }{
			{"", "https://pw.example"},
			{"country=PK", "https://pw.example"},
			{"sort=oldest&verification=confirmed", "http://127.0.0.1:8080"},
			{"sort=oldest", "http://127.0.0.1:8080"},
			{"", "https://pw.example/a,b"}, // the url cell needs quotes
			{"q=arrested&sort=relevance", "https://pw.example"},
		} {
			pub.rows.Store(0)
			pub.docs.Store(0)
			got := export(pub, c.query, c.base)
			want := export(decodedOnly{PublicStore: db, docs: db}, c.query, c.base)
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\r\n"), strings.Split(string(want), "\r\n")
				for i := range min(len(gl), len(wl)) {
					if gl[i] != wl[i] {
						t.Fatalf("%s, ?%s: line %d differs:\nstored  %q\ndecoded %q", stage, c.query, i, gl[i], wl[i])
					}
				}
				t.Fatalf("%s, ?%s: %d lines from the stored rows, %d decoded", stage, c.query, len(gl), len(wl))
			}
			rows, docs := pub.rows.Load(), pub.docs.Load()
			if rows+docs == 0 || bytes.Count(got, []byte("\n")) < int(rows+docs) {
				t.Fatalf("%s, ?%s: %d rows and %d documents for %d lines", stage, c.query, rows, docs, bytes.Count(got, []byte("\n")))
			}
			if wantDocs != (docs > 0) || wantDocs == (rows > 0) {
				t.Fatalf("%s, ?%s: %d stored rows, %d documents", stage, c.query, rows, docs)
			}
			if wantDocs {
				// What the handler starts after such an export.
				if n, err := db.FillPublicCSV(ctx); err != nil || n == 0 {
					t.Fatalf("%s: FillPublicCSV = %d, %v", stage, n, err)
				}
				wantDocs = false // for the next filters
			}
		}
		if !bytes.Contains(export(pub, "", "https://pw.example"), []byte(`"'=HYPERLINK(""x"") पत्रकार की गिरफ़्तारी, दिल्ली"`)) {
			t.Fatalf("%s: the Hindi title is not quoted as expected", stage)
		}
	}
	compare("as published", false)

	// A category changes family: the stored rows say the old one.
	admin := storetest.MustUser(t, db, "admin@example.org", domain.RoleAdmin)
	cat := pubs[0].Violations[0].Category
	tm := vocab[domain.VocabCategory][cat]
	old := vocab.Family(cat)
	for _, f := range domain.CategoryFamilies {
		if f != old && f != "other" {
			tm.Family = f
		}
	}
	if err := db.SaveTerm(ctx, tm, admin); err != nil {
		t.Fatal(err)
	}
	if terms, err = db.Terms(ctx); err != nil {
		t.Fatal(err)
	}
	vocab = domain.NewVocabSet(terms)
	compare("after a family changed", true)
	compare("after the fill", false)

	// Rows never built (a database published before migration 0071).
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "UPDATE public_csv SET vocab = '', cells = ?", []byte{}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	compare("without stored rows", true)
	compare("after filling them", false)
}

// TestCSVPlain holds csvPlain to encoding/csv's choice of quoting.
func TestCSVPlain(t *testing.T) {
	for _, v := range []string{"", "PK-2024-0001", "https://pw.example/incidents/PK-1", `\.`, `\..`, " x", "\tx", "\u00a0x",
		"\u2028x", "a,b", `a"b`, "a\rb", "a\nb", "اردو", "x "} {
		var b bytes.Buffer
		bw := bufio.NewWriter(&b)
		var c csvCell
		c.write(bw, []byte(v))
		bw.Flush()
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		w.UseCRLF = true
		w.Write([]string{v, ""})
		w.Flush()
		if got := b.String() + ","; got != strings.TrimSuffix(want.String(), "\r\n") {
			t.Errorf("%q: cell %q, encoding/csv %q", v, got, want.String())
		}
	}
}

// TestCSVExportStartsFill: a served export that had to decode incidents
// leaves the stored rows built for the next one.
func TestCSVExportStartsFill(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSQLite(t)
	storetest.SeedPublic(t, db, 50, 4)
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "UPDATE public_csv SET vocab = '', cells = ?", []byte{}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Service: editorial.New(db, db, db, db, db, nil), Public: db, Sessions: db})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest("GET", "/incidents.csv", nil))
	if w.Code != 200 || bytes.Count(w.Body.Bytes(), []byte("\r\n")) != 51 {
		t.Fatalf("export: %d, %d lines", w.Code, bytes.Count(w.Body.Bytes(), []byte("\r\n")))
	}
	// The fill runs after the response.
	for range 500 {
		var rows int
		if err := db.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM public_csv WHERE vocab <> ''").Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows == 50 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the export did not fill the stored rows")
}
