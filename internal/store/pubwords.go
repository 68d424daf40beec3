package store

import (
	"cmp"
	"context"
	"math/bits"
	"slices"
	"sync"
)

// This file keeps the full-text match sets of frequent words in memory,
// across generations of the published record (both engines; the numbers
// below are SQLite's, PostgreSQL's GIN index costs the same kind of walk). FTS5 answers a
// rare word quickly, but a word in a third of a million incidents costs a
// walk of its whole doclist on every new search (about 50 ms at a million
// incidents in the transpiled engine), which no cache of one generation
// can spare: every publication starts a new generation. A frequent word's
// set is read from FTS5 once (at start-up for the words a sample of the
// record shows to be frequent, or when a search first meets one) and then
// follows the record: a reader that sees a newer generation asks FTS5
// about the incidents public_changes lists, and only about them. Sets are
// keyed by the word's own FTS5 query, so a set always means what FTS5
// would answer for that query.

// wordSet is one word's matches at one generation; immutable.
type wordSet struct {
	gen  int64
	bits []uint64
	n    int
	used int64 // the holder's clock at the last use, for eviction
}

// wordSets holds the sets of frequent words.
type wordSets struct {
	mu    sync.Mutex
	m     map[string]*wordSet
	clock int64
}

// Frequency and memory bounds of the word sets. A word is kept when it
// matches at least max(wordMinMatches, rows/wordMinShare) incidents; at
// most wordSetBytes of bitsets are kept (512 words at a million
// incidents), the least recently used going first.
var (
	wordMinMatches = 5_000
	wordMinShare   = 100
	wordSetBytes   = 64 << 20
)

// wordSample is how many incidents WarmWords reads to find frequent words.
const wordSample = 2_000

// wordPatchLimit is how many changed incidents a set is patched for before
// reading it again from FTS5 is cheaper.
const wordPatchLimit = 2_000

func (w *wordSets) get(key string) *wordSet {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.m[key]
	if s != nil {
		w.clock++
		s.used = w.clock
	}
	return s
}

// put keeps s for key unless a newer set is kept, evicting the least
// recently used sets beyond the memory bound.
func (w *wordSets) put(key string, s *wordSet) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if old := w.m[key]; old != nil && old.gen > s.gen {
		return
	}
	if w.m == nil {
		w.m = map[string]*wordSet{}
	}
	w.clock++
	s.used = w.clock
	w.m[key] = s
	limit := max(1, wordSetBytes/(8*len(s.bits)))
	for len(w.m) > limit {
		var oldest string
		for k, v := range w.m {
			if oldest == "" || v.used < w.m[oldest].used {
				oldest = k
			}
		}
		delete(w.m, oldest)
	}
}

func (w *wordSets) drop(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.m, key)
}

// frequent reports whether n matches in an index of rows incidents make
// a word worth keeping.
func frequent(n, rows int) bool { return n >= max(wordMinMatches, rows/wordMinShare) }

// wordsFTS returns the full-text matches of words (all required) as a
// bitset sized for idx, their number, and how many doclist entries the
// words have together: the kept sets of frequent words (brought to gen)
// intersected with the engine's answer for each other word. A word found
// frequent is kept. walk is 0 on PostgreSQL (its ranking has no walk to
// bound).
func (d *DB) wordsFTS(ctx context.Context, tx *Tx, gen int64, idx *pubIndex, words []string) (ftsSet, error) {
	var out ftsSet
	owned := false // out.bits is this search's own (not a kept set)
	for _, w := range slices.Compact(slices.Sorted(slices.Values(words))) {
		key := d.dialect.ftsQuery([]string{w})
		s, err := d.wordSetAt(ctx, tx, gen, idx, key)
		if err != nil {
			return ftsSet{}, err
		}
		if s == nil {
			// One word at a time: each walk's count is known (and a
			// frequent word kept); a rare word's walk is short.
			bits, n, err := d.ftsIDs(ctx, tx, gen, idx, key)
			if err != nil {
				return ftsSet{}, err
			}
			s = &wordSet{gen: gen, bits: bits, n: n}
			if frequent(n, len(idx.rows)) {
				d.cache.words.put(key, s)
			} else if out.bits == nil {
				owned = true
			}
		}
		out.walk += s.n
		switch {
		case out.bits == nil:
			out.bits = s.bits
		default:
			if !owned {
				out.bits, owned = slices.Clone(out.bits), true
			}
			for i := range out.bits {
				out.bits[i] &= s.bits[i]
			}
		}
	}
	out.n = countBits(out.bits)
	if d.dialect.IsPostgres() {
		// ts_rank scores the matching rows only: no walk to bound.
		out.walk = 0
	}
	return out, nil
}

