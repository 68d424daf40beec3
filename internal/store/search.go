package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/presswatch/presswatch/internal/domain"
)

var _ domain.PublicStore = (*DB)(nil)

// SearchWords splits a query into the words it searches for: runs of
// letters, digits and combining marks (so Hindi and Urdu words stay whole).
// Everything else, including every operator of FTS5 and tsquery syntax, is a
// separator. At most 32 words of at most 64 characters are kept.
func SearchWords(q string) []string {
	fields := strings.FieldsFunc(q, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.M, r))
	})
	out := fields[:0]
	for _, f := range fields {
		if !strings.ContainsFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			continue
		}
		if r := []rune(f); len(r) > 64 {
			f = string(r[:64])
		}
		out = append(out, strings.ToLower(f))
		if len(out) == 32 {
			break
		}
	}
	return out
}

// publicQuery is a filter compiled to SQL fragments over public_incidents p.
type publicQuery struct {
	conds []string // fixed fragments, AND-ed
	args  []any
	fts   string   // the engine's full-text query, "" for none
	words []string // the words of fts
	none  bool     // the filter can match nothing (q without words)
	plain bool     // no condition but the status: every published incident
}

func (d *DB) compile(f domain.IncidentFilter) publicQuery {
	q := publicQuery{conds: []string{"p.status = 'published'"}}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		q.conds = append(q.conds, col+" IN ("+placeholders(len(vals))+")")
		for _, v := range vals {
			q.args = append(q.args, v)
		}
	}
	in("p.country", f.Country)
	in("p.admin1", f.Admin1)
	in("p.verification", f.Verification)
	if len(f.Year) > 0 {
		q.conds = append(q.conds, "p.year IN ("+placeholders(len(f.Year))+")")
		for _, y := range f.Year {
			q.args = append(q.args, y)
		}
	}
	if f.From != "" {
		q.conds, q.args = append(q.conds, "p.date_sort >= ?"), append(q.args, f.From)
	}
	if f.To != "" {
		q.conds, q.args = append(q.conds, "p.date_sort <> '' AND p.date_sort <= ?"), append(q.args, f.To)
	}
	if f.Demo != nil {
		q.conds, q.args = append(q.conds, "p.demo = ?"), append(q.args, *f.Demo)
	}
	for _, t := range []struct {
		field string
		vals  []string
	}{
		{"category", f.Category}, {"family", f.Family}, {"actor_type", f.ActorType},
		{"target_role", f.TargetRole}, {"gender", f.Gender}, {"tag", f.Tag},
	} {
		if len(t.vals) == 0 {
			continue
		}
		// A semi-join on the (field, value, incident_id) key: the engines
		// read the matching ids once instead of probing per row.
		q.conds = append(q.conds, "p.id IN (SELECT t.incident_id FROM public_terms t WHERE t.field = ? AND t.value IN ("+placeholders(len(t.vals))+"))")
		q.args = append(q.args, t.field)
		for _, v := range t.vals {
			q.args = append(q.args, v)
		}
	}
	if strings.TrimSpace(f.Q) != "" {
		words := SearchWords(f.Q)
		if len(words) == 0 {
			q.none = true
			q.conds = append(q.conds, "1 = 0")
		} else {
			q.fts, q.words = d.dialect.ftsQuery(words), words
			q.conds, q.args = append(q.conds, d.dialect.ftsWhere()), append(q.args, q.fts)
		}
	}
	q.plain = len(q.conds) == 1
	return q
}

func (q publicQuery) where() string { return " WHERE " + strings.Join(q.conds, " AND ") }

