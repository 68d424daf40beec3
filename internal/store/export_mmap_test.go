package store

// SetExportPragmas sets the pragmas of export streams and those that reset
// the connection after, for benchmarks; it returns the previous ones.
func SetExportPragmas(set, reset []string) (oldSet, oldReset []string) {
	oldSet, oldReset = exportPragmas, exportReset
	exportPragmas, exportReset = set, reset
	return oldSet, oldReset
}

// SetWholeStats turns the public_stats path of Stats on or off (tests
// compare it with the SQL over the documents) and drops the cache.
func SetWholeStats(d *DB, on bool) {
	wholeStatsOff = !on
	DropCache(d)
}
