package mirror

import (
	"context"
	"fmt"

	"github.com/presswatch/presswatch/internal/domain"
)

// Registry is the list of mirrors a watch round checks and where it
// records what it found (*store.DB and *Directory have it).
type Registry interface {
	ListMirrors(ctx context.Context) ([]*domain.Mirror, error)
	RecordMirrorCheck(ctx context.Context, id int64, c domain.MirrorCheck) error
}

// ListOptions tune WatchList.
type ListOptions struct {
	WatchOptions
	// Proxy says outbound fetches go through a proxy (Tor): onion mirrors
	// are watched only then.
	Proxy bool
}

// WatchList checks every watchable mirror of reg (public or not) once and
// records each result. It returns the results in the list's order; a
// failure to record one is returned after the round.
func WatchList(ctx context.Context, f Fetcher, l Log, reg Registry, o ListOptions) ([]WatchResult, error) {
	list, err := reg.ListMirrors(ctx)
	if err != nil {
		return nil, fmt.Errorf("mirror: watch: %w", err)
	}
	var out []WatchResult
	var firstErr error
	for _, m := range list {
		if !m.Watchable(o.Proxy) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r := WatchOne(ctx, f, l, m.URL, o.WatchOptions)
		out = append(out, r)
		c := domain.MirrorCheck{State: r.State, Problem: r.Problem, Size: r.Size, Root: r.Root, BuiltAt: r.BuiltAt,
			CheckedAt: r.CheckedAt, Verified: r.Verified}
		if err := reg.RecordMirrorCheck(ctx, m.ID, c); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("mirror: watch: record %s: %w", m.URL, err)
		}
	}
	return out, firstErr
}
