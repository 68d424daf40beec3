package domain

import (
	"context"
	"time"
)

// IncidentStore keeps incidents' working copies, revisions, approvals,
// comments and publication. Each method is one transaction and writes its
// audit row in it. Errors: ENOTFOUND for a missing id or ref, ECONFLICT for a
// stale version or a disallowed transition, EINVALID for bad input.
type IncidentStore interface {
	// CreateIncident assigns ID, Ref (CC-YYYY-NNNN), Slug and Version 1 and
	// writes revision 1.
	CreateIncident(ctx context.Context, inc *Incident, by *User, note string) error
	// UpdateIncident saves inc as a new revision if inc.Version is the
	// stored version, then increments inc.Version. Editing a published or
	// withdrawn incident moves its working copy back to draft; readers keep
	// seeing the published revision until the next publication.
	UpdateIncident(ctx context.Context, inc *Incident, by *User, note string) error
	FindIncident(ctx context.Context, id int64) (*Incident, error)
	FindIncidentByRef(ctx context.Context, ref string) (*Incident, error)
	ListIncidents(ctx context.Context, f StaffFilter) ([]*Incident, int, error)

	Revisions(ctx context.Context, incidentID int64) ([]*Revision, error)
	FindRevision(ctx context.Context, incidentID int64, number int) (*Revision, error)

	// Transition applies a publication action (submit, return) to the
	// working copy at version.
	Transition(ctx context.Context, id int64, version int, action string, by *User, note string) (*Incident, error)
	// Approve records by's approval of revision version. ECONFLICT if the
	// incident is not in review at that version.
	Approve(ctx context.Context, id int64, version int, by *User, comment string) error
	Approvals(ctx context.Context, id int64) ([]*Approval, error)
	// Publish makes the working copy at version public. It requires the
	// incident to be in review at that version and an approval of that
	// version by a user other than by (two-person rule, EFORBIDDEN
	// otherwise). It writes the PublicIncident and a log entry.
	Publish(ctx context.Context, id int64, version int, by *User) (*PublicIncident, error)
	// Withdraw keeps the public page but marks it withdrawn with reason.
	Withdraw(ctx context.Context, id int64, reason string, by *User) (*PublicIncident, error)

	AddComment(ctx context.Context, c *Comment) error
	Comments(ctx context.Context, incidentID int64) ([]*Comment, error)
}

// StaffFilter selects working copies in the back office.
type StaffFilter struct {
	Q           string
	Publication []string
	Country     string
	Category    string
	AssignedTo  int64
	Page        int
	PerPage     int
}

// PublicStore reads the published record. Everything in it comes from
// PublicIncident rows; drafts are never visible through it.
type PublicStore interface {
	FindPublic(ctx context.Context, ref string) (*PublicIncident, error)
	// SearchPublic returns one page of the filter's result and its totals.
	SearchPublic(ctx context.Context, f IncidentFilter) (*PublicPage, error)
	// EachPublic streams every incident the filter selects (ignoring
	// paging) in the filter's order, without holding them in memory.
	EachPublic(ctx context.Context, f IncidentFilter, fn func(*PublicIncident) error) error
	Facets(ctx context.Context, f IncidentFilter) (*Facets, error)
}

// PublicPage is one page of published incidents.
type PublicPage struct {
	Items      []*PublicIncident
	Total      int    // incidents matching
	Persons    int    // persons targeted in them
	NextCursor string // for the API
	// Unranked: relevance was asked for, but the match is too large to
	// rank (store.relevanceBound): the page is newest first.
	Unranked bool
}

// UserStore keeps staff accounts. Errors: ENOTFOUND, ECONFLICT (email taken).
type UserStore interface {
	CreateUser(ctx context.Context, u *User, by *User) error
	FindUser(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	ListUsers(ctx context.Context) ([]*User, error)
	// UpdateUser saves role, name, disabled, password, TOTP and lock fields.
	UpdateUser(ctx context.Context, u *User, by *User, action string) error
	CountUsers(ctx context.Context) (int, error)
}

// SessionStore keeps staff sessions by the hash of their token.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, idHash string) (*Session, error)
	UpdateSession(ctx context.Context, s *Session) error
	DeleteSession(ctx context.Context, idHash string) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

// VocabStore keeps vocabulary terms.
type VocabStore interface {
	Terms(ctx context.Context) ([]Term, error)
	SaveTerm(ctx context.Context, t Term, by *User) error
}

// AuditStore reads and writes the staff-only audit log.
type AuditStore interface {
	RecordAudit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error)
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	UserID  int64
	Object  string
	Action  string
	Page    int
	PerPage int
}

// LogEntry is one leaf of the public log, written in the same transaction as
// the change it records and integrated into the Merkle tree afterwards.
type LogEntry struct {
	Kind   string    `json:"kind"` // incident_revision, withdrawal, capture, …
	Ref    string    `json:"ref"`
	Time   time.Time `json:"time"`
	SHA256 string    `json:"sha256"`
	URL    string    `json:"url,omitempty"` // public path of the content
}

// Clock returns the current time; tests inject a fixed one.
type Clock func() time.Time

// VocabSet answers HasTerm from a list of terms.
type VocabSet map[string]map[string]Term

// NewVocabSet indexes terms by vocabulary and code.
func NewVocabSet(terms []Term) VocabSet {
	s := VocabSet{}
	for _, t := range terms {
		if s[t.Vocab] == nil {
			s[t.Vocab] = map[string]Term{}
		}
		s[t.Vocab][t.Code] = t
	}
	return s
}

// HasTerm reports whether code is an active term of vocab.
func (s VocabSet) HasTerm(vocab, code string) bool {
	t, ok := s[vocab][code]
	return ok && t.Active
}

// Label returns the label of a code in locale, or the code.
func (s VocabSet) Label(vocab, code, locale string) string {
	if t, ok := s[vocab][code]; ok {
		return t.Label(locale)
	}
	return code
}

// Family returns the family of a category code.
func (s VocabSet) Family(category string) string {
	if t, ok := s[VocabCategory][category]; ok && t.Family != "" {
		return t.Family
	}
	return "other"
}
