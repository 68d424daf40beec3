package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// The incidents-shape CSV export reads, for each incident, the row kept in
// public_csv (migration 0071) instead of decoding its document: ref and the
// encoded cells status to demo. Triggers keep one row per public incident;
// writePublic builds its cells; FillPublicCSV builds the cells a row lacks
// (incidents published before 0071) or that were built with other category
// families than the vocabulary has now.

// EachPublicCSV streams the incidents f selects, in the filter's order,
// like EachPublicJSON. For each, fn gets either its stored CSV row — ref
// and cells, the CSV encoding of the columns status to demo with a comma
// before each (domain.IncidentCSV) — when that row was built with the
// category families whose domain.FamiliesFingerprint is vocab, or else its
// document (doc, as EachPublicJSON gives it; ref and cells may then be
// stale or empty). The slices are only valid during fn.
func (d *DB) EachPublicCSV(ctx context.Context, f domain.IncidentFilter, vocab string, fn func(ref, cells, doc []byte) error) error {
	f.Defaults()
	sort := effectiveSort(f)
	q := d.compile(f)
	if q.none {
		return nil
	}
	var s string
	var args []any
	if q.plain && (sort == "date" || sort == "oldest") {
		// Every published incident, by date: public_csv has a row for
		// each (migration 0071), in this order. Read it alone, and an
		// incident's document only where its row does not fit.
		dir := " DESC"
		if sort == "oldest" {
			dir = " ASC"
		}
		s = "SELECT c.ref, c.cells, CASE WHEN c.vocab = ? THEN NULL ELSE (SELECT p.doc FROM public_incidents p WHERE p.id = c.id) END" +
			" FROM public_csv c WHERE c.status = 'published' ORDER BY c.date_sort" + dir + ", c.id" + dir
		args = []any{vocab}
	} else {
		// pageSQL selects the document; select the stored row instead,
		// and the document only where the row does not fit (SQLite then
		// reads the incident's own row only for those: the ordered index
		// has the rest). public_csv is keyed in date order, so a
		// date-ordered export reads its pages in turn.
		page, pargs := d.pageSQL(f, q, sort, nil, 0, 0)
		const sel = "SELECT p.id, p.doc, p.date_sort, p.updated_at FROM "
		where := strings.Index(page, " WHERE ")
		if !strings.HasPrefix(page, sel) || where < 0 {
			return fmt.Errorf("store: each public csv: unexpected query %.60q", page)
		}
		s = "SELECT c.ref, c.cells, CASE WHEN c.vocab = ? THEN NULL ELSE p.doc END FROM " + page[len(sel):where] +
			" LEFT JOIN public_csv c ON c.date_sort = p.date_sort AND c.id = p.id" + page[where:]
		args = append([]any{vocab}, pargs...)
	}
	var ref, cells, doc sql.RawBytes
	return d.streamExport(ctx, "each public csv", s, args, func(rows *sql.Rows) error {
		if err := rows.Scan(&ref, &cells, &doc); err != nil {
			return fmt.Errorf("store: each public csv: %w", err)
		}
		if doc == nil && len(cells) == 0 {
			return fmt.Errorf("store: each public csv: row %q has neither cells nor document", ref)
		}
		return fn(ref, cells, doc)
	})
}

// csvRowWriter encodes public incidents into public_csv rows.
type csvRowWriter struct {
	families map[string]string
	vocab    string
	cells    domain.IncidentCSV
	buf      bytes.Buffer
	enc      *csv.Writer
	rec      []string
}

func newCSVRowWriter(families map[string]string) *csvRowWriter {
	w := &csvRowWriter{families: families, vocab: domain.FamiliesFingerprint(families)}
	w.enc = csv.NewWriter(&w.buf)
	w.enc.UseCRLF = true // as the export writes: a newline in a quoted cell is CRLF
	return w
}

func (w *csvRowWriter) family(category string) string {
	if f := w.families[category]; f != "" {
		return f
	}
	return "other"
}

// row returns the encoded cells of p: ",status,…,demo" (a fresh slice).
func (w *csvRowWriter) row(p *domain.PublicIncident) ([]byte, error) {
	w.rec = append(append(w.rec[:0], ""), w.cells.Cells(p, w.family)...)
	w.buf.Reset()
	if err := w.enc.Write(w.rec); err != nil {
		return nil, fmt.Errorf("store: csv row: %w", err)
	}
	w.enc.Flush()
	return bytes.Clone(bytes.TrimSuffix(w.buf.Bytes(), []byte("\r\n"))), nil
}

