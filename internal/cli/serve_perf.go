package cli

import (
	"context"
	"runtime/debug"
	"time"
)

// wirePerf builds the store's in-memory index of the published record in
// the background at start-up, so that the first readers of a large record
// (about a second per 200,000 incidents on SQLite) do not wait for it,
// then the match sets of the record's frequent words (store.WarmWords), so
// that the first search for a common word is as quick as the next.
// Requests that come before it is ready wait for the build. Then it builds
// the stored CSV rows the record lacks (a database published before
// migration 0071, or rows built with other category families), so that the
// first export after an upgrade is not the one that finds them missing.
func wirePerf(ctx context.Context, s *Server) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.Now()
		if err := s.DB.WarmPublic(ctx); err != nil {
			if ctx.Err() == nil {
				s.Logger.Warn("building the index of the published record", "err", err)
			}
			return
		}
		// The build's scratch (every row's text read once) is garbage now:
		// give it back so an idle serve stays small.
		debug.FreeOSMemory()
		s.Logger.Debug("index of the published record ready", "took", time.Since(t).Round(time.Millisecond))
		t = time.Now()
		// Without the word sets searches are only slower: go on to the
		// CSV rows either way.
		if n, err := s.DB.WarmWords(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Warn("reading the match sets of frequent words", "err", err)
		} else if n > 0 {
			s.Logger.Debug("match sets of frequent words ready", "words", n, "took", time.Since(t).Round(time.Millisecond))
		}
		t = time.Now()
		n, err := s.DB.FillPublicCSV(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.Logger.Warn("building the stored CSV rows of the published record", "err", err)
			}
			return
		}
		if n > 0 {
			s.Logger.Info("stored CSV rows built", "rows", n, "took", time.Since(t).Round(time.Millisecond))
		}
	}()
	s.stops = append(s.stops, func() { cancel(); <-done })
}
