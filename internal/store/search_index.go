package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/presswatch/presswatch/internal/domain"
)

// snapshotTx begins a read transaction that sees one snapshot for all its
// statements (the index, the generation and the documents must agree). A
// SQLite read transaction in WAL mode already does; PostgreSQL needs
// REPEATABLE READ.
func (d *DB) snapshotTx(ctx context.Context) (*Tx, error) {
	if !d.dialect.IsPostgres() {
		return d.ReadTx(ctx)
	}
	tx, err := d.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: begin read: %w", TranslateError(err))
	}
	return &Tx{tx: tx, d: d.dialect, Now: d.now()}, nil
}

// indexMatcher returns the index at tx's generation and f compiled for it
// (with the full-text matches of q); nil when SQL must answer.
func (d *DB) indexMatcher(ctx context.Context, tx *Tx, gen int64, f domain.IncidentFilter, q publicQuery) (*pubIndex, *pubMatcher, error) {
	idx, err := d.publicIndex(ctx, tx, gen)
	if err != nil || idx == nil {
		return nil, nil, err
	}
	m, ok := idx.matcher(f)
	if !ok {
		return nil, nil, nil
	}
	if q.fts != "" && !m.none {
		var set ftsSet
		if set, err = d.cachedFTSIDs(ctx, tx, gen, idx, q); err != nil {
			return nil, nil, err
		}
		m.ids, m.idCount, m.walk = set.bits, set.n, set.walk
	}
	return idx, m, nil
}

// ftsSet is a query's full-text matches as ftsIDs returns them, and how
// many doclist entries its words have together (what ranking costs).
type ftsSet struct {
	bits []uint64
	n    int
	walk int
}

// cachedFTSIDs returns ftsIDs from the cache of the generation when the
// same words were searched since the last publication (the next page of
// a search, its statistics, the same words with another filter).
func (d *DB) cachedFTSIDs(ctx context.Context, tx *Tx, gen int64, idx *pubIndex, q publicQuery) (ftsSet, error) {
	key := "i|" + q.fts
	if v, ok := d.cache.get(gen, key); ok {
		if s := v.(ftsSet); len(s.bits) == int(idx.maxID/64+1) {
			return s, nil
		}
	}
	s, err := d.wordsFTS(ctx, tx, gen, idx, q.words)
	if err != nil {
		return ftsSet{}, err
	}
	d.cache.putIDs(gen, key, s)
	return s, nil
}

// indexPass counts the match of f with the index; ok is false when SQL
// must answer.
func (d *DB) indexPass(ctx context.Context, tx *Tx, gen int64, f domain.IncidentFilter, q publicQuery, facets bool) (*indexResult, bool, error) {
	idx, m, err := d.indexMatcher(ctx, tx, gen, f, q)
	if err != nil || idx == nil {
		return nil, false, err
	}
	return idx.run(m, pass{facets: facets, needTotal: true}), true, nil
}

// indexFacets counts totals and facets of f with the index; nil results
// mean SQL must answer.
func (d *DB) indexFacets(ctx context.Context, tx *Tx, gen int64, f domain.IncidentFilter, q publicQuery) (*indexResult, *pubIndex, error) {
	idx, m, err := d.indexMatcher(ctx, tx, gen, f, q)
	if err != nil || idx == nil {
		return nil, nil, err
	}
	return idx.run(m, pass{facets: true, needTotal: true}), idx, nil
}

// searchIndex answers SearchPublic in date order (newest or oldest first)
// from the index: the totals and the page's ids come from one pass (which
// stops at the page when the totals are cached); the documents from the
// database. ok is false when SQL must answer.
func (d *DB) searchIndex(ctx context.Context, tx *Tx, f domain.IncidentFilter, q publicQuery, sort string, c *cursor, offset int) (*domain.PublicPage, bool, error) {
	gen, err := publicGeneration(ctx, tx)
	if err != nil {
		return nil, false, err
	}
	idx, m, err := d.indexMatcher(ctx, tx, gen, f, q)
	if err != nil || idx == nil {
		return nil, false, err
	}
	if sort == "updated" {
		return nil, false, nil
	}
	reverse := sort == "oldest"
	start := 0
	if c != nil {
		key, ok := encodeSortDate(c.Key)
		if !ok {
			return nil, false, errBadCursor
		}
		start = idx.after(reverse, key, c.ID)
	}
	tkey := "t|" + cacheKey(f)
	cached, haveTotals := d.cache.get(gen, tkey)
	var res *indexResult
	if sort == "relevance" {
		if res, err = d.relevancePage(ctx, tx, gen, idx, m, q, offset, f.PerPage+1, !haveTotals); err != nil {
			return nil, false, err
		}
		if !haveTotals {
			d.cache.put(gen, "f|"+cacheKey(f), idx.facets(res))
		}
	} else {
		// Without cached totals the pass visits every row anyway: count the
		// facets too, so the Facets call that follows is a cache hit.
		res = idx.run(m, pass{reverse: reverse, start: start, offset: offset, limit: f.PerPage + 1, facets: !haveTotals, needTotal: !haveTotals})
		if !haveTotals {
			d.cache.put(gen, "f|"+cacheKey(f), idx.facets(res))
		}
	}
	page := &domain.PublicPage{Total: res.total, Persons: res.persons, Unranked: res.unranked}
	if haveTotals {
		t := cached.(totals)
		page.Total, page.Persons = t.n, t.persons
	} else {
		d.cache.put(gen, tkey, totals{res.total, res.persons})
	}
	more := len(res.page) > f.PerPage
	if more {
		res.page = res.page[:f.PerPage]
	}
	if len(res.page) == 0 {
		return page, true, nil
	}
	args := make([]any, len(res.page))
	pos := make(map[int64]int, len(res.page))
	for i, r := range res.page {
		args[i] = r.id
		pos[r.id] = i
	}
	rows, err := tx.Query(ctx, "SELECT p.id, p.doc, p.date_sort, p.updated_at FROM public_incidents p WHERE p.id IN ("+placeholders(len(args))+")", args...)
	if err != nil {
		return nil, false, fmt.Errorf("store: search: %w", err)
	}
	defer rows.Close()
	page.Items = make([]*domain.PublicIncident, len(res.page))
	for rows.Next() {
		p, _, _, err := scanPageRow(rows)
		if err != nil {
			return nil, false, err
		}
		page.Items[pos[p.ID]] = p
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("store: search: %w", err)
	}
	rows.Close()
	for i, it := range page.Items {
		if it == nil {
			return nil, false, fmt.Errorf("store: search: incident %d is in the index but not in the database", res.page[i].id)
		}
	}
	if more && sort == "relevance" {
		page.NextCursor = cursor{Sort: sort, Offset: offset + f.PerPage}.encode()
	} else if more {
		last := res.page[len(res.page)-1]
		page.NextCursor = cursor{Sort: sort, Key: decodeSortDate(last.date), ID: last.id}.encode()
	}
	if q.fts != "" {
		if err := d.snippets(ctx, tx, q.fts, page.Items); err != nil {
			return nil, false, err
		}
	}
	return page, true, nil
}

