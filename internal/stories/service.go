// Package stories owns presswatch's stories — censored stories, testimonies
// and analyses, with the same two-person workflow as incidents — and the
// safe box: sealed deposits with check-ins, alerts when they stop, and a
// release that needs two editors. It checks permissions; the stores keep
// each use case in one transaction.
package stories

import (
	"context"
	"log/slog"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// Key is a staff member's age key pair: the public key in clear, the
// private key wrapped under their password (intake.NewEditorKey).
type Key struct {
	UserID    int64
	Name      string // the staff member's display name (shown to depositors)
	PublicKey string
	Wrapped   []byte
}

// Keys finds staff members' keys. It is implemented over the intake
// store's editor keys (wired by cli). Errors: ENOTFOUND when a member has
// no key yet.
type Keys interface {
	StaffKey(ctx context.Context, userID int64) (*Key, error)
	// StaffKeys returns the keys of every active admin and editor.
	StaffKeys(ctx context.Context) ([]*Key, error)
}

// Service is the entry point of the stories and safe-box use cases.
type Service struct {
	Stories  domain.StoryStore
	Public   domain.PublicStoryStore
	Deposits domain.DepositStore
	Keys     Keys
	// Pepper is the instance secret of codename derivations (the same as
	// intake's), so a source logs in to the safe box with their codename.
	Pepper []byte
	Now    domain.Clock
	Logger *slog.Logger
}

// New returns a Service; keys may be nil (then names cannot be sealed and
// staff cannot deposit or read deposits).
func New(st domain.StoryStore, pub domain.PublicStoryStore, dep domain.DepositStore, keys Keys, pepper []byte, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{Stories: st, Public: pub, Deposits: dep, Keys: keys, Pepper: pepper, Now: time.Now, Logger: logger}
}

func (s *Service) now() time.Time { return s.Now().UTC() }
