package store

// SetFTSHelperStart sets what runs as a search's second connection starts
// reading the upper half of the full-text matches (nil: nothing).
func SetFTSHelperStart(fn func()) { ftsHelperStart = fn }
