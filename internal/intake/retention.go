package intake

import (
	"context"
	"fmt"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// Expire crypto-shreds every unconverted report past its retention: the
// envelope holding the report key, the rows and the blobs go, then the
// database files are compacted so no copy of the key is left in them.
func (s *Service) Expire(ctx context.Context) (int, error) {
	n, blobs, err := s.o.Store.ExpireReports(ctx, s.o.Now())
	if err != nil {
		return 0, err
	}
	for _, sha := range blobs {
		if err := s.o.Blobs.Delete(ctx, sha); err != nil && !domain.IsCode(err, domain.ENOTFOUND) {
			return n, fmt.Errorf("intake: expire blob: %w", err)
		}
	}
	if n > 0 {
		if err := s.o.Store.Compact(ctx); err != nil {
			s.o.Logger.Warn("intake: compact after retention", "err", err)
		}
		s.o.Logger.Info("intake: expired reports", "reports", n, "blobs", len(blobs))
	}
	return n, nil
}

// Cleanup is what CleanOrphans found.
type Cleanup struct {
	Temp    int // temp files of interrupted uploads removed
	Orphans int // blobs no row refers to, deleted
	Missing int // rows whose blob is missing, flagged
}

// CleanOrphans runs at start-up, before the server accepts uploads: it
// deletes temp files of interrupted uploads and blobs that no row refers
// to (an upload killed before its rows were written), and flags rows whose
// blob is missing. Deletions happen only in the process that owns the
// blob folder (blob.Store.Owns).
func (s *Service) CleanOrphans(ctx context.Context) (Cleanup, error) {
	var c Cleanup
	var err error
	if c.Temp, err = s.o.Blobs.CleanTemp(); err != nil {
		return c, err
	}
	refs := map[string]bool{}
	if err := s.o.Store.BlobRefs(ctx, func(sha string) error { refs[sha] = true; return nil }); err != nil {
		return c, err
	}
	var orphans []string
	present := map[string]bool{}
	if err := s.o.Blobs.Walk(ctx, func(sha string) error {
		present[sha] = true
		if !refs[sha] {
			orphans = append(orphans, sha)
		}
		return nil
	}); err != nil {
		return c, fmt.Errorf("intake: walk blobs: %w", err)
	}
	if !s.o.Blobs.Owns() {
		// Another process owns the folder: its uploads may be orphans
		// for a moment. It cleans them when it starts again.
		orphans = nil
	}
	for _, sha := range orphans {
		if err := s.o.Blobs.Delete(ctx, sha); err != nil && !domain.IsCode(err, domain.ENOTFOUND) {
			return c, err
		}
		c.Orphans++
	}
	for sha := range refs {
		if !present[sha] {
			if err := s.o.Store.FlagMissingBlob(ctx, sha); err != nil {
				return c, err
			}
			c.Missing++
		}
	}
	return c, nil
}

// Run expires reports and sweeps sessions every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Expire(ctx); err != nil && ctx.Err() == nil {
			s.o.Logger.Error("intake: retention", "err", err)
		}
		s.Sweep()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
