package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/presswatch/presswatch/internal/domain"
)

// This file keeps an in-memory, columnar copy of the filter fields of every
// published incident (no text, no documents: about 50 bytes an incident),
// in the default list order. One pass over it answers the exact total, the
// persons count, every facet and the ids of a page for any filter; the
// database then only reads the page's documents and, for q, the full-text
// matches. It belongs to one generation of the published record: a reader
// that sees a newer generation applies the changes public_changes lists
// (migration 0002) inside its own snapshot, so every process stays exact.

// pubRow is one published incident in the index.
type pubRow struct {
	id      int64
	date    uint32 // date_sort as YYYYMMDD, 0 when unknown
	persons uint32
	toff    uint32 // its term codes are terms[toff : toff+tn], its statistics codes (sdict) the sn after them
	year    uint16
	country uint16
	admin1  uint16
	verif   uint16
	tn      uint16
	sn      uint16
	month   uint8 // monthNone, monthKnown or monthNeither (pubindex_stats.go)
	demo    bool
}

// pubDict numbers (field, value) pairs, keyed "field=value" (field names
// have no "="). An index never changes its dict; an update that meets new
// values clones it.
type pubDict struct {
	codes map[string]uint16
	names [][2]string
}

func (d *pubDict) code(field, value string) (uint16, bool) {
	c, ok := d.codes[field+"="+value]
	return c, ok
}

// addKey returns the code of key ("field=value"), adding it; false when the
// dict is full (the index then gives up and the SQL path serves). A known
// key costs no allocation.
func (d *pubDict) addKey(key []byte) (uint16, bool) {
	if c, ok := d.codes[string(key)]; ok {
		return c, true
	}
	if len(d.names) >= 1<<16-1 {
		return 0, false
	}
	k := string(key)
	field, value, _ := strings.Cut(k, "=")
	c := uint16(len(d.names))
	d.codes[k] = c
	d.names = append(d.names, [2]string{field, value})
	return c, true
}

func (d *pubDict) clone() *pubDict {
	out := &pubDict{codes: make(map[string]uint16, len(d.codes)), names: slices.Clip(append([][2]string(nil), d.names...))}
	for k, v := range d.codes {
		out.codes[k] = v
	}
	return out
}

// pubIndex is the index at one generation; immutable once published.
type pubIndex struct {
	gen   int64
	rows  []pubRow // date DESC, id DESC
	terms []uint16
	dict  *pubDict
	maxID int64
	// sdict numbers the statistics codes (targeted persons per role and
	// gender, targeted outlets); noStats means they did not fit and /stats
	// with a filter uses SQL.
	sdict   *pubDict
	noStats bool
}

// pubIndexHolder holds the current index of a DB.
type pubIndexHolder struct {
	mu  sync.Mutex // serialises builds
	cur atomic.Pointer[pubIndex]
	off atomic.Bool // tests and benchmarks compare with the SQL path
	// loads counts the indexes read from the whole record (not updated
	// nor from the saved copy).
	loads atomic.Int64
	// helper is held by the one search at a time that reads full-text
	// matches on a second connection (TryLock: a search never waits for
	// it, so searches cannot hold every connection waiting for another).
	helper sync.Mutex
}

// indexChangeLimit is how many generations or changed rows an update
// applies before a full reload is cheaper (public_changes keeps 10,000
// generations).
const indexChangeLimit = 5000

