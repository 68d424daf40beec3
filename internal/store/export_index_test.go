package store

// SetPublicIndex turns the in-memory index of the published record on or
// off, so tests and benchmarks can compare it with the SQL path.
func SetPublicIndex(d *DB, on bool) { d.cache.index.off.Store(!on) }

// PublicIndexGen returns the generation of the current index (-1 for none).
func PublicIndexGen(d *DB) int64 {
	if idx := d.cache.index.cur.Load(); idx != nil {
		return idx.gen
	}
	return -1
}

var (
	EncodeSortDate = encodeSortDate
	DecodeSortDate = decodeSortDate
)

// SetParallelMinRows sets the smallest index whose passes run in parallel
// and returns the previous value.
func SetParallelMinRows(n int) int {
	old := parallelMinRows
	parallelMinRows = n
	return old
}

// SetWordThresholds sets the least matches (absolute, and as 1/share of the
// record) that make a word's match set kept, and returns a function that
// restores them.
func SetWordThresholds(minMatches, share int) (restore func()) {
	oldMin, oldShare := wordMinMatches, wordMinShare
	wordMinMatches, wordMinShare = minMatches, share
	return func() { wordMinMatches, wordMinShare = oldMin, oldShare }
}

// WordSet returns the generation and match count of the kept set of one
// search word (gen -1 when it is not kept).
func WordSet(d *DB, word string) (gen int64, n int) {
	if s := d.cache.words.get(d.dialect.ftsQuery([]string{word})); s != nil {
		return s.gen, s.n
	}
	return -1, 0
}

// SetRankWalkBound sets the most doclist entries a relevance-ranked query's
// words may have together, and returns a function that restores it.
func SetRankWalkBound(n int) (restore func()) {
	old := rankWalkBound
	rankWalkBound = n
	return func() { rankWalkBound = old }
}

// ForgetPublicIndex drops the in-memory index, as a new process starts.
func ForgetPublicIndex(d *DB) { d.cache.index.cur.Store(nil) }

// PublicIndexLoads counts the indexes read from the whole record.
func PublicIndexLoads(d *DB) int64 { return d.cache.index.loads.Load() }

// WaitIndexSaved waits for the saves of the index under way.
func WaitIndexSaved(d *DB) { d.saving.Wait() }

// SetSavedIndexMinRows sets the smallest index that is saved and returns a
// function that restores it.
func SetSavedIndexMinRows(n int) (restore func()) {
	old := savedIndexMinRows
	savedIndexMinRows = n
	return func() { savedIndexMinRows = old }
}
