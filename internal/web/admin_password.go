package web

import (
	"net/http"
	"unicode/utf8"

	"github.com/presswatch/presswatch/internal/domain"
)

// PasswordView is the change-password form.
type PasswordView struct {
	Page
	Problems map[string]string
	Forced   bool
}

func (s *Server) handlePasswordForm(w http.ResponseWriter, r *http.Request) {
	s.renderPassword(w, r, http.StatusOK, nil)
}

func (s *Server) renderPassword(w http.ResponseWriter, r *http.Request, status int, problems map[string]string) {
	u := userOf(r)
	v := PasswordView{Page: s.page(r, "Change password"), Problems: problems, Forced: u.MustChangePW}
	s.render(w, r, status, "admin_password", &v)
}

// passwordForm is the posted change-password form.
type passwordForm struct {
	Old, New, Confirm string
}

// Validate reports problems with the form's fields.
func (f passwordForm) Validate() map[string]string {
	p := map[string]string{}
	if f.Old == "" {
		p["old"] = "Give your current password."
	}
	if n := utf8.RuneCountInString(f.New); n < 12 {
		p["new"] = "Use at least 12 characters."
	} else if n > 1024 {
		p["new"] = "Use at most 1,024 characters."
	}
	if f.New != f.Confirm {
		p["confirm"] = "The two new passwords differ."
	}
	if f.New != "" && f.New == f.Old {
		p["new"] = "Choose a password different from the current one."
	}
	return p
}

// handlePassword changes the password; the service ends every session of
// the user, so a new one starts here for this browser.
func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	f := passwordForm{Old: r.PostForm.Get("old"), New: r.PostForm.Get("new"), Confirm: r.PostForm.Get("confirm")}
	if p := f.Validate(); len(p) > 0 {
		s.renderPassword(w, r, http.StatusBadRequest, p)
		return
	}
	if err := s.opts.Service.ChangePassword(r.Context(), u, u.ID, f.Old, f.New); err != nil {
		switch domain.ErrorCode(err) {
		case domain.EUNAUTHORIZED:
			s.renderPassword(w, r, http.StatusBadRequest, map[string]string{"old": "This is not your current password."})
		case domain.EINVALID:
			p := map[string]string{}
			for k, msg := range domain.ErrorFields(err) {
				switch k {
				case "old_password":
					p["old"] = msg
				default:
					p["new"] = msg
				}
			}
			if len(p) == 0 {
				p = map[string]string{"new": domain.ErrorMessage(err)}
			}
			s.renderPassword(w, r, http.StatusBadRequest, p)
		default:
			s.fail(w, r, err)
		}
		return
	}
	if s.opts.Intake != nil {
		// Intake key: created at the first password of an editor or admin,
		// re-wrapped under the new password afterwards.
		if err := s.opts.Intake.EnsureEditorKey(r.Context(), u, f.Old, f.New); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	fresh, err := s.opts.Service.FindUser(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.startSession(w, r, fresh, true); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/admin/incidents?ok=password")
}
