package web

import (
	"net/http"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
)

// AdminShowView is an incident in the back office: its content, state,
// the actions the user may take now, approvals, comments and revisions.
type AdminShowView struct {
	Page
	Inc        *domain.Incident
	Review     *editorial.ReviewState
	Violations []ViolationView
	CanEdit    bool
	CanSubmit  bool
	CanReturn  bool
	CanApprove bool
	CanPublish bool
	NeedsOther bool
	CanWithdr  bool
	CanComment bool
	PublicHref string
}

func (s *Server) handleAdminIncidentShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	ctx := r.Context()
	u := userOf(r)
	rs, err := s.opts.Service.Review(ctx, u, id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	vocab, _, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	inc := rs.Incident
	lb := s.labeler(s.cat.localizer("en"), vocab)
	v := AdminShowView{Page: s.page(r, inc.Ref+" · "+inc.Title), Inc: inc, Review: rs}
	v.Notice = notice(r)
	for _, vi := range inc.Violations {
		vv := violationView(lb, vi)
		for i, t := range vi.Targets { // staff see withheld names, marked
			if t.Name != "" {
				vv.Targets[i].Name = t.Name
			}
		}
		v.Violations = append(v.Violations, vv)
	}
	can := func(a string) bool { return domain.Can(u.Role, a) }
	state := inc.Publication
	approvedByMe := false
	for _, a := range rs.Approvals {
		if a.Revision == inc.Version && a.UserID == u.ID {
			approvedByMe = true
		}
	}
	v.CanEdit = can(domain.ActionEdit)
	v.CanSubmit = can(domain.ActionSubmit) && state == domain.PublicationDraft
	v.CanReturn = can(domain.ActionSubmit) && state == domain.PublicationInReview
	v.CanApprove = can(domain.ActionApprove) && state == domain.PublicationInReview && !approvedByMe
	if can(domain.ActionPublish) && state == domain.PublicationInReview {
		if rs.ApprovedByOther != nil && rs.ApprovedByOther(u.ID) {
			v.CanPublish = true
		} else {
			v.NeedsOther = true
		}
	}
	v.CanWithdr = can(domain.ActionWithdraw) && inc.PublishedVersion > 0 && state != domain.PublicationWithdrawn
	v.CanComment = can(domain.ActionComment)
	if inc.PublishedVersion > 0 {
		v.PublicHref = "/incidents/" + inc.Ref
	}
	s.render(w, r, http.StatusOK, "admin_incident_show", &v)
}
