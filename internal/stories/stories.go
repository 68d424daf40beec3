package stories

import (
	"bytes"
	"context"
	"io"
	"strings"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/intake"
)

// CreateStory validates st and saves it as a draft with revision 1. When the
// author is not shown by name, realName (optional) is sealed to every
// editor's key; it is never stored in clear.
func (s *Service) CreateStory(ctx context.Context, by *domain.User, st *domain.Story, realName, note string) error {
	if err := editorial.Allow(by, domain.ActionEdit); err != nil {
		return err
	}
	if err := s.prepare(ctx, st, realName); err != nil {
		return err
	}
	return s.Stories.CreateStory(ctx, st, by, note)
}

// UpdateStory saves a new revision; st.Version is the version the editor
// started from (a stale one is ECONFLICT). An empty realName keeps the
// sealed name already stored.
func (s *Service) UpdateStory(ctx context.Context, by *domain.User, st *domain.Story, realName, note string) error {
	if err := editorial.Allow(by, domain.ActionEdit); err != nil {
		return err
	}
	st.AuthorSealed = nil
	if err := s.prepare(ctx, st, realName); err != nil {
		return err
	}
	return s.Stories.UpdateStory(ctx, st, by, note)
}

func (s *Service) prepare(ctx context.Context, st *domain.Story, realName string) error {
	st.Normalize()
	if err := st.Validate(); err != nil {
		return err
	}
	realName = strings.TrimSpace(realName)
	if realName == "" || st.AuthorDisplay == domain.AuthorNamed {
		return nil
	}
	sealed, err := s.sealToEditors(ctx, []byte(realName))
	if err != nil {
		return err
	}
	st.AuthorSealed = sealed
	return nil
}

// sealToEditors encrypts b to every editor's public key.
func (s *Service) sealToEditors(ctx context.Context, b []byte) ([]byte, error) {
	if s.Keys == nil {
		return nil, domain.InvalidFields(map[string]string{"real_name": "No editor has a key yet, so the real name cannot be kept sealed: leave it out."})
	}
	keys, err := s.Keys.StaffKeys(ctx)
	if err != nil {
		return nil, err
	}
	var recips []age.Recipient
	for _, k := range keys {
		r, err := intake.ParseRecipient(k.PublicKey)
		if err != nil {
			return nil, err
		}
		recips = append(recips, r)
	}
	if len(recips) == 0 {
		return nil, domain.InvalidFields(map[string]string{"real_name": "No editor has a key yet, so the real name cannot be kept sealed: leave it out."})
	}
	return sealBytes(b, recips)
}

