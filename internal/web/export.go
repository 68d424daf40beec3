package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/presswatch/presswatch/internal/domain"
)

// Export shapes: one row per incident (default), per violation or per
// target. CSV and NDJSON take ?shape=.
const (
	ShapeIncidents  = "incidents"
	ShapeViolations = "violations"
	ShapeTargets    = "targets"
)

// MultiValueDelimiter joins several values in one CSV cell.
const MultiValueDelimiter = domain.CSVMultiValueDelimiter

// ExportColumn documents one CSV column (for /data and docs).
type ExportColumn struct {
	Name        string
	Description string
}

// exportColumns are the CSV columns of each shape, in order. The last
// column of every shape is snapshot_at: when the export started (also sent
// as the X-Snapshot-Time header).
var exportColumns = map[string][]ExportColumn{
	ShapeIncidents: {
		{"ref", "Stable reference of the incident, e.g. PK-2024-0153."},
		{"url", "Public page of the incident."},
		{"status", "published or withdrawn."},
		{"title", "Title in English."},
		{"date_start", "Start date at its precision: YYYY-MM-DD, YYYY-MM or YYYY; empty when unknown."},
		{"date_end", "End date, same format; empty when a single day or unknown."},
		{"date_precision", "day, month, year or unknown."},
		{"country", "ISO 3166-1 alpha-2 code."},
		{"admin1", "ISO 3166-2 code of the province or state, when public."},
		{"district", "District, when public."},
		{"city", "City, when public."},
		{"lat", "Latitude at the public precision (city: 0.1°, exact: 0.0001°)."},
		{"lon", "Longitude at the public precision."},
		{"location_precision", "Public precision of the location: exact, city, district, admin1, country or hidden."},
		{"verification", "unverified, corroborated, confirmed or disputed."},
		{"work_related", "confirmed, unconfirmed or not_related."},
		{"categories", "Category codes of the violations, joined with |."},
		{"families", "Category families, joined with |."},
		{"actor_types", "Actor types, joined with |."},
		{"attributions", "Attributions of the actors, joined with |."},
		{"target_kinds", "Kinds of targets (person, outlet, account, website), joined with |."},
		{"target_roles", "Roles of targeted persons, joined with |."},
		{"genders", "Genders of targeted persons, joined with |."},
		{"persons", "Number of persons targeted."},
		{"tags", "Context tags, joined with |."},
		{"source_urls", "Public source URLs, joined with |."},
		{"first_published_at", "When the incident was first published (RFC 3339, UTC)."},
		{"updated_at", "When the published record last changed (RFC 3339, UTC)."},
		{"revision", "Revision number of the published record."},
		{"demo", "true for fictional demonstration records."},
		{"snapshot_at", "When this export was made (RFC 3339, UTC); the same on every row."},
	},
	ShapeViolations: {
		{"ref", "Reference of the incident."},
		{"url", "Public page of the incident."},
		{"violation", "Position of the violation in the incident, from 1."},
		{"category", "Category code of the violation."},
		{"family", "Family of the category."},
		{"actor_types", "Actor types, joined with |."},
		{"attributions", "Attributions, joined with |."},
		{"target_kinds", "Kinds of targets, joined with |."},
		{"persons", "Persons targeted by this violation."},
		{"date_start", "Start date of the incident at its precision."},
		{"date_precision", "day, month, year or unknown."},
		{"country", "ISO 3166-1 alpha-2 code."},
		{"admin1", "ISO 3166-2 code, when public."},
		{"verification", "Verification state of the incident."},
		{"snapshot_at", "When this export was made (RFC 3339, UTC)."},
	},
	ShapeTargets: {
		{"ref", "Reference of the incident."},
		{"url", "Public page of the incident."},
		{"violation", "Position of the violation in the incident, from 1."},
		{"target", "Position of the target in the violation, from 1."},
		{"category", "Category code of the violation."},
		{"family", "Family of the category."},
		{"kind", "person, outlet, account or website."},
		{"name", "Name; empty when withheld."},
		{"name_withheld", "true when the name is withheld to protect the person."},
		{"role", "Role of a person (target_role vocabulary)."},
		{"gender", "Gender of a person."},
		{"employment", "staff, freelance or unknown."},
		{"foreign", "true for a foreign journalist."},
		{"outlet", "Outlet the person works for."},
		{"target_url", "URL of an account or website."},
		{"date_start", "Start date of the incident at its precision."},
		{"country", "ISO 3166-1 alpha-2 code."},
		{"admin1", "ISO 3166-2 code, when public."},
		{"verification", "Verification state of the incident."},
		{"snapshot_at", "When this export was made (RFC 3339, UTC)."},
	},
}

