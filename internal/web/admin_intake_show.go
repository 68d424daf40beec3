package web

import (
	"net/http"
	"strconv"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
)

// IntakeShowView is one report for an editor.
type IntakeShowView struct {
	Page
	R         *intake.ReportView
	Assignees []*domain.User
	Statuses  []string
	Problem   string
}

func (s *Server) handleAdminIntakeShow(w http.ResponseWriter, r *http.Request) {
	s.renderIntakeShow(w, r, http.StatusOK, "")
}

func (s *Server) renderIntakeShow(w http.ResponseWriter, r *http.Request, status int, problem string) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	u, st := userOf(r), staffOf(r)
	rv, err := s.opts.Intake.Report(r.Context(), u, st.sess.IDHash, id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	v := IntakeShowView{Page: s.page(r, "Report "+strconv.FormatInt(id, 10)), R: rv, Statuses: domain.IntakeStatuses, Problem: problem}
	if users, err := s.opts.Service.ListUsers(r.Context(), u); err == nil {
		for _, x := range users {
			if domain.CanReadIntake(x.Role) && !x.Disabled {
				v.Assignees = append(v.Assignees, x)
			}
		}
	} else {
		v.Assignees = []*domain.User{u} // editors may not list users: they can take a report themselves
	}
	switch r.URL.Query().Get("ok") {
	case "reply":
		v.Notice = "Your reply was sealed and sent."
	case "status":
		v.Notice = "Status saved."
	case "assign":
		v.Notice = "Assignment saved."
	case "publish":
		v.Notice = "A metadata-stripped copy was made; both hashes are recorded."
	}
	s.render(w, r, status, "admin_intake_show", &v)
}

func (s *Server) handleAdminIntakeStatus(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := s.opts.Intake.SetStatus(r.Context(), userOf(r), id, r.PostForm.Get("status")); err != nil {
		if domain.IsCode(err, domain.EINVALID) || domain.IsCode(err, domain.ECONFLICT) {
			s.renderIntakeShow(w, r, ErrorStatus(err), domain.ErrorMessage(err))
			return
		}
		s.failObject(w, r, err)
		return
	}
	s.redirect(w, r, "/admin/intake/"+strconv.FormatInt(id, 10)+"?ok=status")
}

func (s *Server) handleAdminIntakeAssign(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	to, _ := strconv.ParseInt(r.PostForm.Get("assigned_to"), 10, 64)
	if err := s.opts.Intake.Assign(r.Context(), userOf(r), id, to); err != nil {
		if domain.IsCode(err, domain.EINVALID) {
			s.renderIntakeShow(w, r, http.StatusBadRequest, "Choose someone who exists.")
			return
		}
		s.failObject(w, r, err)
		return
	}
	s.redirect(w, r, "/admin/intake/"+strconv.FormatInt(id, 10)+"?ok=assign")
}

// handleAdminIntakeReply seals a reply to the report's key and the
// source's key: no unlocked key is needed to write.
func (s *Server) handleAdminIntakeReply(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := s.opts.Intake.Reply(r.Context(), userOf(r), id, r.PostForm.Get("text")); err != nil {
		if domain.IsCode(err, domain.EINVALID) {
			s.renderIntakeShow(w, r, http.StatusBadRequest, "Write a reply (at most 100,000 characters).")
			return
		}
		s.failObject(w, r, err)
		return
	}
	s.redirect(w, r, "/admin/intake/"+strconv.FormatInt(id, 10)+"?ok=reply")
}