func sealBytes(b []byte, recips []age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := intake.Seal(&buf, recips)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func openBytes(b []byte, ids ...age.Identity) ([]byte, error) {
	r, err := intake.Open(bytes.NewReader(b), ids...)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// FindStory returns a working copy for any staff member.
func (s *Service) FindStory(ctx context.Context, by *domain.User, id int64) (*domain.Story, error) {
	if err := editorial.Allow(by, domain.ActionRead); err != nil {
		return nil, err
	}
	return s.Stories.FindStory(ctx, id)
}

// ListStories lists working copies for the back office.
func (s *Service) ListStories(ctx context.Context, by *domain.User, f domain.StoryStaffFilter) ([]*domain.Story, int, error) {
	if err := editorial.Allow(by, domain.ActionRead); err != nil {
		return nil, 0, err
	}
	return s.Stories.ListStories(ctx, f)
}

// StoryReview is what the back office shows beside a story.
type StoryReview struct {
	Story     *domain.Story
	Revisions []*domain.StoryRevision
	Approvals []*domain.StoryApproval
	// SourceApproved is true when the source approved the current version
	// (stories from intake).
	SourceApproved bool
}

// ApprovedByOther reports whether someone other than userID approved the
// current version.
func (r *StoryReview) ApprovedByOther(userID int64) bool {
	for _, a := range r.Approvals {
		if !a.Source && a.Revision == r.Story.Version && a.UserID != userID {
			return true
		}
	}
	return false
}

// Review returns a story with its revisions and approvals.
func (s *Service) Review(ctx context.Context, by *domain.User, id int64) (*StoryReview, error) {
	if err := editorial.Allow(by, domain.ActionRead); err != nil {
		return nil, err
	}
	st, err := s.Stories.FindStory(ctx, id)
	if err != nil {
		return nil, err
	}
	rv := &StoryReview{Story: st}
	if rv.Revisions, err = s.Stories.StoryRevisions(ctx, id); err != nil {
		return nil, err
	}
	if rv.Approvals, err = s.Stories.StoryApprovals(ctx, id); err != nil {
		return nil, err
	}
	for _, a := range rv.Approvals {
		if a.Source && a.Revision == st.Version {
			rv.SourceApproved = true
		}
	}
	return rv, nil
}

// Submit sends a draft for review.
func (s *Service) Submit(ctx context.Context, by *domain.User, id int64, version int, note string) error {
	if err := editorial.Allow(by, domain.ActionSubmit); err != nil {
		return err
	}
	_, err := s.Stories.TransitionStory(ctx, id, version, domain.ActionSubmit, by, note)
	return err
}

// ReturnToDraft sends a story in review back to its editors.
func (s *Service) ReturnToDraft(ctx context.Context, by *domain.User, id int64, version int, note string) error {
	if err := editorial.Allow(by, domain.ActionApprove); err != nil {
		return err
	}
	_, err := s.Stories.TransitionStory(ctx, id, version, "return", by, note)
	return err
}

// Approve records by's approval of the revision under review; nobody may
// approve their own last edit.
func (s *Service) Approve(ctx context.Context, by *domain.User, id int64, version int, comment string) error {
	if err := editorial.Allow(by, domain.ActionApprove); err != nil {
		return err
	}
	st, err := s.Stories.FindStory(ctx, id)
	if err != nil {
		return err
	}
	if st.UpdatedBy == by.ID {
		return domain.Errorf(domain.EFORBIDDEN, "You wrote the revision under review; a second person must approve it.")
	}
	return s.Stories.ApproveStory(ctx, id, version, by, false, comment)
}

// Publish makes the approved revision public (two-person rule and, for a
// story from intake, the source's approval of that revision: checked by
// the store in the publishing transaction).
func (s *Service) Publish(ctx context.Context, by *domain.User, id int64, version int) (*domain.PublicStory, error) {
	if err := editorial.Allow(by, domain.ActionPublish); err != nil {
		return nil, err
	}
	return s.Stories.PublishStory(ctx, id, version, by)
}

// Withdraw takes a published story off the record with a public reason.
func (s *Service) Withdraw(ctx context.Context, by *domain.User, id int64, reason string) (*domain.PublicStory, error) {
	if err := editorial.Allow(by, domain.ActionWithdraw); err != nil {
		return nil, err
	}
	return s.Stories.WithdrawStory(ctx, id, reason, by)
}

// FromIntake turns an intake report into a draft story. The report's
// attachments stay where they are, sealed originals linked through the
// report; the editors and the source talk about edits on the report's
// thread; publishing needs the source's approval of the exact revision.
// (by must be allowed to read intake: admins and editors.)
func (s *Service) FromIntake(ctx context.Context, by *domain.User, reportID int64, st *domain.Story, realName, note string) error {
	if err := editorial.Allow(by, domain.ActionEdit); err != nil {
		return err
	}
	if by.Role != domain.RoleAdmin && by.Role != domain.RoleEditor { // who may read intake
		return domain.Errorf(domain.EFORBIDDEN, "Your role does not allow this.")
	}
	if reportID <= 0 {
		return domain.Errorf(domain.EINVALID, "Choose the report the story comes from.")
	}
	st.IntakeReportID = reportID
	if err := s.prepare(ctx, st, realName); err != nil {
		return err
	}
	return s.Stories.CreateStory(ctx, st, by, note)
}

// SourceStories returns the stories made from a report, for the source's
// own report page (the caller has authenticated the source as the report's
// author with their codename).
func (s *Service) SourceStories(ctx context.Context, reportID int64) ([]*StoryReview, error) {
	list, _, err := s.Stories.ListStories(ctx, domain.StoryStaffFilter{PerPage: 500})
	if err != nil {
		return nil, err
	}
	var out []*StoryReview
	for _, st := range list {
		if st.IntakeReportID != reportID || reportID == 0 {
			continue
		}
		rv := &StoryReview{Story: st}
		if rv.Approvals, err = s.Stories.StoryApprovals(ctx, st.ID); err != nil {
			return nil, err
		}
		for _, a := range rv.Approvals {
			if a.Source && a.Revision == st.Version {
				rv.SourceApproved = true
			}
		}
		out = append(out, rv)
	}
	return out, nil
}

// SourceApprove records the source's approval of the exact revision version
// of a story made from their report.
func (s *Service) SourceApprove(ctx context.Context, reportID, storyID int64, version int) error {
	st, err := s.Stories.FindStory(ctx, storyID)
	if err != nil || st.IntakeReportID != reportID || reportID == 0 {
		return domain.Errorf(domain.ENOTFOUND, "Story not found.")
	}
	return s.Stories.ApproveStory(ctx, storyID, version, nil, true, "")
}

// SourceWithdrawConsent revokes the source's approvals: the story cannot be
// published (again) until they approve a revision.
func (s *Service) SourceWithdrawConsent(ctx context.Context, reportID, storyID int64) error {
	st, err := s.Stories.FindStory(ctx, storyID)
	if err != nil || st.IntakeReportID != reportID || reportID == 0 {
		return domain.Errorf(domain.ENOTFOUND, "Story not found.")
	}
	return s.Stories.RevokeSourceApproval(ctx, storyID, "consent withdrawn")
}

// Public reads.

// FindPublic returns a published or withdrawn story.
func (s *Service) FindPublic(ctx context.Context, slug string) (*domain.PublicStory, error) {
	return s.Public.FindPublicStory(ctx, slug)
}

// Search returns one page of published stories.
func (s *Service) Search(ctx context.Context, f domain.StoryFilter) (*domain.StoryPage, error) {
	return s.Public.SearchStories(ctx, f)
}

// ForIncident lists the published stories related to an incident.
func (s *Service) ForIncident(ctx context.Context, ref string) ([]*domain.PublicStory, error) {
	return s.Public.StoriesForIncident(ctx, ref)
}