// publicIndex returns the index at the generation gen that tx sees,
// building or updating it from tx. nil (and no error) means the caller
// must use SQL: the index is off, or already newer than tx's snapshot.
func (d *DB) publicIndex(ctx context.Context, tx *Tx, gen int64) (*pubIndex, error) {
	h := &d.cache.index
	if h.off.Load() {
		return nil, nil
	}
	if idx := h.cur.Load(); idx != nil && idx.gen == gen {
		return idx, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	old := h.cur.Load()
	if old != nil && old.gen == gen {
		return old, nil
	}
	if old != nil && old.gen > gen {
		return nil, nil
	}
	var idx *pubIndex
	var err error
	if old == nil {
		// A new process: from the saved copy, if there is one to use
		// (pubindex_saved.go), saved again when it was far behind.
		var savedGen int64
		idx, savedGen, err = d.loadSavedIndex(ctx, tx, gen)
		if idx != nil && gen-savedGen >= savedIndexRefresh {
			d.saveIndex(idx)
		}
	}
	if idx == nil && err == nil && old != nil && gen-old.gen <= indexChangeLimit {
		idx, err = d.updateIndex(ctx, tx, old, gen)
	}
	if idx == nil && err == nil {
		if idx, err = d.loadIndex(ctx, tx, gen); idx != nil {
			h.loads.Add(1)
			d.saveIndex(idx)
		}
	}
	if err != nil || idx == nil {
		return nil, err
	}
	h.cur.Store(idx)
	return idx, nil
}

// WarmPublic builds the in-memory index of the published record now (serve
// can call it at start-up so that the first reader does not wait for it:
// about a second per 200,000 incidents on SQLite).
func (d *DB) WarmPublic(ctx context.Context) error {
	tx, err := d.snapshotTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	gen, err := publicGeneration(ctx, tx)
	if err != nil {
		return err
	}
	_, err = d.publicIndex(ctx, tx, gen)
	return err
}

// indexRowsSQL selects the index fields of published incidents with their
// terms joined as field=value, separated by U+001F, and what the
// statistics need of the document (statsColumnSQL).
func (d *DB) indexRowsSQL(where string) string {
	agg := "group_concat(t.field || '=' || t.value, char(31))"
	if d.dialect.IsPostgres() {
		agg = "string_agg(t.field || '=' || t.value, chr(31))"
	}
	return "SELECT p.id, p.date_sort, p.year, p.country, p.admin1, p.verification, p.persons, p.demo, " +
		"(SELECT " + agg + " FROM public_terms t WHERE t.incident_id = p.id), " + d.statsColumnSQL() +
		" FROM public_incidents p WHERE p.status = 'published'" + where
}

// indexBuilder accumulates rows and their terms.
type indexBuilder struct {
	dict    *pubDict
	rows    []pubRow
	terms   []uint16
	full    bool // the dict overflowed
	sdict   *pubDict
	noStats bool // the statistics codes did not fit
	key     []byte
}

func (b *indexBuilder) scan(ctx context.Context, q Querier, s string, args ...any) error {
	rows, err := q.Query(ctx, s, args...)
	if err != nil {
		return fmt.Errorf("store: public index: %w", err)
	}
	defer rows.Close()
	var date, country, admin1, verif, terms, doc sql.RawBytes
	var key []byte
	code := func(field string, value []byte) uint16 {
		key = append(append(append(key[:0], field...), '='), value...)
		c, ok := b.dict.addKey(key)
		if !ok {
			b.full = true
		}
		return c
	}
	for rows.Next() {
		var r pubRow
		var year, persons int64
		if err := rows.Scan(&r.id, &date, &year, &country, &admin1, &verif, &persons, &r.demo, &terms, &doc); err != nil {
			return fmt.Errorf("store: public index: %w", err)
		}
		var ok bool
		r.date, ok = encodeSortDateBytes(date)
		if !ok || year < 0 || year > 1<<16-1 || persons < 0 {
			b.full = true
			continue
		}
		r.year, r.persons = uint16(year), uint32(persons)
		r.country, r.admin1, r.verif = code("country", country), code("admin1", admin1), code("verification", verif)
		r.toff = uint32(len(b.terms))
		for len(terms) > 0 {
			ft := terms
			if i := bytes.IndexByte(terms, 0x1f); i >= 0 {
				ft, terms = terms[:i], terms[i+1:]
			} else {
				terms = nil
			}
			c, ok := b.dict.addKey(ft)
			if !ok {
				b.full = true
				break
			}
			b.terms = append(b.terms, c)
		}
		n := len(b.terms) - int(r.toff)
		if b.full || n > 1<<16-1 {
			b.full = true
			return nil
		}
		r.tn = uint16(n)
		r.sn, r.month = b.statsCodes(doc, r.date != 0)
		if len(b.terms) > 1<<32-1 {
			b.full = true
			return nil
		}
		b.rows = append(b.rows, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: public index: %w", err)
	}
	return nil
}

func rowOrder(a, b pubRow) int {
	switch {
	case a.date > b.date:
		return -1
	case a.date < b.date:
		return 1
	case a.id > b.id:
		return -1
	case a.id < b.id:
		return 1
	}
	return 0
}

// loadIndex reads every published incident (nil when the data does not fit
// the index's encodings).
func (d *DB) loadIndex(ctx context.Context, tx *Tx, gen int64) (*pubIndex, error) {
	b := &indexBuilder{dict: &pubDict{codes: map[string]uint16{}}, sdict: &pubDict{codes: map[string]uint16{}}}
	if err := b.scan(ctx, tx, d.indexRowsSQL("")); err != nil {
		return nil, err
	}
	if b.full {
		return nil, nil
	}
	slices.SortFunc(b.rows, rowOrder)
	// Lay the codes out in row order: a pass then reads them in sequence
	// instead of one cache miss per row (at a million rows that miss was
	// most of a facet pass).
	terms := make([]uint16, 0, len(b.terms))
	for i := range b.rows {
		r := &b.rows[i]
		off := len(terms)
		terms = append(terms, b.terms[r.toff:r.toff+uint32(r.tn)+uint32(r.sn)]...)
		r.toff = uint32(off)
	}
	idx := &pubIndex{gen: gen, rows: b.rows, terms: terms, dict: b.dict, sdict: b.sdict, noStats: b.noStats}
	for _, r := range idx.rows {
		idx.maxID = max(idx.maxID, r.id)
	}
	return idx, nil
}

// updateIndex applies the changes between old's generation and gen; nil
// (and no error) when a full reload is better.
func (d *DB) updateIndex(ctx context.Context, tx *Tx, old *pubIndex, gen int64) (*pubIndex, error) {
	rows, err := tx.Query(ctx, "SELECT DISTINCT incident_id FROM public_changes WHERE gen > ? AND gen <= ?", old.gen, gen)
	if err != nil {
		return nil, fmt.Errorf("store: public changes: %w", err)
	}
	changed := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: public changes: %w", err)
		}
		changed[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: public changes: %w", err)
	}
	if len(changed) > indexChangeLimit || len(changed) > len(old.rows)/10+100 {
		return nil, nil
	}
	b := &indexBuilder{dict: old.dict.clone(), sdict: old.sdict.clone(), noStats: old.noStats}
	ids := make([]any, 0, len(changed))
	for id := range changed {
		ids = append(ids, id)
	}
	for len(ids) > 0 {
		k := min(len(ids), 500)
		if err := b.scan(ctx, tx, d.indexRowsSQL(" AND p.id IN ("+placeholders(k)+")"), ids[:k]...); err != nil {
			return nil, err
		}
		ids = ids[k:]
	}
	if b.full {
		return nil, nil
	}
	slices.SortFunc(b.rows, rowOrder)
	idx := &pubIndex{gen: gen, dict: b.dict, sdict: b.sdict, noStats: b.noStats, rows: make([]pubRow, 0, len(old.rows)+len(b.rows)),
		terms: make([]uint16, 0, len(old.terms)+len(b.terms))}
	add := func(r pubRow, terms []uint16) {
		off := len(idx.terms)
		idx.terms = append(idx.terms, terms[r.toff:r.toff+uint32(r.tn)+uint32(r.sn)]...)
		r.toff = uint32(off)
		idx.rows = append(idx.rows, r)
		idx.maxID = max(idx.maxID, r.id)
	}
	// A bitset of the changed ids: the loop below visits every row.
	gone := make([]uint64, old.maxID/64+1)
	for id := range changed {
		if id >= 0 && id <= old.maxID {
			gone[id>>6] |= 1 << (id & 63)
		}
	}
	i := 0
	for _, r := range old.rows {
		if gone[r.id>>6]&(1<<(r.id&63)) != 0 {
			continue
		}
		for i < len(b.rows) && rowOrder(b.rows[i], r) < 0 {
			add(b.rows[i], b.terms)
			i++
		}
		add(r, old.terms)
	}
	for ; i < len(b.rows); i++ {
		add(b.rows[i], b.terms)
	}
	if len(idx.terms) > 1<<32-1 {
		return nil, nil
	}
	return idx, nil
}

// encodeSortDate turns "YYYY-MM-DD" (or "") into YYYYMMDD (or 0), which
// orders as the text does.
func encodeSortDate(s string) (uint32, bool) {
	return encodeSortDateBytes([]byte(s))
}

func encodeSortDateBytes(s []byte) (uint32, bool) {
	if len(s) == 0 {
		return 0, true
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	var n uint32
	for i := 0; i < 10; i++ {
		if i == 4 || i == 7 {
			continue
		}
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint32(c-'0')
	}
	return n, n != 0
}

func decodeSortDate(n uint32) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", n/10000, n/100%100, n%100)
}

// pubMatcher is a filter compiled against one index.
type pubMatcher struct {
	none                   bool
	country, admin1, verif codeSet   // nil: any
	groups                 []codeSet // term fields: any of the row's terms in the set
	years                  []uint16
	from, to               uint32
	hasTo                  bool
	demo                   *bool
	ids                    []uint64 // full-text matches as a bitset of ids; nil for no q
	idCount                int      // how many ids are set
	walk                   int      // doclist entries of q's words together (0: unknown)
}

type codeSet []bool

func (m *pubMatcher) match(idx *pubIndex, r *pubRow) bool {
	if m.ids != nil {
		if w := r.id >> 6; w >= int64(len(m.ids)) || m.ids[w]&(1<<(r.id&63)) == 0 {
			return false
		}
	}
	if m.country != nil && !m.country[r.country] || m.admin1 != nil && !m.admin1[r.admin1] || m.verif != nil && !m.verif[r.verif] {
		return false
	}
	if r.date < m.from || m.hasTo && (r.date == 0 || r.date > m.to) {
		return false
	}
	if m.years != nil && !slices.Contains(m.years, r.year) {
		return false
	}
	if m.demo != nil && r.demo != *m.demo {
		return false
	}
	if len(m.groups) > 0 {
		terms := idx.terms[r.toff : r.toff+uint32(r.tn)]
	groups:
		for _, g := range m.groups {
			for _, c := range terms {
				if g[c] {
					continue groups
				}
			}
			return false
		}
	}
	return true
}

// matcher compiles f (without q: the caller sets ids) for idx; ok is false
// when the index cannot express the filter (the caller uses SQL).
func (idx *pubIndex) matcher(f domain.IncidentFilter) (m *pubMatcher, ok bool) {
	m = &pubMatcher{}
	n := len(idx.dict.names)
	set := func(field string, vals []string) codeSet {
		s := make(codeSet, n)
		any := false
		for _, v := range vals {
			if c, ok := idx.dict.code(field, v); ok {
				s[c], any = true, true
			}
		}
		if !any {
			m.none = true
		}
		return s
	}
	if len(f.Country) > 0 {
		m.country = set("country", f.Country)
	}
	if len(f.Admin1) > 0 {
		m.admin1 = set("admin1", f.Admin1)
	}
	if len(f.Verification) > 0 {
		m.verif = set("verification", f.Verification)
	}
	if len(f.Year) > 0 {
		m.years = []uint16{}
		for _, y := range f.Year {
			if y >= 0 && y <= 1<<16-1 {
				m.years = append(m.years, uint16(y))
			}
		}
		if len(m.years) == 0 {
			m.none = true
		}
	}
	if f.From != "" {
		if m.from, ok = encodeSortDate(f.From); !ok {
			return nil, false
		}
	}
	if f.To != "" {
		if m.to, ok = encodeSortDate(f.To); !ok {
			return nil, false
		}
		m.hasTo = true
	}
	m.demo = f.Demo
	for _, t := range []struct {
		field string
		vals  []string
	}{
		{"category", f.Category}, {"family", f.Family}, {"actor_type", f.ActorType},
		{"target_role", f.TargetRole}, {"gender", f.Gender}, {"tag", f.Tag},
	} {
		if len(t.vals) > 0 {
			m.groups = append(m.groups, set(t.field, t.vals))
		}
	}
	return m, true
}

// indexResult is what one pass over the index gives.
type indexResult struct {
	total, persons int
	// unranked: a relevance page listed newest first (relevancePage).
	unranked bool
	page     []pubRow
	counts   []int32     // per dict code
	years    []int32     // per year
	stats    *statsCount // with pass.stats (pubindex_stats.go)
}

// pass says what one pass over the index does: visit the rows a matcher
// matches in order (reverse: oldest first), count them all, and keep up to
// limit of those at or after visiting position start, skipping the first
// offset of them. facets counts every dict code and year of the match;
// with stats it also counts the numbers of /stats. Without needTotal it
// stops as soon as the page is full.
type pass struct {
	reverse              bool
	start, offset, limit int
	facets, needTotal    bool
	stats                *statsShape
}

// run makes the pass p. A full pass over a large index is split across
// the cores: each part keeps its own first offset+limit matches, which are
// merged in order.
func (idx *pubIndex) run(m *pubMatcher, p pass) *indexResult {
	n := len(idx.rows)
	keep := p.offset + p.limit
	workers := runtime.GOMAXPROCS(0)
	if !p.needTotal || m.none || n < parallelMinRows || workers < 2 {
		return idx.runRange(m, p, 0, n, p.offset, p.limit)
	}
	workers = min(workers, 8)
	parts := make([]*indexResult, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[w] = idx.runRange(m, p, n*w/workers, n*(w+1)/workers, 0, keep)
		}()
	}
	wg.Wait()
	res := parts[0]
	for _, part := range parts[1:] {
		res.total += part.total
		res.persons += part.persons
		if len(res.page) < keep {
			res.page = append(res.page, part.page[:min(len(part.page), keep-len(res.page))]...)
		}
		for i, c := range part.counts {
			res.counts[i] += c
		}
		for i, c := range part.years {
			res.years[i] += c
		}
		if res.stats != nil {
			res.stats.add(part.stats)
		}
	}
	res.page = res.page[min(p.offset, len(res.page)):]
	return res
}

