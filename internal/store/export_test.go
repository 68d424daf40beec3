package store

// DropCache empties the totals and facets cache, for benchmarks of the
// uncached path.
func DropCache(d *DB) {
	d.cache.mu.Lock()
	d.cache.m = nil
	d.cache.mu.Unlock()
}
