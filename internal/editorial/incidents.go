package editorial

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/presswatch/presswatch/internal/domain"
)

// CreateIncident validates inc against the vocabularies and saves it as a
// draft with its first revision.
func (s *Service) CreateIncident(ctx context.Context, by *domain.User, inc *domain.Incident, note string) error {
	if err := Allow(by, domain.ActionEdit); err != nil {
		return err
	}
	inc.Publication = domain.PublicationDraft
	if err := s.check(ctx, inc); err != nil {
		return err
	}
	return s.Incidents.CreateIncident(ctx, inc, by, note)
}

// UpdateIncident saves a new revision of inc. inc.Version must be the
// version the editor started from; a stale one is ECONFLICT.
func (s *Service) UpdateIncident(ctx context.Context, by *domain.User, inc *domain.Incident, note string) error {
	if err := Allow(by, domain.ActionEdit); err != nil {
		return err
	}
	cur, err := s.Incidents.FindIncident(ctx, inc.ID)
	if err != nil {
		return err
	}
	// Fields the form does not own are kept from the stored copy.
	inc.Ref, inc.Slug, inc.CreatedAt, inc.CreatedBy = cur.Ref, cur.Slug, cur.CreatedAt, cur.CreatedBy
	inc.PublishedVersion, inc.PublishedAt, inc.Demo = cur.PublishedVersion, cur.PublishedAt, cur.Demo
	inc.Publication = cur.Publication
	if inc.Publication == domain.PublicationInReview || inc.Publication == domain.PublicationPublished ||
		inc.Publication == domain.PublicationWithdrawn {
		// Any edit needs a fresh review; readers keep the published revision.
		inc.Publication = domain.PublicationDraft
	}
	if err := s.check(ctx, inc); err != nil {
		return err
	}
	return s.Incidents.UpdateIncident(ctx, inc, by, note)
}

func (s *Service) check(ctx context.Context, inc *domain.Incident) error {
	vocab, _, err := s.Vocab(ctx)
	if err != nil {
		return err
	}
	inc.Normalize()
	return inc.Validate(vocab)
}

// FindIncident returns a working copy for any staff member.
func (s *Service) FindIncident(ctx context.Context, by *domain.User, id int64) (*domain.Incident, error) {
	if err := Allow(by, domain.ActionRead); err != nil {
		return nil, err
	}
	return s.Incidents.FindIncident(ctx, id)
}

// ListIncidents lists working copies for the back office.
func (s *Service) ListIncidents(ctx context.Context, by *domain.User, f domain.StaffFilter) ([]*domain.Incident, int, error) {
	if err := Allow(by, domain.ActionRead); err != nil {
		return nil, 0, err
	}
	return s.Incidents.ListIncidents(ctx, f)
}

// Submit sends a draft for review.
func (s *Service) Submit(ctx context.Context, by *domain.User, id int64, version int, note string) error {
	if err := Allow(by, domain.ActionSubmit); err != nil {
		return err
	}
	_, err := s.Incidents.Transition(ctx, id, version, domain.ActionSubmit, by, note)
	return err
}

// ReturnToDraft sends an incident in review back to its editors.
func (s *Service) ReturnToDraft(ctx context.Context, by *domain.User, id int64, version int, note string) error {
	if err := Allow(by, domain.ActionApprove); err != nil {
		return err
	}
	_, err := s.Incidents.Transition(ctx, id, version, "return", by, note)
	return err
}

// Approve records by's approval of the revision under review. Reviewers,
// editors and admins may approve; nobody may approve their own last edit.
func (s *Service) Approve(ctx context.Context, by *domain.User, id int64, version int, comment string) error {
	if err := Allow(by, domain.ActionApprove); err != nil {
		return err
	}
	inc, err := s.Incidents.FindIncident(ctx, id)
	if err != nil {
		return err
	}
	if inc.UpdatedBy == by.ID {
		return domain.Errorf(domain.EFORBIDDEN, "You wrote the revision under review; a second person must approve it.")
	}
	return s.Incidents.Approve(ctx, id, version, by, comment)
}

// Publish makes the approved revision public. The store enforces that a
// user other than by approved this very revision.
func (s *Service) Publish(ctx context.Context, by *domain.User, id int64, version int) (*domain.PublicIncident, error) {
	if err := Allow(by, domain.ActionPublish); err != nil {
		return nil, err
	}
	return s.Incidents.Publish(ctx, id, version, by)
}

// Withdraw takes a published incident off the record, keeping a public page
// that says it was withdrawn and why.
func (s *Service) Withdraw(ctx context.Context, by *domain.User, id int64, reason string) (*domain.PublicIncident, error) {
	if err := Allow(by, domain.ActionWithdraw); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, domain.InvalidFields(map[string]string{"reason": "Say why the incident is withdrawn; readers will see it."})
	}
	return s.Incidents.Withdraw(ctx, id, reason, by)
}

