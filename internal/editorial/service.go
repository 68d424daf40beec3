// Package editorial holds presswatch's use cases for staff: writing,
// reviewing, publishing and withdrawing incidents under the two-person rule,
// and managing users, passwords, second factors and vocabularies. It checks
// permissions; the stores it is given keep each use case in one transaction.
package editorial

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// Service is the entry point for every staff use case.
type Service struct {
	Incidents domain.IncidentStore
	Users     domain.UserStore
	Sessions  domain.SessionStore
	Vocabs    domain.VocabStore
	Audits    domain.AuditStore
	Now       domain.Clock
	Logger    *slog.Logger

	// Issuer names the instance in TOTP apps.
	Issuer string

	mu       sync.Mutex
	vocab    domain.VocabSet
	terms    []domain.Term
	vocabAt  time.Time
	pwParams PasswordParams
}

// New returns a Service over the given stores. The stores are usually one
// *store.DB; they are separate interfaces so tests and other layers see only
// what they use.
func New(incidents domain.IncidentStore, users domain.UserStore, sessions domain.SessionStore,
	vocabs domain.VocabStore, audits domain.AuditStore, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{Incidents: incidents, Users: users, Sessions: sessions, Vocabs: vocabs, Audits: audits,
		Now: time.Now, Logger: logger, Issuer: "presswatch", pwParams: DefaultPasswordParams}
}

// SetPasswordParams changes the Argon2id cost (tests and benchmarks use a
// cheaper one).
func (s *Service) SetPasswordParams(p PasswordParams) { s.pwParams = p }

func (s *Service) now() time.Time { return s.Now().UTC() }

// Vocab returns the vocabularies, cached for a few seconds so that every page
// does not read them.
func (s *Service) Vocab(ctx context.Context) (domain.VocabSet, []domain.Term, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vocab != nil && time.Since(s.vocabAt) < 10*time.Second {
		return s.vocab, s.terms, nil
	}
	terms, err := s.Vocabs.Terms(ctx)
	if err != nil {
		return nil, nil, err
	}
	if s.vocab == nil || !reflect.DeepEqual(terms, s.terms) {
		// Only a changed vocabulary is a new load: callers (the page
		// cache) key on the slice they get back.
		s.terms, s.vocab = terms, domain.NewVocabSet(terms)
	}
	s.vocabAt = time.Now()
	return s.vocab, s.terms, nil
}

func (s *Service) forgetVocab() {
	s.mu.Lock()
	s.vocabAt = time.Time{} // reload at the next call
	s.mu.Unlock()
}

// SaveTerm creates or changes a vocabulary term (admins only).
func (s *Service) SaveTerm(ctx context.Context, by *domain.User, t domain.Term) error {
	if err := Allow(by, domain.ActionManageVocab); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	defer s.forgetVocab()
	return s.Vocabs.SaveTerm(ctx, t, by)
}

// Audit lists the audit log (admins only).
func (s *Service) Audit(ctx context.Context, by *domain.User, f domain.AuditFilter) ([]*domain.AuditEntry, int, error) {
	if err := Allow(by, domain.ActionViewAudit); err != nil {
		return nil, 0, err
	}
	return s.Audits.ListAudit(ctx, f)
}

// Allow checks that u may perform action (domain.Can): EUNAUTHORIZED
// without a user, EFORBIDDEN for a disabled account or a role without the
// right. Every use case of incidents and stories calls it first.
func Allow(u *domain.User, action string) error {
	if u == nil {
		return domain.Errorf(domain.EUNAUTHORIZED, "Please sign in.")
	}
	if u.Disabled || !domain.Can(u.Role, action) {
		return domain.Errorf(domain.EFORBIDDEN, "Your role does not allow this.")
	}
	return nil
}
