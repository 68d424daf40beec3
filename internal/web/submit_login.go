package web

import (
	"io"
	"net/http"
	"strconv"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
)

// SourceLoginView is the codename form.
type SourceLoginView struct {
	Page
	Problem string
}

func (s *Server) handleSourceLoginForm(w http.ResponseWriter, r *http.Request) {
	s.renderSourceLogin(w, r, http.StatusOK, "")
}

func (s *Server) renderSourceLogin(w http.ResponseWriter, r *http.Request, status int, problem string) {
	l := s.cat.localizer(localeOf(r))
	v := SourceLoginView{Page: s.sourcePage(w, r, nil, l.T("submit.login.title")), Problem: problem}
	s.render(w, r, status, "submit_login", &v)
}

// handleSourceLogin checks a codename. Unknown and invalid codenames get
// the same answer after the same work (one Argon2id derivation).
func (s *Server) handleSourceLogin(w http.ResponseWriter, r *http.Request) {
	l := s.cat.localizer(localeOf(r))
	token, err := s.opts.Intake.SourceLogin(r.Context(), r.PostForm.Get("codename"))
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.EUNAUTHORIZED:
			s.renderSourceLogin(w, r, http.StatusUnauthorized, l.T("submit.login.wrong"))
		case domain.ETOOMANY:
			s.renderSourceLogin(w, r, http.StatusTooManyRequests, l.T("submit.problem.toomany"))
		default:
			s.fail(w, r, err)
		}
		return
	}
	if c, err := r.Cookie(s.sourceCookie()); err == nil {
		s.opts.Intake.SourceLogout(c.Value)
	}
	s.setCookie(w, s.sourceCookie(), token, 0)
	s.setCookie(w, s.sourceCSRFCookie(), "", -1)
	s.redirect(w, r, "/submit/reports")
}

func (s *Server) handleSourceLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(s.sourceCookie()); err == nil {
		s.opts.Intake.SourceLogout(c.Value)
	}
	s.setCookie(w, s.sourceCookie(), "", -1)
	s.redirect(w, r, "/submit/login?out=1")
}

// SourceReportsView is a logged-in source's reports and replies.
type SourceReportsView struct {
	Page
	Reports []*intake.SourceReport
	MaxMB   int64
	Sent    bool
	Problem string
	// Stories are the draft stories made from each report (submit_story.go).
	Stories   map[int64][]*SourceStoryView
	StoryDone bool
}

func (s *Server) handleSourceReports(w http.ResponseWriter, r *http.Request) {
	sess := s.sourceOf(r)
	if sess == nil {
		s.redirect(w, r, "/submit/login")
		return
	}
	s.renderSourceReports(w, r, http.StatusOK, sess, "")
}

func (s *Server) renderSourceReports(w http.ResponseWriter, r *http.Request, status int, sess *intake.SourceSession, problem string) {
	reports, err := s.opts.Intake.SourceReports(r.Context(), sess)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.cat.localizer(localeOf(r))
	v := SourceReportsView{Page: s.sourcePage(w, r, sess, l.T("submit.reports.title")), Reports: reports,
		MaxMB: s.opts.Intake.MaxBytes() / 1_000_000, Sent: r.URL.Query().Get("sent") != "", Problem: problem}
	v.Stories, v.StoryDone = s.sourceStoriesFor(r.Context(), reports), r.URL.Query().Get("story") != ""
	s.render(w, r, status, "submit_reports", &v)
}

// handleSourceMessage adds a message and files to one of the source's
// reports; another source's report is the same 404 as a missing one.
func (s *Server) handleSourceMessage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess := s.sourceOf(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	var up *intake.Upload
	start := func() error {
		if sess == nil {
			return domain.Errorf(domain.EUNAUTHORIZED, "Please log in.")
		}
		var err error
		up, err = s.opts.Intake.NewMessage(ctx, sess, id)
		return err
	}
	fields, err := s.sourceForm(w, r, sess, start, func(name, ctype string, body io.Reader) error {
		return up.AddFile(ctx, name, ctype, body)
	})
	if err == nil {
		_, err = up.Finish(ctx, intake.Content{Text: fields.Get("text")})
	}
	if err != nil {
		if up != nil {
			up.Abort(ctx)
		}
		l := s.cat.localizer(localeOf(r))
		switch {
		case err == errCSRF:
			s.forbidden(w, r)
		case domain.IsCode(err, domain.EUNAUTHORIZED):
			s.redirect(w, r, "/submit/login")
		case domain.IsCode(err, domain.ENOTFOUND):
			s.notFound(w, r)
		case domain.IsCode(err, domain.ETOOLARGE):
			s.renderSourceReports(w, r, http.StatusRequestEntityTooLarge, sess, l.T("submit.problem.toolarge", s.opts.Intake.MaxBytes()/1_000_000))
		case domain.IsCode(err, domain.ETOOMANY):
			s.renderSourceReports(w, r, http.StatusTooManyRequests, sess, l.T("submit.problem.toomany"))
		case domain.IsCode(err, domain.EINVALID):
			s.renderSourceReports(w, r, http.StatusBadRequest, sess, l.T("intake.problem.empty"))
		default:
			s.fail(w, r, err)
		}
		return
	}
	s.redirect(w, r, "/submit/reports?sent="+strconv.FormatInt(id, 10))
}
