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