// cursor is the opaque position of the API's keyset paging.
type cursor struct {
	Sort   string `json:"s"`
	Key    string `json:"k,omitempty"` // date_sort or updated_at of the last row
	ID     int64  `json:"i,omitempty"`
	Offset int    `json:"o,omitempty"` // relevance order pages by offset
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

var errBadCursor = domain.InvalidFields(map[string]string{"after": "This cursor is not valid; start again from the first page."})

// decodeCursor parses an opaque cursor for the sort order.
func decodeCursor(s, sort string) (cursor, error) {
	var c cursor
	if len(s) > 512 {
		return c, errBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, errBadCursor
	}
	if err := json.Unmarshal(b, &c); err != nil || c.Sort != sort || c.Offset < 0 || c.ID < 0 || len(c.Key) > 64 {
		return cursor{}, errBadCursor
	}
	if sort == "updated" {
		if _, err := time.Parse(time.RFC3339Nano, c.Key); err != nil {
			return cursor{}, errBadCursor
		}
	}
	return c, nil
}

// order returns the ORDER BY for the sort (from an allow-list), the
// columns a cursor needs, and the keyset condition after a cursor.
func (d *DB) order(sort string, q publicQuery) (orderBy string, orderArgs []any) {
	switch sort {
	case "oldest":
		return "p.date_sort ASC, p.id ASC", nil
	case "updated":
		return "p.updated_at DESC, p.id DESC", nil
	case "relevance":
		if q.fts != "" {
			if d.dialect.IsPostgres() {
				return "ts_rank(p.fts, plainto_tsquery('simple', ?)) DESC, p.date_sort DESC, p.id DESC", []any{q.fts}
			}
			return "public_fts.rank ASC, p.date_sort DESC, p.id DESC", nil
		}
	}
	return "p.date_sort DESC, p.id DESC", nil
}

func effectiveSort(f domain.IncidentFilter) string {
	switch f.Sort {
	case "oldest", "updated":
		return f.Sort
	case "relevance":
		if strings.TrimSpace(f.Q) != "" {
			return "relevance"
		}
	}
	return "date"
}

// pageSQL builds the query of a page (or of the whole stream when limit is
// 0) in the filter's order, selecting id, doc, date_sort, updated_at.
func (d *DB) pageSQL(f domain.IncidentFilter, q publicQuery, sort string, c *cursor, limit, offset int) (string, []any) {
	return d.selectSQL("p.id, p.doc, p.date_sort, p.updated_at", f, q, sort, c, limit, offset)
}

// selectSQL is pageSQL selecting cols.
func (d *DB) selectSQL(cols string, f domain.IncidentFilter, q publicQuery, sort string, c *cursor, limit, offset int) (string, []any) {
	from := " FROM public_incidents p"
	conds := append([]string(nil), q.conds...)
	args := append([]any(nil), q.args...)
	if sort == "relevance" && !d.dialect.IsPostgres() {
		// Join the FTS table so that its rank orders the rows.
		from = " FROM public_fts JOIN public_incidents p ON p.id = public_fts.rowid"
		for i, cnd := range conds {
			if cnd == d.dialect.ftsWhere() {
				conds[i] = "public_fts MATCH ?"
			}
		}
	}
	if c != nil {
		switch sort {
		case "date":
			conds = append(conds, "(p.date_sort < ? OR (p.date_sort = ? AND p.id < ?))")
			args = append(args, c.Key, c.Key, c.ID)
		case "oldest":
			conds = append(conds, "(p.date_sort > ? OR (p.date_sort = ? AND p.id > ?))")
			args = append(args, c.Key, c.Key, c.ID)
		case "updated":
			t, _ := time.Parse(time.RFC3339Nano, c.Key)
			conds = append(conds, "(p.updated_at < ? OR (p.updated_at = ? AND p.id < ?))")
			args = append(args, d.dialect.Time(t), d.dialect.Time(t), c.ID)
		}
	}
	orderBy, oargs := d.order(sort, q)
	s := "SELECT " + cols + from + " WHERE " + strings.Join(conds, " AND ") + " ORDER BY " + orderBy
	args = append(args, oargs...)
	if limit > 0 {
		s += " LIMIT ? OFFSET ?"
		args = append(args, limit, offset)
	}
	return s, args
}

// SearchPublic returns one page of published incidents matching f, with the
// totals (incidents and persons) of the whole match and, for the API, the
// cursor of the next page. With f.After set, paging is by keyset (f.Page is
// ignored). Items carry a highlighted Snippet when f.Q has words.
func (d *DB) SearchPublic(ctx context.Context, f domain.IncidentFilter) (*domain.PublicPage, error) {
	f.Defaults()
	sort := effectiveSort(f)
	q := d.compile(f)
	var c *cursor
	offset := (f.Page - 1) * f.PerPage
	if f.Offset > 0 {
		offset = f.Offset
	}
	if f.After != "" {
		cc, err := decodeCursor(f.After, sort)
		if err != nil {
			return nil, err
		}
		if sort == "relevance" {
			offset = cc.Offset
		} else {
			c, offset = &cc, 0
		}
	}
	tx, err := d.snapshotTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if !q.none {
		page, ok, err := d.searchIndex(ctx, tx, f, q, sort, c, offset)
		if err != nil || ok {
			return page, err
		}
	}
	page := &domain.PublicPage{}
	if err := d.totals(ctx, tx, f, q, &page.Total, &page.Persons); err != nil {
		return nil, err
	}
	if q.none || page.Total == 0 {
		return page, nil
	}
	s, args := d.pageSQL(f, q, sort, c, f.PerPage+1, offset)
	rows, err := tx.Query(ctx, s, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	defer rows.Close()
	var lastKey string
	var lastUpd time.Time
	more := false
	for rows.Next() {
		p, key, upd, err := scanPageRow(rows)
		if err != nil {
			return nil, err
		}
		if len(page.Items) == f.PerPage {
			more = true
			break
		}
		lastKey, lastUpd = key, upd
		page.Items = append(page.Items, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	rows.Close()
	if more {
		next := cursor{Sort: sort}
		switch sort {
		case "relevance":
			next.Offset = offset + f.PerPage
		case "updated":
			next.Key, next.ID = lastUpd.UTC().Format(time.RFC3339Nano), page.Items[len(page.Items)-1].ID
		default:
			next.Key, next.ID = lastKey, page.Items[len(page.Items)-1].ID
		}
		page.NextCursor = next.encode()
	}
	if q.fts != "" && len(page.Items) > 0 {
		if err := d.snippets(ctx, tx, q.fts, page.Items); err != nil {
			return nil, err
		}
	}
	return page, nil
}

func scanPageRow(rows interface{ Scan(...any) error }) (*domain.PublicIncident, string, time.Time, error) {
	var id int64
	var doc []byte
	var key string
	var upd time.Time
	if err := rows.Scan(&id, &doc, &key, TimeScanner{&upd}); err != nil {
		return nil, "", upd, fmt.Errorf("store: read public incident: %w", err)
	}
	p := &domain.PublicIncident{}
	if err := json.Unmarshal(doc, p); err != nil {
		return nil, "", upd, fmt.Errorf("store: decode public incident %d: %w", id, err)
	}
	p.ID = id
	return p, key, upd, nil
}

// snippets fills Snippet of items: the matching words in context, HTML
// escaped, with only <mark> tags.
func (d *DB) snippets(ctx context.Context, q Querier, fts string, items []*domain.PublicIncident) error {
	args := []any{fts}
	byID := map[int64]*domain.PublicIncident{}
	for _, it := range items {
		args = append(args, it.ID)
		byID[it.ID] = it
	}
	rows, err := q.Query(ctx, d.dialect.snippetQuery(len(items)), args...)
	if err != nil {
		return fmt.Errorf("store: snippets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			return fmt.Errorf("store: snippets: %w", err)
		}
		if it := byID[id]; it != nil {
			it.Snippet = markHighlights(s)
		}
	}
	return rows.Err()
}

var marksToHTML = strings.NewReplacer(markOpen, "<mark>", markClose, "</mark>")

// markHighlights HTML-escapes s and turns the highlight markers into <mark>
// tags (balanced: a dangling open mark is closed).
func markHighlights(s string) string {
	s = marksToHTML.Replace(html.EscapeString(strings.TrimSpace(s)))
	if o, c := strings.Count(s, "<mark>"), strings.Count(s, "</mark>"); o > c {
		s += strings.Repeat("</mark>", o-c)
	}
	return s
}

// totals counts the incidents and persons the filter matches, from the
// cache when the published record has not changed.
func (d *DB) totals(ctx context.Context, tx *Tx, f domain.IncidentFilter, q publicQuery, total, persons *int) error {
	if q.none {
		return nil
	}
	gen, err := publicGeneration(ctx, tx)
	if err != nil {
		return err
	}
	key := "t|" + cacheKey(f)
	if v, ok := d.cache.get(gen, key); ok {
		t := v.(totals)
		*total, *persons = t.n, t.persons
		return nil
	}
	if res, ok, err := d.indexPass(ctx, tx, gen, f, q, false); err != nil {
		return err
	} else if ok {
		*total, *persons = res.total, res.persons
		d.cache.put(gen, key, totals{*total, *persons})
		return nil
	}
	if err := tx.QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(p.persons), 0) FROM public_incidents p"+q.where(), q.args...).Scan(total, persons); err != nil {
		return fmt.Errorf("store: count: %w", TranslateError(err))
	}
	d.cache.put(gen, key, totals{*total, *persons})
	return nil
}

type totals struct{ n, persons int }

func cacheKey(f domain.IncidentFilter) string {
	v := f.Values()
	v.Del("sort")
	return v.Encode()
}

// EachPublic streams every published incident the filter selects (paging
// ignored) in the filter's order, one row at a time.
func (d *DB) EachPublic(ctx context.Context, f domain.IncidentFilter, fn func(*domain.PublicIncident) error) error {
	f.Defaults()
	sort := effectiveSort(f)
	q := d.compile(f)
	if q.none {
		return nil
	}
	s, args := d.pageSQL(f, q, sort, nil, 0, 0)
	rows, err := d.Reader().Query(ctx, s, args...)
	if err != nil {
		return fmt.Errorf("store: each public: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, _, _, err := scanPageRow(rows)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: each public: %w", err)
	}
	return nil
}

// PublicRefs returns the refs of every published incident the filter
// selects (paging ignored), in the filter's order: what EachPublic streams,
// without decoding a document (a static mirror patches its search index
// with it).
func (d *DB) PublicRefs(ctx context.Context, f domain.IncidentFilter) ([]string, error) {
	f.Defaults()
	sort := effectiveSort(f)
	q := d.compile(f)
	if q.none {
		return nil, nil
	}
	s, args := d.selectSQL("p.ref", f, q, sort, nil, 0, 0)
	rows, err := d.Reader().Query(ctx, s, args...)
	if err != nil {
		return nil, fmt.Errorf("store: public refs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, fmt.Errorf("store: public refs: %w", err)
		}
		out = append(out, ref)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: public refs: %w", err)
	}
	return out, nil
}

// facetColumns are the facet fields stored as columns of public_incidents;
// the others are in public_terms.
var facetColumns = map[string]string{"country": "p.country", "admin1": "p.admin1", "year": "p.year", "verification": "p.verification"}

// Facets counts, for the filter, the incidents per value of every field in
// domain.FacetFields (one grouped query per field), with the totals. Values
// are ordered by count, then value. Results are cached per generation of the
// published record.
func (d *DB) Facets(ctx context.Context, f domain.IncidentFilter) (*domain.Facets, error) {
	f.Defaults()
	q := d.compile(f)
	out := &domain.Facets{Fields: map[string][]domain.FacetCount{}}
	for _, name := range domain.FacetFields {
		out.Fields[name] = []domain.FacetCount{}
	}
	if q.none {
		return out, nil
	}
	tx, err := d.snapshotTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	gen, err := publicGeneration(ctx, tx)
	if err != nil {
		return nil, err
	}
	key := "f|" + cacheKey(f)
	if v, ok := d.cache.get(gen, key); ok {
		return cloneFacets(v.(*domain.Facets)), nil
	}
	if res, idx, err := d.indexFacets(ctx, tx, gen, f, q); err != nil {
		return nil, err
	} else if res != nil {
		out = idx.facets(res)
		d.cache.put(gen, "t|"+cacheKey(f), totals{out.Incidents, out.Persons})
		d.cache.put(gen, key, cloneFacets(out))
		return out, nil
	}
	if err := d.totals(ctx, tx, f, q, &out.Incidents, &out.Persons); err != nil {
		return nil, err
	}
	if out.Incidents == 0 {
		d.cache.put(gen, key, cloneFacets(out))
		return out, nil
	}
	for _, name := range domain.FacetFields {
		var s string
		args := []any{}
		if col, ok := facetColumns[name]; ok {
			s = "SELECT " + col + ", COUNT(*) FROM public_incidents p" + q.where() + " GROUP BY " + col
			args = append(args, q.args...)
		} else if q.plain {
			// public_terms holds only published incidents: no join needed.
			s = "SELECT t.value, COUNT(*) FROM public_terms t WHERE t.field = ? GROUP BY t.value"
			args = append(args, name)
		} else {
			s = "SELECT t.value, COUNT(*) FROM public_terms t WHERE t.field = ? AND t.incident_id IN (SELECT p.id FROM public_incidents p" +
				q.where() + ") GROUP BY t.value"
			args = append(append(args, name), q.args...)
		}
		rows, err := tx.Query(ctx, s, args...)
		if err != nil {
			return nil, fmt.Errorf("store: facet %s: %w", name, err)
		}
		var counts []domain.FacetCount
		for rows.Next() {
			var v any
			var n int
			if err := rows.Scan(&v, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: facet %s: %w", name, err)
			}
			val := facetValue(v)
			if val == "" || val == "0" {
				continue
			}
			counts = append(counts, domain.FacetCount{Value: val, Count: n})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: facet %s: %w", name, err)
		}
		sortFacet(counts)
		if counts == nil {
			counts = []domain.FacetCount{}
		}
		out.Fields[name] = counts
	}
	d.cache.put(gen, key, cloneFacets(out))
	return out, nil
}

func facetValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func sortFacet(c []domain.FacetCount) {
	// Insertion sort is plenty: facets have tens of values.
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && (c[j].Count > c[j-1].Count || c[j].Count == c[j-1].Count && c[j].Value < c[j-1].Value); j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
}

func cloneFacets(f *domain.Facets) *domain.Facets {
	out := &domain.Facets{Incidents: f.Incidents, Persons: f.Persons, Fields: make(map[string][]domain.FacetCount, len(f.Fields))}
	for k, v := range f.Fields {
		out.Fields[k] = append([]domain.FacetCount{}, v...)
	}
	return out
}

// publicCache keeps totals and facets for the current generation of the
// published record. Every process reads the generation from the database, so
// the cache is right with several processes on PostgreSQL.
type publicCache struct {
	mu  sync.Mutex
	gen int64
	m   map[string]any
	ids int // entries holding full-text match sets (large: bounded apart)

	index pubIndexHolder // the in-memory index of the published record (pubindex.go)
	words wordSets       // match sets of frequent words, across generations (pubwords.go)
}

const publicCacheSize = 4096

func (c *publicCache) get(gen int64, key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.m == nil {
		return nil, false
	}
	v, ok := c.m[key]
	return v, ok
}

func (c *publicCache) put(gen int64, key string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reset(gen)
	c.m[key] = v
}

// putIDs keeps a full-text match set unless publicCacheIDs are kept.
func (c *publicCache) putIDs(gen int64, key string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reset(gen)
	if _, ok := c.m[key]; ok || c.ids >= publicCacheIDs {
		return
	}
	c.ids++
	c.m[key] = v
}

func (c *publicCache) reset(gen int64) {
	if c.gen != gen || c.m == nil || len(c.m) >= publicCacheSize {
		c.gen, c.m, c.ids = gen, map[string]any{}, 0
	}
}

// publicCacheIDs bounds the full-text match sets kept per generation
// (a bitset of every id: 125 KB at a million incidents).
const publicCacheIDs = 32