// wordSetAt returns the kept set of the word query key at gen, patched
// forward from the generation it was read at; nil when the word is not
// kept (or the set cannot be brought to gen).
func (d *DB) wordSetAt(ctx context.Context, tx *Tx, gen int64, idx *pubIndex, key string) (*wordSet, error) {
	w := &d.cache.words
	s := w.get(key)
	if s == nil || s.gen > gen {
		// A newer set than this snapshot: FTS5 answers this reader.
		return nil, nil
	}
	size := int(idx.maxID/64 + 1)
	if s.gen == gen && len(s.bits) == size {
		return s, nil
	}
	// public_changes keeps 10,000 generations: older sets are read again.
	var changed []int64
	if gen-s.gen <= indexChangeLimit {
		var err error
		if changed, err = changedSince(ctx, tx, s.gen, gen, wordPatchLimit); err != nil {
			return nil, err
		}
	}
	if changed == nil {
		w.drop(key)
		return nil, nil
	}
	bits := make([]uint64, max(size, len(s.bits)))
	copy(bits, s.bits)
	for _, id := range changed {
		if id >= 0 && int(id>>6) < len(bits) {
			bits[id>>6] &^= 1 << (id & 63)
		}
	}
	for len(changed) > 0 {
		k := min(len(changed), 500)
		args := []any{key}
		for _, id := range changed[:k] {
			args = append(args, id)
		}
		q := "SELECT rowid FROM public_fts WHERE public_fts MATCH ? AND rowid IN (" + placeholders(k) + ")"
		if d.dialect.IsPostgres() {
			q = "SELECT p.id FROM public_incidents p WHERE " + d.dialect.ftsWhere() + " AND p.status = 'published' AND p.id IN (" + placeholders(k) + ")"
		}
		found, err := queryList(ctx, tx, "search", q, args, scanID)
		if err != nil {
			return nil, err
		}
		for _, id := range found {
			if id >= 0 && int(id>>6) < len(bits) {
				bits[id>>6] |= 1 << (id & 63)
			}
		}
		changed = changed[k:]
	}
	bits = bits[:size]
	ns := &wordSet{gen: gen, bits: bits, n: countBits(bits)}
	if !frequent(ns.n, len(idx.rows)) {
		w.drop(key)
	} else {
		w.put(key, ns)
	}
	return ns, nil
}

// changedSince returns the incidents changed after generation from up to
// to; nil when more than limit changed.
func changedSince(ctx context.Context, tx *Tx, from, to int64, limit int) ([]int64, error) {
	out, err := queryList(ctx, tx, "public changes", "SELECT DISTINCT incident_id FROM public_changes WHERE gen > ? AND gen <= ?", []any{from, to}, scanID)
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		return nil, nil
	}
	if out == nil {
		out = []int64{}
	}
	return out, nil
}

func scanID(r interface{ Scan(...any) error }) (int64, error) {
	var id int64
	err := r.Scan(&id)
	return id, err
}

func countBits(set []uint64) int {
	n := 0
	for _, w := range set {
		n += bits.OnesCount64(w)
	}
	return n
}

// WarmWords finds the frequent words of the published record from a
// sample of its incidents and reads their match sets, so that the first
// search for a common word after start-up is as quick as the next. It
// returns how many sets it keeps.
func (d *DB) WarmWords(ctx context.Context) (int, error) {
	tx, err := d.snapshotTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	gen, err := publicGeneration(ctx, tx)
	if err != nil {
		return 0, err
	}
	idx, err := d.publicIndex(ctx, tx, gen)
	if err != nil || idx == nil || len(idx.rows) == 0 {
		return 0, err
	}
	// An even sample of the record in date order.
	step := max(1, len(idx.rows)/wordSample)
	var ids []any
	for i := 0; i < len(idx.rows); i += step {
		ids = append(ids, idx.rows[i].id)
	}
	df := map[string]int{}
	for len(ids) > 0 {
		k := min(len(ids), 500)
		q := "SELECT coalesce(title, '') || ' ' || coalesce(summary, '') || ' ' || coalesce(body, '') || ' ' || coalesce(names, '') || ' ' || coalesce(outlets, '') FROM public_fts WHERE rowid IN (" + placeholders(k) + ")"
		if d.dialect.IsPostgres() {
			// The words of the full-text vector itself (its lexemes).
			q = "SELECT coalesce(array_to_string(tsvector_to_array(p.fts), ' '), '') FROM public_incidents p WHERE p.id IN (" + placeholders(k) + ")"
		}
		texts, err := queryList(ctx, tx, "frequent words", q, ids[:k], func(r interface{ Scan(...any) error }) (string, error) {
			var s string
			err := r.Scan(&s)
			return s, err
		})
		if err != nil {
			return 0, err
		}
		for _, text := range texts {
			seen := map[string]bool{}
			for _, w := range SearchWords(text) {
				if !seen[w] {
					seen[w] = true
					df[w]++
				}
			}
		}
		ids = ids[k:]
	}
	sampled := (len(idx.rows) + step - 1) / step
	type cand struct {
		word string
		n    int
	}
	var cands []cand
	for w, n := range df {
		// Estimated matches, with a margin for the sample's error.
		if frequent(n*len(idx.rows)/sampled*5/4, len(idx.rows)) {
			cands = append(cands, cand{w, n})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.word, b.word)) })
	if limit := max(1, wordSetBytes/(8*int(idx.maxID/64+1))); len(cands) > limit {
		cands = cands[:limit]
	}
	kept := 0
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return kept, err
		}
		key := d.dialect.ftsQuery([]string{c.word})
		if s := d.cache.words.get(key); s != nil {
			kept++
			continue
		}
		bits, n, err := d.ftsIDs(ctx, tx, gen, idx, key)
		if err != nil {
			return kept, err
		}
		if frequent(n, len(idx.rows)) {
			d.cache.words.put(key, &wordSet{gen: gen, bits: bits, n: n})
			kept++
		}
	}
	return kept, nil
}
