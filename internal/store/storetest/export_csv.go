package storetest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
)

// testPublicCSV: the CSV rows kept beside the published documents
// (migration 0071) hold what domain.IncidentCSV builds from the document;
// rows built with other category families, or missing (a database older
// than the migration), come back as documents until FillPublicCSV rebuilds
// them.
func testPublicCSV(t *testing.T, db *store.DB) {
	pubs := GeneratePublic(60, 3)
	pubs[0].Title = `Journalist "arrested", then	released` + "\nsecond line\r\nthird"
	pubs[1].Title = "صحافی گرفتار، لاہور"
	pubs[2].Title = "=HYPERLINK(\"x\") पत्रकार की गिरफ़्तारी, दिल्ली"
	pubs[3].Title = " leading space"
	pubs[4].City = `\.`
	must(t, db.SeedPublic(ctx, pubs))

	terms, err := db.Terms(ctx)
	must(t, err)
	vocab := domain.NewVocabSet(terms)
	want := func(vocab domain.VocabSet) map[string]string {
		out := map[string]string{}
		must(t, db.EachPublicJSON(ctx, domain.IncidentFilter{}, func(doc []byte) error {
			var p domain.PublicIncident
			must(t, json.Unmarshal(doc, &p))
			var b domain.IncidentCSV
			var buf bytes.Buffer
			w := csv.NewWriter(&buf)
			w.UseCRLF = true
			must(t, w.Write(append([]string{""}, b.Cells(&p, vocab.Family)...)))
			w.Flush()
			out[p.Ref] = strings.TrimSuffix(buf.String(), "\r\n")
			return nil
		}))
		return out
	}
	// read returns the stored cells by ref, and the refs that came as
	// documents.
	read := func(fp string) (map[string]string, []string) {
		cells := map[string]string{}
		var docs []string
		must(t, db.EachPublicCSV(ctx, domain.IncidentFilter{}, fp, func(ref, c, doc []byte) error {
			if doc != nil {
				var p domain.PublicIncident
				must(t, json.Unmarshal(doc, &p))
				docs = append(docs, p.Ref)
				return nil
			}
			cells[string(ref)] = string(c)
			return nil
		}))
		return cells, docs
	}
	same := func(what string, got, want map[string]string) {
		t.Helper()
		if len(got) != len(want) || len(want) != len(pubs) {
			t.Fatalf("%s: %d rows, want %d (%d incidents)", what, len(got), len(want), len(pubs))
		}
		for ref, w := range want {
			if got[ref] != w {
				t.Fatalf("%s: %s:\n got %q\nwant %q", what, ref, got[ref], w)
			}
		}
	}

	fp := domain.FamiliesFingerprint(vocab.FamilyByCategory())
	got, docs := read(fp)
	if len(docs) != 0 {
		t.Fatalf("published rows came as documents: %v", docs)
	}
	same("after publishing", got, want(vocab))
	if r := got[pubs[0].Ref]; !strings.Contains(r, `"Journalist ""arrested"", then	released`+"\r\nsecond line\r\nthird\"") {
		t.Errorf("quoted title cell not in %q", r)
	}
	if r := got[pubs[4].Ref]; !strings.Contains(r, `,"\.",`) {
		t.Errorf(`city \. not quoted in %q`, r)
	}
	if n, err := db.FillPublicCSV(ctx); err != nil || n != 0 {
		t.Fatalf("FillPublicCSV with every row current = %d, %v; want 0", n, err)
	}

	// Another vocabulary: every incident comes as its document.
	if got, docs := read("other"); len(got) != 0 || len(docs) != len(pubs) {
		t.Fatalf("other fingerprint: %d rows, %d documents; want 0, %d", len(got), len(docs), len(pubs))
	}

	// A category changes family: the rows are stale until rebuilt.
	admin := MustUser(t, db, "admin-csv@example.org", domain.RoleAdmin)
	cat := pubs[0].Violations[0].Category
	tm := vocab[domain.VocabCategory][cat]
	for _, f := range domain.CategoryFamilies {
		if f != vocab.Family(cat) && f != "other" {
			tm.Family = f
		}
	}
	must(t, db.SaveTerm(ctx, tm, admin))
	terms, err = db.Terms(ctx)
	must(t, err)
	vocab2 := domain.NewVocabSet(terms)
	fp2 := domain.FamiliesFingerprint(vocab2.FamilyByCategory())
	if fp2 == fp {
		t.Fatal("fingerprint unchanged by a new family")
	}
	if got, docs := read(fp2); len(got) != 0 || len(docs) != len(pubs) {
		t.Fatalf("after the vocabulary changed: %d rows, %d documents; want 0, %d", len(got), len(docs), len(pubs))
	}
	n, err := db.FillPublicCSV(ctx)
	must(t, err)
	if n != len(pubs) {
		t.Fatalf("FillPublicCSV after the vocabulary changed = %d, want %d", n, len(pubs))
	}
	got, docs = read(fp2)
	if len(docs) != 0 {
		t.Fatalf("rebuilt rows came as documents: %v", docs)
	}
	w2 := want(vocab2)
	same("after the vocabulary changed", got, w2)
	if !strings.Contains(got[pubs[0].Ref], tm.Family) {
		t.Errorf("new family not in %q", got[pubs[0].Ref])
	}

	// A database migrated to 0071 with incidents already published has
	// rows without cells: documents until filled, then the same rows as
	// publishing builds.
	tx, err := db.Begin(ctx)
	must(t, err)
	_, err = tx.Exec(ctx, "UPDATE public_csv SET vocab = '', cells = ?", []byte{})
	must(t, err)
	must(t, tx.Commit())
	if got, docs := read(fp2); len(got) != 0 || len(docs) != len(pubs) {
		t.Fatalf("without rows: %d rows, %d documents; want 0, %d", len(got), len(docs), len(pubs))
	}
	if n, err := db.FillPublicCSV(ctx); err != nil || n != len(pubs) {
		t.Fatalf("FillPublicCSV without rows = %d, %v; want %d", n, err, len(pubs))
	}
	got, _ = read(fp2)
	same("after the fill", got, w2)

	// An incident's date changes outside writePublic: its row (keyed by
	// date) moves and needs building again; never two rows for an incident.
	tx, err = db.Begin(ctx)
	must(t, err)
	_, err = tx.Exec(ctx, "UPDATE public_incidents SET date_sort = ? WHERE id = ?", "1999-01-01", pubs[7].ID)
	must(t, err)
	must(t, tx.Commit())
	if got, docs := read(fp2); len(got) != len(pubs)-1 || len(docs) != 1 || docs[0] != pubs[7].Ref {
		t.Fatalf("after a date changed: %d rows, documents %v; want %d, [%s]", len(got), docs, len(pubs)-1, pubs[7].Ref)
	}
	if n, err := db.FillPublicCSV(ctx); err != nil || n != 1 {
		t.Fatalf("FillPublicCSV after a date changed = %d, %v; want 1", n, err)
	}
	var rows int
	must(t, db.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM public_csv").Scan(&rows))
	if rows != len(pubs) {
		t.Fatalf("%d stored rows for %d incidents", rows, len(pubs))
	}
	got, _ = read(fp2)
	same("after the date changed", got, w2)
}
