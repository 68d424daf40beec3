package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/intake"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/stories"
	"github.com/presswatch/presswatch/internal/web"
)

// depositSweepEvery is how often serve looks for silent safe-box deposits.
const depositSweepEvery = 10 * time.Minute

// staffKeys gives the stories service the editors' age keys kept by intake.
type staffKeys struct{ db *store.DB }

func (k staffKeys) StaffKey(ctx context.Context, userID int64) (*stories.Key, error) {
	ek, err := k.db.EditorKey(ctx, userID)
	if err != nil {
		return nil, err
	}
	return k.key(ctx, ek.UserID, ek.PublicKey, ek.Wrapped), nil
}

func (k staffKeys) StaffKeys(ctx context.Context) ([]*stories.Key, error) {
	list, err := k.db.EditorKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*stories.Key, 0, len(list))
	for _, ek := range list {
		out = append(out, k.key(ctx, ek.UserID, ek.PublicKey, ek.Wrapped))
	}
	return out, nil
}

func (k staffKeys) key(ctx context.Context, id int64, pub string, wrapped []byte) *stories.Key {
	key := &stories.Key{UserID: id, PublicKey: pub, Wrapped: wrapped}
	if u, err := k.db.FindUser(ctx, id); err == nil {
		key.Name = u.Name
	}
	return key
}

// openStories builds the stories service over the database, with the
// codename pepper intake uses (<data>/intake/pepper), so a source's one
// codename works for /submit and /safebox.
func openStories(cfg *config.Config, s *Server) (*stories.Service, error) {
	pepper, err := intake.LoadPepper(filepath.Join(cfg.DataDir, "intake", "pepper"))
	if err != nil {
		return nil, err
	}
	return stories.New(s.DB, s.DB, s.DB, staffKeys{s.DB}, pepper, s.Logger), nil
}

// wireStories gives serve stories and the safe box, and starts the sweep
// that raises alerts about silent deposits. The sweep never publishes:
// a release needs two editors' votes.
func wireStories(ctx context.Context, cfg *config.Config, s *Server, w *web.Options) error {
	svc, err := openStories(cfg, s)
	if err != nil {
		return fmt.Errorf("stories: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx, depositSweepEvery) }()
	s.stops = append(s.stops, func() { cancel(); <-done })
	w.Stories = svc
	return nil
}
