package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// actionForm is the small form behind each workflow button.
type actionForm struct {
	ID      int64
	Version int
	Text    string
}

// Validate reports problems with the posted action.
func (f actionForm) Validate(needText bool, what string) map[string]string {
	p := map[string]string{}
	if needText && f.Text == "" {
		p["text"] = "Write the " + what + "."
	}
	if len(f.Text) > 10000 {
		p["text"] = "At most 10,000 characters."
	}
	return p
}

func (s *Server) readAction(w http.ResponseWriter, r *http.Request) (actionForm, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return actionForm{}, false
	}
	f := actionForm{ID: id, Text: strings.TrimSpace(r.PostForm.Get("text"))}
	if v := r.PostForm.Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.fail(w, r, domain.Errorf(domain.EINVALID, "The form is damaged; reload the page."))
			return actionForm{}, false
		}
		f.Version = n
	}
	return f, true
}

// done answers a workflow action: back to the incident with a notice, or
// the error page (an incident the user may not see is "not found").
func (s *Server) done(w http.ResponseWriter, r *http.Request, id int64, err error, ok string) {
	if err != nil {
		if domain.IsCode(err, domain.ENOTFOUND) {
			s.notFound(w, r)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, fmt.Sprintf("/admin/incidents/%d?ok=%s", id, ok))
}

func (s *Server) invalid(w http.ResponseWriter, r *http.Request, p map[string]string) {
	s.fail(w, r, domain.InvalidFields(p))
}

func (s *Server) handleAdminIncidentSubmit(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.readAction(w, r); ok {
		s.done(w, r, f.ID, s.opts.Service.Submit(r.Context(), userOf(r), f.ID, f.Version, f.Text), "submitted")
	}
}

func (s *Server) handleAdminIncidentReturn(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.readAction(w, r); ok {
		s.done(w, r, f.ID, s.opts.Service.ReturnToDraft(r.Context(), userOf(r), f.ID, f.Version, f.Text), "returned")
	}
}

func (s *Server) handleAdminIncidentApprove(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.readAction(w, r); ok {
		s.done(w, r, f.ID, s.opts.Service.Approve(r.Context(), userOf(r), f.ID, f.Version, f.Text), "approved")
	}
}

func (s *Server) handleAdminIncidentPublish(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.readAction(w, r); ok {
		_, err := s.opts.Service.Publish(r.Context(), userOf(r), f.ID, f.Version)
		s.done(w, r, f.ID, err, "published")
	}
}

func (s *Server) handleAdminIncidentWithdraw(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readAction(w, r)
	if !ok {
		return
	}
	if p := f.Validate(true, "reason readers will see"); len(p) > 0 {
		s.invalid(w, r, p)
		return
	}
	_, err := s.opts.Service.Withdraw(r.Context(), userOf(r), f.ID, f.Text)
	s.done(w, r, f.ID, err, "withdrawn")
}

func (s *Server) handleAdminIncidentComment(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readAction(w, r)
	if !ok {
		return
	}
	if p := f.Validate(true, "comment"); len(p) > 0 {
		s.invalid(w, r, p)
		return
	}
	s.done(w, r, f.ID, s.opts.Service.Comment(r.Context(), userOf(r), f.ID, f.Text), "commented")
}
