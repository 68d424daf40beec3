package domain

import (
	"net/mail"
	"strings"
	"time"
)

// Roles of staff accounts.
const (
	RoleAdmin    = "admin"
	RoleEditor   = "editor"
	RoleReviewer = "reviewer"
)

// Roles lists the staff roles.
var Roles = []string{RoleAdmin, RoleEditor, RoleReviewer}

// User is a staff account.
type User struct {
	ID           int64      `json:"id"`
	Email        string     `json:"email"`
	Name         string     `json:"name"`
	Role         string     `json:"role"`
	PasswordHash string     `json:"-"`
	TOTPSecret   string     `json:"-"` // empty until enrolled
	TOTPLastStep int64      `json:"-"` // last accepted time step, against replay
	MustChangePW bool       `json:"must_change_password"`
	Disabled     bool       `json:"disabled"`
	FailedLogins int        `json:"-"` // failures since FailedSince
	FailedSince  *time.Time `json:"-"` // start of the current failure window
	LockedUntil  *time.Time `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// NeedsTOTP reports whether the user's role requires a second factor.
func (u *User) NeedsTOTP() bool { return u.Role == RoleAdmin || u.Role == RoleEditor }

// Validate reports problems with the user's editable fields.
func (u *User) Validate() error {
	p := map[string]string{}
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		p["email"] = "Use a valid e-mail address."
	}
	if !oneOf(u.Role, Roles) {
		p["role"] = "Choose admin, editor or reviewer."
	}
	if len(u.Name) > 200 {
		p["name"] = "Names are at most 200 characters."
	}
	if len(p) > 0 {
		return InvalidFields(p)
	}
	return nil
}

// Can reports whether a user of role may perform action.
func Can(role, action string) bool {
	switch action {
	case ActionRead, ActionComment, ActionApprove:
		return oneOf(role, Roles)
	case ActionEdit, ActionSubmit, ActionPublish, ActionWithdraw, ActionCapture:
		return role == RoleEditor || role == RoleAdmin
	case ActionManageUsers, ActionManageVocab, ActionViewAudit:
		return role == RoleAdmin
	}
	return false
}

// Actions checked by Can.
const (
	ActionRead        = "read"
	ActionComment     = "comment"
	ActionApprove     = "approve"
	ActionEdit        = "edit"
	ActionSubmit      = "submit"
	ActionPublish     = "publish"
	ActionWithdraw    = "withdraw"
	ActionCapture     = "capture"
	ActionManageUsers = "manage_users"
	ActionManageVocab = "manage_vocab"
	ActionViewAudit   = "view_audit"
)

// Session is a staff login. The ID is a random token kept only as a hash.
type Session struct {
	IDHash     string    `json:"-"`
	UserID     int64     `json:"user_id"`
	CSRFToken  string    `json:"-"`
	TOTPPassed bool      `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Revision is one saved state of an incident's working copy.
type Revision struct {
	IncidentID int64     `json:"incident_id"`
	Number     int       `json:"number"`
	Doc        []byte    `json:"-"` // the incident as JSON
	AuthorID   int64     `json:"author_id"`
	AuthorName string    `json:"author_name"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

// Approval is a second person's approval of a revision for publication.
type Approval struct {
	IncidentID int64     `json:"incident_id"`
	Revision   int       `json:"revision"`
	UserID     int64     `json:"user_id"`
	UserName   string    `json:"user_name"`
	Comment    string    `json:"comment"`
	CreatedAt  time.Time `json:"created_at"`
}

// Comment is a reviewer's or editor's note on an incident.
type Comment struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id"`
	UserID     int64     `json:"user_id"`
	UserName   string    `json:"user_name"`
	Text       string    `json:"text"`
	CreatedAt  time.Time `json:"created_at"`
}

// AuditEntry records who did what to which object, and when. Staff only.
type AuditEntry struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	UserEmail string    `json:"user_email"`
	Action    string    `json:"action"`
	Object    string    `json:"object"` // e.g. incident:12, user:3
	Detail    string    `json:"detail"`
	CreatedAt time.Time `json:"created_at"`
}

// Transitions of a record's publication state (incidents and stories share
// one workflow), by action.
var transitions = map[string]struct {
	from []string
	to   string
}{
	ActionSubmit:   {[]string{PublicationDraft}, PublicationInReview},
	"return":       {[]string{PublicationInReview}, PublicationDraft},
	ActionPublish:  {[]string{PublicationInReview}, PublicationPublished},
	ActionWithdraw: {[]string{PublicationPublished}, PublicationWithdrawn},
	"reopen":       {[]string{PublicationPublished, PublicationWithdrawn}, PublicationDraft},
}

// Transition returns an incident's publication state reached by action from
// state, or an ECONFLICT error if the action is not allowed there.
func Transition(state, action string) (string, error) {
	return TransitionOf("incident", state, action)
}

// TransitionOf is Transition for any kind of record with the same workflow;
// record ("incident", "story") names it in the error message.
func TransitionOf(record, state, action string) (string, error) {
	t, ok := transitions[action]
	if !ok {
		return "", Errorf(EINVALID, "Unknown action %q.", action)
	}
	if !oneOf(state, t.from) {
		return "", Errorf(ECONFLICT, "This %s is %s; it cannot be %s now.", record, label(state), actionPast(action))
	}
	return t.to, nil
}

func label(state string) string { return strings.ReplaceAll(state, "_", " ") }

func actionPast(action string) string {
	switch action {
	case ActionSubmit:
		return "submitted for review"
	case "return":
		return "returned to draft"
	case ActionPublish:
		return "published"
	case ActionWithdraw:
		return "withdrawn"
	case "reopen":
		return "reopened"
	}
	return action
}
