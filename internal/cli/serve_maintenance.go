package cli

import (
	"context"
	"time"
)

// Maintenance intervals of a running server.
const (
	sessionSweepEvery = 10 * time.Minute
	optimizeEvery     = 24 * time.Hour
)

// wireMaintenance starts the housekeeping loop: expired staff sessions are
// deleted (the web layer only ends them when they are used); once a day the
// query planner's statistics are refreshed and the full-text index merged.
func wireMaintenance(ctx context.Context, s *Server) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sweep := time.NewTicker(sessionSweepEvery)
		defer sweep.Stop()
		optimize := time.NewTicker(optimizeEvery)
		defer optimize.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sweep.C:
				if n, err := s.DB.DeleteExpiredSessions(ctx, time.Now()); err != nil {
					s.Logger.Warn("deleting expired sessions", "err", err)
				} else if n > 0 {
					s.Logger.Debug("deleted expired sessions", "count", n)
				}
			case <-optimize.C:
				if err := s.DB.Optimize(ctx); err != nil {
					s.Logger.Warn("refreshing the planner's statistics", "err", err)
				}
				if err := s.DB.OptimizeSearch(ctx); err != nil {
					s.Logger.Warn("merging the full-text index", "err", err)
				}
			}
		}
	}()
	s.stops = append(s.stops, func() { cancel(); <-done })
}
