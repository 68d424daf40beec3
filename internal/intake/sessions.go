package intake

import (
	"context"
	"sync"
	"time"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/domain"
)

// unlocked is an editor's private key held in memory for one staff session.
type unlocked struct {
	userID   int64
	id       *age.X25519Identity
	since    time.Time
	lastUsed time.Time
}

// keyring holds unlocked editor keys by staff session. Entries go at
// Lock (logout), after the idle or absolute timeout, and at Sweep. Go
// cannot promise to wipe memory; dropping the only reference is what it can
// do.
type keyring struct {
	mu sync.Mutex
	m  map[string]*unlocked
}

// Unlock opens u's wrapped key with password and keeps it for the staff
// session sessKey. EUNAUTHORIZED for a wrong password, ENOTFOUND when u has
// no key yet.
func (s *Service) Unlock(ctx context.Context, sessKey string, u *domain.User, password string) error {
	if err := mayReadIntake(u); err != nil {
		return err
	}
	k, err := s.o.Store.EditorKey(ctx, u.ID)
	if err != nil {
		if domain.IsCode(err, domain.ENOTFOUND) {
			return domain.Errorf(domain.ENOTFOUND, "You have no intake key yet: change your password once to create it.")
		}
		return err
	}
	id, err := UnlockEditorKey(k.Wrapped, password)
	if err != nil {
		return err
	}
	now := s.o.Now()
	s.editors.mu.Lock()
	s.editors.m[sessKey] = &unlocked{userID: u.ID, id: id, since: now, lastUsed: now}
	s.editors.mu.Unlock()
	return nil
}

// Lock forgets the key unlocked for sessKey (logout).
func (s *Service) Lock(sessKey string) {
	s.editors.mu.Lock()
	delete(s.editors.m, sessKey)
	s.editors.mu.Unlock()
}

// LockUser forgets every key unlocked by user id (password change,
// account disabled).
func (s *Service) LockUser(userID int64) {
	s.editors.mu.Lock()
	for k, e := range s.editors.m {
		if e.userID == userID {
			delete(s.editors.m, k)
		}
	}
	s.editors.mu.Unlock()
}

// Unlocked reports whether u's key is unlocked in session sessKey.
func (s *Service) Unlocked(sessKey string, u *domain.User) bool {
	return s.identity(sessKey, u) != nil
}

func (s *Service) identity(sessKey string, u *domain.User) *age.X25519Identity {
	if u == nil || sessKey == "" {
		return nil
	}
	now := s.o.Now()
	s.editors.mu.Lock()
	defer s.editors.mu.Unlock()
	e, ok := s.editors.m[sessKey]
	if !ok {
		return nil
	}
	if e.userID != u.ID || now.Sub(e.lastUsed) > s.o.EditorIdle || now.Sub(e.since) > s.o.EditorMax {
		delete(s.editors.m, sessKey)
		return nil
	}
	e.lastUsed = now
	return e.id
}

// Sweep drops unlocked editor keys and source sessions past their timeouts.
// serve calls it every minute.
func (s *Service) Sweep() {
	now := s.o.Now()
	s.editors.mu.Lock()
	for k, e := range s.editors.m {
		if now.Sub(e.lastUsed) > s.o.EditorIdle || now.Sub(e.since) > s.o.EditorMax {
			delete(s.editors.m, k)
		}
	}
	s.editors.mu.Unlock()
	s.sources.mu.Lock()
	for k, ss := range s.sources.m {
		if now.Sub(ss.lastSeen) > s.o.SourceIdle {
			delete(s.sources.m, k)
		}
	}
	s.sources.mu.Unlock()
}

// SourceSession is a logged-in source. It lives only in this process's
// memory: the source's derived identity (which opens the editors' replies)
// is never written anywhere. It holds no address or header of any kind.
type SourceSession struct {
	SourceID  int64
	CSRFToken string
	identity  *age.X25519Identity
	lastSeen  time.Time
	actions   *bucket

	mu       sync.Mutex
	codename string // shown once after the first submission, then forgotten
}

// TakeCodename returns the codename of a source just created, once.
func (ss *SourceSession) TakeCodename() string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	c := ss.codename
	ss.codename = ""
	return c
}

type sourceSessions struct {
	mu sync.Mutex
	m  map[string]*SourceSession // by tokenKey(token)
}

func (s *Service) startSource(src *domain.IntakeSource, id *age.X25519Identity) string {
	token := randomToken()
	ss := &SourceSession{SourceID: src.ID, CSRFToken: randomToken(), identity: id, lastSeen: s.o.Now(),
		actions: newBucket(s.o.Limits.SessionActionsPerMinute)}
	s.sources.mu.Lock()
	s.sources.m[tokenKey(token)] = ss
	s.sources.mu.Unlock()
	return token
}

// SourceSession returns the live session of token and touches it, or nil.
func (s *Service) SourceSession(token string) *SourceSession {
	if token == "" || len(token) > 100 {
		return nil
	}
	now := s.o.Now()
	k := tokenKey(token)
	s.sources.mu.Lock()
	defer s.sources.mu.Unlock()
	ss, ok := s.sources.m[k]
	if !ok {
		return nil
	}
	if now.Sub(ss.lastSeen) > s.o.SourceIdle {
		delete(s.sources.m, k)
		return nil
	}
	ss.lastSeen = now
	return ss
}

// SourceLogout ends the source session of token.
func (s *Service) SourceLogout(token string) {
	s.sources.mu.Lock()
	delete(s.sources.m, tokenKey(token))
	s.sources.mu.Unlock()
}

// SourceLogin derives the keys of codename (one Argon2id derivation whether
// or not it is valid or known) and starts a session. Every failure is the
// same EUNAUTHORIZED error; ETOOMANY beyond the global login budget.
func (s *Service) SourceLogin(ctx context.Context, codename string) (string, error) {
	if !s.logins.allow(s.o.Now()) {
		return "", errTooMany
	}
	keys, normErr, err := s.derive(ctx, codename)
	if err != nil {
		return "", err
	}
	bad := domain.Errorf(domain.EUNAUTHORIZED, "This codename is not known here. Check each word and try again.")
	// The lookup runs for invalid codenames too (with a key nobody has), so
	// both paths do the same work.
	src, err := s.o.Store.FindSourceByLookup(ctx, keys.LookupKey)
	if normErr != nil {
		return "", bad
	}
	if err != nil {
		if domain.IsCode(err, domain.ENOTFOUND) {
			return "", bad
		}
		return "", err
	}
	if !CodenameKeyEqual(src.LookupKey, keys.LookupKey) {
		return "", bad
	}
	return s.startSource(src, keys.Identity), nil
}

func (ss *SourceSession) allow(now time.Time) error {
	if !ss.actions.allow(now) {
		return domain.Errorf(domain.ETOOMANY, "You are sending too quickly; please wait a few minutes.")
	}
	return nil
}

func mayReadIntake(u *domain.User) error {
	if u == nil || u.Disabled || !domain.CanReadIntake(u.Role) {
		return domain.Errorf(domain.EFORBIDDEN, "You may not read anonymous reports.")
	}
	return nil
}