// PublicGeneration returns the counter bumped by every change of the
// published record: a cache of anything derived from the record (rendered
// pages) is exact while it has not moved, in every process.
func (d *DB) PublicGeneration(ctx context.Context) (int64, error) {
	return publicGeneration(ctx, d.Reader())
}

// relevanceBound is the most full-text matches relevance ranks: ranking
// costs a score per match (FTS5's bm25, PostgreSQL's ts_rank) on every
// page, so a query matching more (a common word in a million incidents)
// is listed newest first. Up to the bound the order is the full ranking,
// the same as EachPublic's.
const relevanceBound = 20_000

// rankWalkBound is the most doclist entries a query's words may have
// together for relevance to rank it (SQLite): FTS5's bm25 first counts
// every word's matches in the whole record, then walks their doclists
// together, about 100 ns an entry at a million incidents. Several common
// words that match few incidents together ("journalist court raid
// licence": 12,000 matches, 1.3 million entries, 130 ms) are listed newest
// first.
var rankWalkBound = 500_000

// relevancePage returns the page at offset (limit rows) of the relevance
// order: by rank (best first, then newest) when the query matches at most
// relevanceBound incidents and its words have at most rankWalkBound
// doclist entries, else newest first. The ranks of a query are kept for
// the generation (its next page, the same words with another filter).
func (d *DB) relevancePage(ctx context.Context, tx *Tx, gen int64, idx *pubIndex, m *pubMatcher, q publicQuery, offset, limit int, needTotal bool) (*indexResult, error) {
	if m.idCount > relevanceBound || m.walk > rankWalkBound {
		res := idx.run(m, pass{offset: offset, limit: limit, facets: needTotal, needTotal: needTotal})
		res.unranked = true
		return res, nil
	}
	res := idx.run(m, pass{limit: relevanceBound, facets: needTotal, needTotal: true})
	if len(res.page) > 1 {
		var score map[int64]float64
		if v, ok := d.cache.get(gen, "s|"+q.fts); ok {
			score = v.(map[int64]float64)
		} else {
			var err error
			if score, err = d.ftsRanks(ctx, tx, q.fts); err != nil {
				return nil, err
			}
			d.cache.putIDs(gen, "s|"+q.fts, score)
		}
		slices.SortStableFunc(res.page, func(a, b pubRow) int {
			if c := cmp.Compare(score[a.id], score[b.id]); c != 0 {
				return c
			}
			return rowOrder(a, b)
		})
	}
	if offset >= len(res.page) {
		res.page = nil
	} else {
		res.page = res.page[offset:min(len(res.page), offset+limit)]
	}
	return res, nil
}

// ftsRanks returns the full-text rank of every match of the query, lower
// is better (FTS5's bm25 rank; minus ts_rank on PostgreSQL), as the SQL
// relevance order computes them.
func (d *DB) ftsRanks(ctx context.Context, tx *Tx, fts string) (map[int64]float64, error) {
	s := "SELECT rowid, rank FROM public_fts WHERE public_fts MATCH ?"
	if d.dialect.IsPostgres() {
		s = "SELECT p.id, -ts_rank(p.fts, plainto_tsquery('simple', ?)) FROM public_incidents p WHERE p.status = 'published' AND " + d.dialect.ftsWhere()
	}
	args := []any{fts}
	if d.dialect.IsPostgres() {
		args = append(args, fts)
	}
	rs, err := tx.Query(ctx, s, args...)
	if err != nil {
		return nil, fmt.Errorf("store: rank: %w", err)
	}
	defer rs.Close()
	out := map[int64]float64{}
	for rs.Next() {
		var id int64
		var score float64
		if err := rs.Scan(&id, &score); err != nil {
			return nil, fmt.Errorf("store: rank: %w", err)
		}
		out[id] = score
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("store: rank: %w", err)
	}
	return out, nil
}