// writePublicCSV upserts the CSV rows of pubs (the incident and its
// public_incidents.date_sort, the row's key), after public_incidents: its
// triggers (migration 0071) have moved the row of an incident whose date
// changed.
func writePublicCSV(ctx context.Context, tx *Tx, pubs []*publicRow, families map[string]string) error {
	w := newCSVRowWriter(families)
	const chunk = 500 // 6 placeholders a row: under both engines' limits
	for start := 0; start < len(pubs); start += chunk {
		part := pubs[start:min(start+chunk, len(pubs))]
		vals := make([]string, len(part))
		args := make([]any, 0, 6*len(part))
		for i, r := range part {
			cells, err := w.row(r.pub)
			if err != nil {
				return err
			}
			vals[i] = "(?, ?, ?, ?, ?, ?)"
			args = append(args, r.dateSort, r.pub.ID, r.pub.Status, w.vocab, r.pub.Ref, cells)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO public_csv (date_sort, id, status, vocab, ref, cells) VALUES "+strings.Join(vals, ", ")+
			" ON CONFLICT (date_sort, id) DO UPDATE SET status = excluded.status, vocab = excluded.vocab, ref = excluded.ref, cells = excluded.cells", args...); err != nil {
			return fmt.Errorf("store: write public csv: %w", err)
		}
	}
	return nil
}

// fillBatch is how many CSV rows FillPublicCSV builds per transaction.
const fillBatch = 500

// FillPublicCSV builds the stored CSV row of every public incident that
// has none, or whose row was built with other category families than
// vocab_terms holds now, in transactions of fillBatch incidents, and
// returns how many it built. Exports are right without it (they decode
// the document of such incidents) but slower. One runs at a time per DB:
// a call while another runs waits for it, then builds what is left.
func (d *DB) FillPublicCSV(ctx context.Context) (int, error) {
	d.csvFill.Lock()
	defer d.csvFill.Unlock()
	// Nothing to build (the usual start of serve): one probe of the
	// vocab index (migration 0072) instead of a walk of the record.
	families, err := categoryFamilies(ctx, d.Reader())
	if err != nil {
		return 0, err
	}
	fp := domain.FamiliesFingerprint(families)
	stale, err := queryList(ctx, d.Reader(), "fill public csv", "SELECT id FROM public_csv WHERE vocab < ? OR vocab > ? LIMIT 1", []any{fp, fp}, scanID)
	if err != nil || len(stale) == 0 {
		return 0, err
	}
	n := 0
	var after int64
	for {
		k, looked, last, err := d.fillPublicCSV(ctx, after)
		n += k
		if err != nil || looked < fillBatch {
			return n, err
		}
		after = last
	}
}

// fillPublicCSV builds up to fillBatch rows of incidents after id after; it
// returns how many it built, how many it looked at (fewer than fillBatch:
// the last batch) and the last id looked at. The search for rows to
// build walks the whole record (18 s at 1,000,000 on SQLite when nothing
// is missing), so it runs on the read pool; the write transaction, which
// holds SQLite's write lock, only reads again the incidents it found, by
// id, and builds those still missing or stale (one published in between
// already has its row, and must not get an older one).
func (d *DB) fillPublicCSV(ctx context.Context, after int64) (built, looked int, last int64, err error) {
	families, err := categoryFamilies(ctx, d.Reader())
	if err != nil {
		return 0, 0, 0, err
	}
	found, err := queryList(ctx, d.Reader(), "fill public csv", `SELECT p.id FROM public_incidents p LEFT JOIN public_csv c ON c.date_sort = p.date_sort AND c.id = p.id
		WHERE p.id > ? AND (c.id IS NULL OR c.vocab <> ?) ORDER BY p.id LIMIT ?`,
		[]any{after, domain.FamiliesFingerprint(families), fillBatch}, func(row interface{ Scan(...any) error }) (any, error) {
			var id int64
			err := row.Scan(&id)
			return id, err
		})
	if err != nil {
		return 0, 0, 0, err
	}
	if len(found) == 0 {
		return 0, 0, after, nil
	}
	ids := found
	last = found[len(found)-1].(int64)
	tx, err := d.Begin(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	defer tx.Rollback()
	if families, err = categoryFamilies(ctx, tx); err != nil {
		return 0, 0, 0, err
	}
	rows, err := tx.Query(ctx, `SELECT p.id, p.date_sort, p.doc FROM public_incidents p LEFT JOIN public_csv c ON c.date_sort = p.date_sort AND c.id = p.id
		WHERE p.id IN (`+placeholders(len(ids))+`) AND (c.id IS NULL OR c.vocab <> ?)`,
		append(ids, domain.FamiliesFingerprint(families))...)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: fill public csv: %w", err)
	}
	var pubs []*publicRow
	for rows.Next() {
		var id int64
		var dateSort string
		var doc []byte
		if err := rows.Scan(&id, &dateSort, &doc); err != nil {
			rows.Close()
			return 0, 0, 0, fmt.Errorf("store: fill public csv: %w", err)
		}
		p := &domain.PublicIncident{}
		if err := json.Unmarshal(doc, p); err != nil {
			rows.Close()
			return 0, 0, 0, fmt.Errorf("store: fill public csv: decode incident %d: %w", id, err)
		}
		p.ID = id
		pubs = append(pubs, &publicRow{pub: p, dateSort: dateSort})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, 0, fmt.Errorf("store: fill public csv: %w", err)
	}
	if len(pubs) > 0 {
		if err := writePublicCSV(ctx, tx, pubs, families); err != nil {
			return 0, 0, 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, 0, err
	}
	return len(pubs), len(ids), last, nil
}