// ExportColumns returns the CSV columns of a shape.
func ExportColumns(shape string) []ExportColumn { return exportColumns[shape] }

func exportHeader(shape string) []string {
	cols := exportColumns[shape]
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

func parseShape(r *http.Request) (string, error) {
	switch sh := r.URL.Query().Get("shape"); sh {
	case "", ShapeIncidents:
		return ShapeIncidents, nil
	case ShapeViolations, ShapeTargets:
		return sh, nil
	}
	return "", domain.InvalidFields(map[string]string{"shape": "Use shape=incidents, violations or targets."})
}

// exportRows turns one incident into the rows of a shape.
type exportRows struct {
	vocab    domain.VocabSet
	base     string
	snapshot string
	row      *incidentRow // reused buffers of the incidents shape
}

func (x exportRows) url(p *domain.PublicIncident) string { return x.base + "/incidents/" + p.Ref }

func (x exportRows) csv(shape string, p *domain.PublicIncident, emit func([]string) error) error {
	switch shape {
	case ShapeViolations:
		for i, v := range p.Violations {
			var actors, attrs, kinds []string
			persons := 0
			for _, a := range v.Actors {
				actors, attrs = uniqAppend(actors, a.Type), uniqAppend(attrs, a.Attribution)
			}
			for _, t := range v.Targets {
				kinds = uniqAppend(kinds, t.Kind)
				if t.Kind == domain.TargetPerson {
					persons++
				}
			}
			if err := emit([]string{p.Ref, x.url(p), strconv.Itoa(i + 1), v.Category, x.vocab.Family(v.Category),
				joinMulti(actors), joinMulti(attrs), joinMulti(kinds), strconv.Itoa(persons),
				p.DateStart, p.DatePrecision, p.Country, p.Admin1, p.Verification, x.snapshot}); err != nil {
				return err
			}
		}
		return nil
	case ShapeTargets:
		for i, v := range p.Violations {
			for j, t := range v.Targets {
				if err := emit([]string{p.Ref, x.url(p), strconv.Itoa(i + 1), strconv.Itoa(j + 1), v.Category, x.vocab.Family(v.Category),
					t.Kind, csvText(t.Name), strconv.FormatBool(t.NameWithheld), t.Role, t.Gender, t.Employment,
					strconv.FormatBool(t.Foreign), csvText(t.Outlet), t.URL,
					p.DateStart, p.Country, p.Admin1, p.Verification, x.snapshot}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if x.row == nil {
		x.row = &incidentRow{}
	}
	return emit(append(x.row.build(p, x.vocab, x.base), x.snapshot))
}

// ndjsonViolation is one line of /incidents.ndjson?shape=violations.
type ndjsonViolation struct {
	Ref          string           `json:"ref"`
	URL          string           `json:"url"`
	Index        int              `json:"violation"`
	Family       string           `json:"family"`
	DateStart    string           `json:"date_start,omitempty"`
	Country      string           `json:"country"`
	Admin1       string           `json:"admin1,omitempty"`
	Verification string           `json:"verification"`
	Violation    domain.Violation `json:"detail"`
}

// ndjsonTarget is one line of /incidents.ndjson?shape=targets.
type ndjsonTarget struct {
	Ref          string        `json:"ref"`
	URL          string        `json:"url"`
	Violation    int           `json:"violation"`
	Index        int           `json:"target"`
	Category     string        `json:"category"`
	Family       string        `json:"family"`
	DateStart    string        `json:"date_start,omitempty"`
	Country      string        `json:"country"`
	Admin1       string        `json:"admin1,omitempty"`
	Verification string        `json:"verification"`
	Target       domain.Target `json:"detail"`
}

// ndjsonIncident is one line of /incidents.ndjson: the public record with
// its URL.
type ndjsonIncident struct {
	URL string `json:"url"`
	*domain.PublicIncident
}

func (x exportRows) ndjson(shape string, p *domain.PublicIncident, enc *json.Encoder) error {
	switch shape {
	case ShapeViolations:
		for i, v := range p.Violations {
			if err := enc.Encode(ndjsonViolation{Ref: p.Ref, URL: x.url(p), Index: i + 1, Family: x.vocab.Family(v.Category),
				DateStart: p.DateStart, Country: p.Country, Admin1: p.Admin1, Verification: p.Verification, Violation: v}); err != nil {
				return err
			}
		}
		return nil
	case ShapeTargets:
		for i, v := range p.Violations {
			for j, t := range v.Targets {
				if err := enc.Encode(ndjsonTarget{Ref: p.Ref, URL: x.url(p), Violation: i + 1, Index: j + 1, Category: v.Category,
					Family: x.vocab.Family(v.Category), DateStart: p.DateStart, Country: p.Country, Admin1: p.Admin1,
					Verification: p.Verification, Target: t}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return enc.Encode(ndjsonIncident{URL: x.url(p), PublicIncident: p})
}

// exportPrepare parses the filter and shape and sets the common headers.
func (s *Server) exportPrepare(w http.ResponseWriter, r *http.Request) (domain.IncidentFilter, string, exportRows, bool) {
	f, err := domain.ParseIncidentFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return f, "", exportRows{}, false
	}
	shape, err := parseShape(r)
	if err != nil {
		s.fail(w, r, err)
		return f, "", exportRows{}, false
	}
	vocab, _, err := s.opts.Service.Vocab(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return f, "", exportRows{}, false
	}
	snap := s.now().UTC().Format(time.RFC3339)
	w.Header().Set("X-Snapshot-Time", snap)
	return f, shape, exportRows{vocab: vocab, base: s.baseURL(r), snapshot: snap, row: &incidentRow{}}, true
}

// handleIncidentsCSV streams every incident the filter selects as RFC 4180
// CSV (CRLF line ends), one row per incident, violation or target.
func (s *Server) handleIncidentsCSV(w http.ResponseWriter, r *http.Request) {
	f, shape, x, ok := s.exportPrepare(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+shape+`.csv"`)
	decoded, err := writeCSVExport(r, s.opts.Public, f, shape, x, w)
	if err != nil {
		// The header is sent; all we can do is stop and log.
		s.log.Error("web: csv export", "err", err)
	}
	if rows, ok := s.opts.Public.(publicCSVRows); ok && decoded > 0 {
		// The export was right, but slower than it need be: build the
		// missing or stale rows for the next one, past this request.
		go func() {
			n, err := rows.FillPublicCSV(context.WithoutCancel(r.Context()))
			if err != nil {
				s.log.Error("web: csv export: fill stored rows", "err", err)
				return
			}
			s.log.Info("web: csv export: filled stored rows", "rows", n, "decoded", decoded)
		}()
	}
}

// writeCSVExport writes the CSV export of shape to w. decoded counts the
// incidents of the incidents shape that had no fitting stored row.
func writeCSVExport(r *http.Request, pub domain.PublicStore, f domain.IncidentFilter, shape string, x exportRows, w io.Writer) (decoded int, err error) {
	bw := bufio.NewWriterSize(w, exportBufferSize)
	cw := csv.NewWriter(bw) // writes into bw itself: one 64 KiB buffer
	cw.UseCRLF = true       // RFC 4180
	if err := cw.Write(exportHeader(shape)); err != nil {
		return 0, err
	}
	emit := func(rec []string) error { return cw.Write(rec) }
	if rows, ok := pub.(publicCSVRows); ok && shape == ShapeIncidents {
		decoded, err = x.storedCSV(r.Context(), rows, f, cw, bw)
	} else {
		err = eachExport(r.Context(), pub, f, func(p *domain.PublicIncident) error { return x.csv(shape, p, emit) })
	}
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return decoded, err
}

// publicCSVRows is what the incidents-shape CSV export uses when the store
// offers it (store.DB does): the row of each incident built at publish
// time, or its document when that row is missing or was built with other
// category families (store/export_csv.go).
type publicCSVRows interface {
	EachPublicCSV(ctx context.Context, f domain.IncidentFilter, vocab string, fn func(ref, cells, doc []byte) error) error
	FillPublicCSV(ctx context.Context) (int, error)
}

// storedCSV writes the incidents shape from the stored rows: ref, url and
// snapshot_at around the stored cells, no decoding. Incidents without a
// fitting row are decoded and built as eachExport does; it returns how
// many.
func (x exportRows) storedCSV(ctx context.Context, rows publicCSVRows, f domain.IncidentFilter, cw *csv.Writer, bw *bufio.Writer) (int, error) {
	vocab := domain.FamiliesFingerprint(x.vocab.FamilyByCategory())
	var dec exportDecoder
	p := &domain.PublicIncident{}
	var cell csvCell
	snapshot := []byte(x.snapshot)
	urlPrefix := x.base + "/incidents/"
	var url []byte
	stale := 0
	err := readAhead(ctx, 3, func(ctx context.Context, emit func([][]byte) error) error {
		rec := make([][]byte, 3)
		return rows.EachPublicCSV(ctx, f, vocab, func(ref, cells, doc []byte) error {
			rec[0], rec[1], rec[2] = ref, cells, doc
			return emit(rec)
		})
	}, func(rec [][]byte) error {
		ref, cells, doc := rec[0], rec[1], rec[2]
		if len(doc) > 0 {
			stale++
			if err := dec.decode(doc, p); err != nil {
				p = &domain.PublicIncident{}
				if err := json.Unmarshal(doc, p); err != nil {
					return fmt.Errorf("web: export: decode incident: %w", err)
				}
			}
			return cw.Write(append(x.row.build(p, x.vocab, x.base), x.snapshot))
		}
		cell.write(bw, ref)
		bw.WriteByte(',')
		url = append(append(url[:0], urlPrefix...), ref...)
		cell.write(bw, url)
		bw.Write(cells)
		bw.WriteByte(',')
		cell.write(bw, snapshot)
		_, err := bw.WriteString("\r\n")
		return err
	})
	return stale, err
}

// csvCell writes one CSV cell exactly as encoding/csv's Writer (with
// UseCRLF) does: as it is when it needs no quotes — the case of every ref,
// URL and time — else through a csv.Writer.
type csvCell struct {
	buf bytes.Buffer
	w   *csv.Writer
}

func (c *csvCell) write(bw *bufio.Writer, v []byte) {
	if csvPlain(v) {
		bw.Write(v)
		return
	}
	if c.w == nil {
		c.w = csv.NewWriter(&c.buf)
		c.w.UseCRLF = true
	}
	c.buf.Reset()
	c.w.Write([]string{string(v)})
	c.w.Flush()
	bw.Write(bytes.TrimSuffix(c.buf.Bytes(), []byte("\r\n")))
}

// csvPlain reports whether encoding/csv writes v unquoted (its
// fieldNeedsQuotes, for a comma delimiter).
func csvPlain(v []byte) bool {
	if len(v) == 0 {
		return true
	}
	if string(v) == `\.` || bytes.ContainsAny(v, ",\"\r\n") {
		return false
	}
	r, _ := utf8.DecodeRune(v)
	return !unicode.IsSpace(r)
}

// exportBufferSize is the write buffer of a streamed export: the response
// gets 64 KiB writes, never one per row.
const exportBufferSize = 64 << 10

// publicDocs is what the exports use when the store offers it (store.DB
// does): the stored JSON document of each incident, undecoded, so that
// NDJSON copies it and CSV reads only the fields it prints.
type publicDocs interface {
	EachPublicJSON(ctx context.Context, f domain.IncidentFilter, fn func(doc []byte) error) error
}

// eachExport streams the incidents f selects to fn, like EachPublic, but
// through publicDocs and exportDecoder when the store has them: fn gets
// the same *domain.PublicIncident every time, holding the fields the CSV
// shapes print (not body, translations or timeline), and must not keep it.
func eachExport(ctx context.Context, pub domain.PublicStore, f domain.IncidentFilter, fn func(*domain.PublicIncident) error) error {
	docs, ok := pub.(publicDocs)
	if !ok {
		return pub.EachPublic(ctx, f, fn)
	}
	var dec exportDecoder
	p := &domain.PublicIncident{}
	return eachDoc(ctx, docs, f, func(doc []byte) error {
		if err := dec.decode(doc, p); err != nil {
			// Not a document the fast path knows: decode it fully.
			p = &domain.PublicIncident{}
			if err := json.Unmarshal(doc, p); err != nil {
				return fmt.Errorf("web: export: decode incident: %w", err)
			}
		}
		return fn(p)
	})
}

// handleIncidentsNDJSON streams one JSON object per line (nested: the whole
// public record, or one violation or target with its incident's keys).
func (s *Server) handleIncidentsNDJSON(w http.ResponseWriter, r *http.Request) {
	f, shape, x, ok := s.exportPrepare(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+shape+`.ndjson"`)
	bw := bufio.NewWriterSize(w, exportBufferSize)
	var err error
	if docs, ok := s.opts.Public.(publicDocs); ok && shape == ShapeIncidents {
		err = eachDoc(r.Context(), docs, f, func(doc []byte) error { return x.ndjsonDoc(doc, bw) })
	} else {
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		err = eachExport(r.Context(), s.opts.Public, f, func(p *domain.PublicIncident) error { return x.ndjson(shape, p, enc) })
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		s.log.Error("web: ndjson export", "err", err)
	}
}

// ndjsonDoc writes one line of /incidents.ndjson from the stored document
// as it is: {"url":…, then the document's own members. The stored document
// is the JSON encoding of domain.PublicIncident (compact, one line), so the
// line says what encoding ndjsonIncident would, without decoding it.
func (x exportRows) ndjsonDoc(doc []byte, bw *bufio.Writer) error {
	doc = bytes.TrimSpace(doc)
	if len(doc) < 2 || doc[0] != '{' || bytes.IndexByte(doc, '\n') >= 0 {
		return fmt.Errorf("web: ndjson export: stored document is not one JSON object")
	}
	ref, err := docRef(doc)
	if err != nil {
		return err
	}
	bw.WriteString(`{"url":`)
	u, _ := json.Marshal(x.base + "/incidents/" + ref)
	bw.Write(u)
	if rest := bytes.TrimSpace(doc[1:]); len(rest) > 0 && rest[0] != '}' {
		bw.WriteByte(',')
	}
	bw.Write(doc[1:])
	return bw.WriteByte('\n')
}

// docRef reads the ref member of a stored document (stopping there).
func docRef(doc []byte) (string, error) {
	d := exportDecoder{data: doc}
	var ref string
	err := d.object(func(key []byte) error {
		if string(key) != "ref" {
			return d.skip()
		}
		if err := d.str(&ref, false); err != nil {
			return err
		}
		return errFound
	})
	if err != errFound || ref == "" {
		var p struct {
			Ref string `json:"ref"`
		}
		if err := json.Unmarshal(doc, &p); err != nil {
			return "", fmt.Errorf("web: ndjson export: %w", err)
		}
		ref = p.Ref
	}
	return ref, nil
}

var errFound = errors.New("found")

func uniqAppend(list []string, v string) []string {
	if v == "" {
		return list
	}
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

func joinMulti(v []string) string { return strings.Join(v, MultiValueDelimiter) }
