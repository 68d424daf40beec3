package store

// SetExportPragmas sets the pragmas of export streams and those that reset
// the connection after, for benchmarks; it returns the previous ones.
func SetExportPragmas(set, reset []string) (oldSet, oldReset []string) {
	oldSet, oldReset = exportPragmas, exportReset
	exportPragmas, exportReset = set, reset
	return oldSet, oldReset
}
