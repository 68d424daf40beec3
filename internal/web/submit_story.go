package web

import (
	"context"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
)

// SourceStoryView is a draft story made from a source's report, as the
// source sees it: the text of the revision under review and whether they
// approved that exact revision.
type SourceStoryView struct {
	ID         int64
	ReportID   int64
	Version    int
	Title      string
	Standfirst string
	Body       template.HTML
	Author     string // how readers will see the author
	State      string
	Approved   bool
}

// sourceStoriesFor returns, by report, the stories made from the source's
// reports (nil when stories are off). Errors leave the list empty: the
// reports page must still work.
func (s *Server) sourceStoriesFor(ctx context.Context, reports []*intake.SourceReport) map[int64][]*SourceStoryView {
	if s.opts.Stories == nil {
		return nil
	}
	out := map[int64][]*SourceStoryView{}
	for _, rep := range reports {
		list, err := s.opts.Stories.SourceStories(ctx, rep.ID)
		if err != nil {
			s.log.Warn("web: source stories", "err", err)
			continue
		}
		for _, rv := range list {
			st := rv.Story
			v := &SourceStoryView{ID: st.ID, ReportID: rep.ID, Version: st.Version, Title: st.Title, Standfirst: st.Standfirst,
				Body: s.markdown(st.Body), Author: st.AuthorName, State: st.Publication, Approved: rv.SourceApproved}
			if st.AuthorDisplay == domain.AuthorAnonymous {
				v.Author = ""
			}
			out[rep.ID] = append(out[rep.ID], v)
		}
	}
	return out
}

// ownsReport reports whether the logged-in source wrote report id.
func (s *Server) ownsReport(r *http.Request, sess *intake.SourceSession, id int64) bool {
	if sess == nil {
		return false
	}
	reports, err := s.opts.Intake.SourceReports(r.Context(), sess)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(reports, func(x *intake.SourceReport) bool { return x.ID == id })
}

// handleSourceStoryApprove records the source's approval of the exact
// revision shown to them.
func (s *Server) handleSourceStoryApprove(w http.ResponseWriter, r *http.Request) {
	s.sourceStoryAction(w, r, func(ctx context.Context, reportID, storyID int64) error {
		version, err := strconv.Atoi(r.PostForm.Get("version"))
		if err != nil {
			return domain.Errorf(domain.EINVALID, "Reload the page and try again.")
		}
		return s.opts.Stories.SourceApprove(ctx, reportID, storyID, version)
	})
}

// handleSourceStoryWithdraw revokes the source's consent: the story
// cannot be published until they approve a revision again.
func (s *Server) handleSourceStoryWithdraw(w http.ResponseWriter, r *http.Request) {
	s.sourceStoryAction(w, r, func(ctx context.Context, reportID, storyID int64) error {
		return s.opts.Stories.SourceWithdrawConsent(ctx, reportID, storyID)
	})
}

// sourceStoryAction checks the source owns the report (another's report or
// story is the same 404 as a missing one), acts, and goes back to the
// reports page.
func (s *Server) sourceStoryAction(w http.ResponseWriter, r *http.Request, act func(ctx context.Context, reportID, storyID int64) error) {
	sess := s.sourceOf(r)
	if sess == nil {
		s.redirect(w, r, "/submit/login")
		return
	}
	reportID, ok1 := subID(r, "id")
	storyID, ok2 := subID(r, "story")
	if !ok1 || !ok2 || s.opts.Stories == nil || !s.ownsReport(r, sess, reportID) {
		s.notFound(w, r)
		return
	}
	if err := act(r.Context(), reportID, storyID); err != nil {
		switch domain.ErrorCode(err) {
		case domain.EINVALID, domain.ECONFLICT:
			s.renderSourceReports(w, r, ErrorStatus(err), sess, domain.ErrorMessage(err))
		case domain.ENOTFOUND:
			s.notFound(w, r)
		default:
			s.fail(w, r, err)
		}
		return
	}
	s.redirect(w, r, "/submit/reports?story=1#report-"+strconv.FormatInt(reportID, 10))
}