// Comment adds a note to an incident's review thread.
func (s *Service) Comment(ctx context.Context, by *domain.User, id int64, text string) error {
	if err := Allow(by, domain.ActionComment); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if text == "" || len(text) > 10000 {
		return domain.InvalidFields(map[string]string{"text": "Write a comment of at most 10,000 characters."})
	}
	if _, err := s.Incidents.FindIncident(ctx, id); err != nil {
		return err
	}
	return s.Incidents.AddComment(ctx, &domain.Comment{IncidentID: id, UserID: by.ID, UserName: by.Email, Text: text, CreatedAt: s.now()})
}

// ReviewState is what the review page shows beside an incident.
type ReviewState struct {
	Incident  *domain.Incident
	Revisions []*domain.Revision
	Approvals []*domain.Approval
	Comments  []*domain.Comment
	// CanPublish is true when another user approved the current version.
	ApprovedByOther func(userID int64) bool
}

// Review returns an incident with its revisions, approvals and comments.
func (s *Service) Review(ctx context.Context, by *domain.User, id int64) (*ReviewState, error) {
	if err := Allow(by, domain.ActionRead); err != nil {
		return nil, err
	}
	inc, err := s.Incidents.FindIncident(ctx, id)
	if err != nil {
		return nil, err
	}
	st := &ReviewState{Incident: inc}
	if st.Revisions, err = s.Incidents.Revisions(ctx, id); err != nil {
		return nil, err
	}
	if st.Approvals, err = s.Incidents.Approvals(ctx, id); err != nil {
		return nil, err
	}
	if st.Comments, err = s.Incidents.Comments(ctx, id); err != nil {
		return nil, err
	}
	st.ApprovedByOther = func(userID int64) bool {
		for _, a := range st.Approvals {
			if a.Revision == inc.Version && a.UserID != userID {
				return true
			}
		}
		return false
	}
	return st, nil
}

// DiffLine is one line of a diff between two revisions: Op is "=" for a
// line in both, "-" for a line only in the older, "+" only in the newer.
type DiffLine struct {
	Op   string
	Text string
}

// Diff compares revisions a and b of an incident line by line.
func (s *Service) Diff(ctx context.Context, by *domain.User, id int64, a, b int) ([]DiffLine, error) {
	if err := Allow(by, domain.ActionRead); err != nil {
		return nil, err
	}
	ra, err := s.Incidents.FindRevision(ctx, id, a)
	if err != nil {
		return nil, err
	}
	rb, err := s.Incidents.FindRevision(ctx, id, b)
	if err != nil {
		return nil, err
	}
	la, err := revisionLines(ra.Doc)
	if err != nil {
		return nil, err
	}
	lb, err := revisionLines(rb.Doc)
	if err != nil {
		return nil, err
	}
	return DiffLines(la, lb), nil
}

// DiffLines returns the line diff turning a into b.
func DiffLines(a, b []string) []DiffLine {
	m := difflib.NewMatcher(a, b)
	var out []DiffLine
	for _, op := range m.GetOpCodes() {
		switch op.Tag {
		case 'e':
			for _, l := range a[op.I1:op.I2] {
				out = append(out, DiffLine{"=", l})
			}
		case 'd':
			for _, l := range a[op.I1:op.I2] {
				out = append(out, DiffLine{"-", l})
			}
		case 'i':
			for _, l := range b[op.J1:op.J2] {
				out = append(out, DiffLine{"+", l})
			}
		case 'r':
			for _, l := range a[op.I1:op.I2] {
				out = append(out, DiffLine{"-", l})
			}
			for _, l := range b[op.J1:op.J2] {
				out = append(out, DiffLine{"+", l})
			}
		}
	}
	return out
}

// revisionLines renders a revision's document as indented JSON lines,
// leaving out bookkeeping that changes on every save.
func revisionLines(doc []byte) ([]string, error) {
	var inc domain.Incident
	if err := json.Unmarshal(doc, &inc); err != nil {
		return nil, err
	}
	type content struct {
		domain.Incident
		Version   any `json:"version,omitempty"`
		CreatedAt any `json:"created_at,omitempty"`
		UpdatedAt any `json:"updated_at,omitempty"`
		UpdatedBy any `json:"updated_by,omitempty"`
		CreatedBy any `json:"created_by,omitempty"`
	}
	b, err := json.MarshalIndent(content{Incident: inc}, "", "  ")
	if err != nil {
		return nil, err
	}
	return strings.Split(string(b), "\n"), nil
}
