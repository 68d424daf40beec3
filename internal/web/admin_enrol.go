package web

import (
	"net/http"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// EnrolView shows a new TOTP secret to an editor or admin who has none.
type EnrolView struct {
	Page
	Secret  string
	URL     string
	Problem string
}

func (s *Server) handleEnrolForm(w http.ResponseWriter, r *http.Request) {
	st := halfSignedIn(r)
	if st == nil {
		s.redirect(w, r, "/admin/login")
		return
	}
	if st.user.TOTPSecret != "" {
		s.redirect(w, r, "/admin/login/totp")
		return
	}
	secret, url, err := s.opts.Service.NewTOTPSecret(st.user)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderEnrol(w, r, http.StatusOK, secret, url, "")
}

func (s *Server) renderEnrol(w http.ResponseWriter, r *http.Request, status int, secret, url, problem string) {
	v := EnrolView{Page: s.page(r, "Set up your second factor"), Secret: secret, URL: url, Problem: problem}
	s.render(w, r, status, "admin_enrol", &v)
}

// handleEnrol stores the secret once the user proves their app has it. The
// secret travels in the form: it is shown on the page anyway, and only
// this half-signed-in session can post it.
func (s *Server) handleEnrol(w http.ResponseWriter, r *http.Request) {
	st := halfSignedIn(r)
	if st == nil || st.user.TOTPSecret != "" {
		s.forbidden(w, r)
		return
	}
	secret := strings.TrimSpace(r.PostForm.Get("secret"))
	code := strings.ReplaceAll(strings.TrimSpace(r.PostForm.Get("code")), " ", "")
	if secret == "" || len(secret) > 128 {
		s.fail(w, r, domain.Errorf(domain.EINVALID, "The form is damaged; start again."))
		return
	}
	if err := s.opts.Service.EnrolTOTP(r.Context(), st.user, secret, code); err != nil {
		switch domain.ErrorCode(err) {
		case domain.EUNAUTHORIZED, domain.EINVALID:
			url := r.PostForm.Get("url")
			s.renderEnrol(w, r, http.StatusBadRequest, secret, url, "That code does not match. Check the time on your phone and try the next code.")
		default:
			s.fail(w, r, err)
		}
		return
	}
	if _, err := s.startSession(w, r, st.user, true); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/admin")
}