// parallelMinRows is the smallest index whose full passes are split
// across the cores (tests lower it).
var parallelMinRows = 100_000

// runRange is the pass p over visiting positions [from, to): of the
// matches at or after p.start it skips the first skip and keeps the next
// keep.
func (idx *pubIndex) runRange(m *pubMatcher, p pass, from, to, skip, keep int) *indexResult {
	res := &indexResult{}
	if p.facets {
		res.counts = make([]int32, len(idx.dict.names))
		res.years = make([]int32, 1<<16)
	}
	if p.stats != nil {
		res.stats = p.stats.newCount()
	}
	if m.none {
		return res
	}
	n := len(idx.rows)
	for k := from; k < to; k++ {
		i := k
		if p.reverse {
			i = n - 1 - k
		}
		r := &idx.rows[i]
		if !m.match(idx, r) {
			continue
		}
		if k >= p.start {
			if skip > 0 {
				skip--
			} else if len(res.page) < keep {
				res.page = append(res.page, *r)
			} else if !p.needTotal {
				break
			}
		}
		res.total++
		res.persons += int(r.persons)
		if p.facets {
			res.counts[r.country]++
			res.counts[r.admin1]++
			res.counts[r.verif]++
			res.years[r.year]++
			for _, c := range idx.terms[r.toff : r.toff+uint32(r.tn)] {
				res.counts[c]++
			}
		}
		if p.stats != nil {
			p.stats.count(res.stats, idx, r)
		}
	}
	return res
}

