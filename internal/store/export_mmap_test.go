package store

// SetExportMmap sets the memory map of export streams (0: none), for
// benchmarks; it returns the previous size.
func SetExportMmap(n int64) int64 {
	old := exportMmapSize
	exportMmapSize = n
	return old
}
