package web

import (
	"net/http"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// TOTPView is the second-factor step of signing in.
type TOTPView struct {
	Page
	Problem string
}

// halfSignedIn returns the user who gave a password but not yet a code.
func halfSignedIn(r *http.Request) *staff {
	if st := staffOf(r); st != nil && !st.sess.TOTPPassed {
		return st
	}
	return nil
}

func (s *Server) handleTOTPForm(w http.ResponseWriter, r *http.Request) {
	st := halfSignedIn(r)
	if st == nil {
		s.redirect(w, r, "/admin/login")
		return
	}
	if st.user.TOTPSecret == "" {
		s.redirect(w, r, "/admin/enrol")
		return
	}
	s.renderTOTP(w, r, http.StatusOK, "")
}

func (s *Server) renderTOTP(w http.ResponseWriter, r *http.Request, status int, problem string) {
	v := TOTPView{Page: s.page(r, "Second factor"), Problem: problem}
	s.render(w, r, status, "admin_totp", &v)
}

func (s *Server) handleTOTP(w http.ResponseWriter, r *http.Request) {
	st := halfSignedIn(r)
	if st == nil || st.user.TOTPSecret == "" {
		s.forbidden(w, r)
		return
	}
	code := strings.ReplaceAll(strings.TrimSpace(r.PostForm.Get("code")), " ", "")
	if err := s.opts.Service.CheckTOTP(r.Context(), st.user, code); err != nil {
		switch domain.ErrorCode(err) {
		case domain.EUNAUTHORIZED, domain.EINVALID:
			s.renderTOTP(w, r, http.StatusUnauthorized, "That code is not right, or was already used. Wait for the next one.")
		case domain.ETOOMANY:
			s.renderTOTP(w, r, http.StatusTooManyRequests, "Too many failed attempts: this account is locked for a while.")
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