// after returns the position (in visiting order) of the first row after
// the cursor position (key, id).
func (idx *pubIndex) after(reverse bool, key uint32, id int64) int {
	n := len(idx.rows)
	if !reverse {
		return sortSearch(n, func(i int) bool {
			r := idx.rows[i]
			return r.date < key || r.date == key && r.id < id
		})
	}
	// Visiting backwards: position k is row n-1-k; rows after the cursor
	// are those with (date, id) > (key, id), which are the first rows of
	// the slice.
	j := sortSearch(n, func(i int) bool {
		r := idx.rows[i]
		return r.date < key || r.date == key && r.id <= id
	})
	return n - j
}

func sortSearch(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if !f(h) {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

// facets turns the counts of a pass into domain facets.
func (idx *pubIndex) facets(res *indexResult) *domain.Facets {
	out := &domain.Facets{Incidents: res.total, Persons: res.persons, Fields: map[string][]domain.FacetCount{}}
	want := map[string]bool{}
	for _, name := range domain.FacetFields {
		want[name] = true
		out.Fields[name] = []domain.FacetCount{}
	}
	for c, n := range res.counts {
		if n == 0 {
			continue
		}
		nv := idx.dict.names[c]
		if !want[nv[0]] || nv[1] == "" || nv[1] == "0" {
			continue
		}
		out.Fields[nv[0]] = append(out.Fields[nv[0]], domain.FacetCount{Value: nv[1], Count: int(n)})
	}
	if want["year"] {
		for y, n := range res.years {
			if y != 0 && n != 0 {
				out.Fields["year"] = append(out.Fields["year"], domain.FacetCount{Value: fmt.Sprint(y), Count: int(n)})
			}
		}
	}
	for _, v := range out.Fields {
		sortFacet(v)
	}
	return out
}

// ftsIDs returns the ids of published incidents matching the full-text
// query as a bitset sized for idx, and their number. The engine joins them
// into one text value: one row instead of one per match (a common word
// matches a quarter of a million incidents). On SQLite a large record's
// ids are read in two halves at once, the upper half on a second reader
// connection that must see the same generation gen as tx (else tx reads it
// too): FTS5 walking a common word's matches is most of a search's time.
func (d *DB) ftsIDs(ctx context.Context, tx *Tx, gen int64, idx *pubIndex, fts string) ([]uint64, int, error) {
	bits := make([]uint64, idx.maxID/64+1)
	h := &d.cache.index
	// The second connection must be free now (idle, or not yet opened):
	// connections held for long (exports streaming every document) must
	// not stall the search.
	if d.dialect.IsPostgres() || idx.maxID < int64(parallelMinRows) || runtime.GOMAXPROCS(0) < 2 ||
		!freeConnection(d.read.Stats()) || !h.helper.TryLock() {
		n, err := d.ftsRange(ctx, tx, fts, 0, idx.maxID, bits)
		return bits, n, err
	}
	defer h.helper.Unlock()
	// A multiple of 64: the halves set bits in different words.
	split := idx.maxID / 2 &^ 63
	var upper int
	var same bool
	var upperErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		if ftsHelperStart != nil {
			ftsHelperStart()
		}
		other, err := d.snapshotTx(ctx)
		if err != nil {
			upperErr = err
			return
		}
		defer other.Rollback()
		if g, err := publicGeneration(ctx, other); err != nil || g != gen {
			upperErr = err
			return
		}
		same = true
		upper, upperErr = d.ftsRange(ctx, other, fts, split, idx.maxID, bits)
	}()
	lower, err := d.ftsRange(ctx, tx, fts, 0, split-1, bits)
	<-done
	if err != nil {
		return nil, 0, err
	}
	if upperErr != nil {
		return nil, 0, upperErr
	}
	if !same {
		upper, err = d.ftsRange(ctx, tx, fts, split, idx.maxID, bits)
		if err != nil {
			return nil, 0, err
		}
	}
	return bits, lower + upper, nil
}

func freeConnection(s sql.DBStats) bool {
	return s.Idle > 0 || s.MaxOpenConnections == 0 || s.OpenConnections < s.MaxOpenConnections
}

// ftsHelperStart, when set (tests), runs as the second connection's half
// starts.
var ftsHelperStart func()

// ftsRange sets the bits of the full-text matches with ids in [lo, hi]
// and returns their number.
func (d *DB) ftsRange(ctx context.Context, tx *Tx, fts string, lo, hi int64, bits []uint64) (int, error) {
	s, args := "SELECT group_concat(rowid) FROM public_fts WHERE public_fts MATCH ? AND rowid >= ? AND rowid <= ?", []any{fts, lo, hi}
	if d.dialect.IsPostgres() {
		// Every match (the loop below keeps the range): with an id range
		// PostgreSQL could trade the GIN index for the primary key's.
		s, args = "SELECT string_agg(p.id::text, ',') FROM public_incidents p WHERE p.status = 'published' AND "+d.dialect.ftsWhere(), []any{fts}
	}
	var list sql.RawBytes
	rows, err := tx.Query(ctx, s, args...)
	if err != nil {
		return 0, fmt.Errorf("store: search: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := rows.Scan(&list); err != nil {
			return 0, fmt.Errorf("store: search: %w", err)
		}
		var id int64
		for i := 0; i <= len(list); i++ {
			if i < len(list) && list[i] >= '0' && list[i] <= '9' {
				id = id*10 + int64(list[i]-'0')
				continue
			}
			if i > 0 && id >= lo && id <= hi {
				bits[id>>6] |= 1 << (id & 63)
				n++
			}
			id = 0
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: search: %w", err)
	}
	return n, nil
}
