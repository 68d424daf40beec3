package web

import (
	"net/http"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// LoginView is the staff sign-in page (password step).
type LoginView struct {
	Page
	Email   string
	Problem string
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if userOf(r) != nil {
		s.redirect(w, r, "/admin")
		return
	}
	s.renderLogin(w, r, http.StatusOK, "", "")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, email, problem string) {
	v := LoginView{Page: s.page(r, "Sign in"), Email: email, Problem: problem}
	v.Admin = true
	v.CSRF = s.csrfToken(w, r)
	s.render(w, r, status, "admin_login", &v)
}

// handleLogin checks the password. The service throttles failures and
// answers the same for an unknown e-mail and a wrong password. A new
// session (new token) starts at every login; it is fully signed in only
// after the second factor where one is needed.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	if email == "" || password == "" || len(email) > 320 || len(password) > 1024 {
		s.renderLogin(w, r, http.StatusBadRequest, email, "Give your e-mail address and password.")
		return
	}
	u, err := s.opts.Service.Login(r.Context(), email, password)
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.EUNAUTHORIZED:
			s.renderLogin(w, r, http.StatusUnauthorized, email, "Wrong e-mail address or password.")
		case domain.ETOOMANY:
			s.renderLogin(w, r, http.StatusTooManyRequests, email, "Too many failed attempts: this account is locked for a while.")
		default:
			s.fail(w, r, err)
		}
		return
	}
	passed := u.TOTPSecret == "" && !u.NeedsTOTP()
	if _, err := s.startSession(w, r, u, passed); err != nil {
		s.fail(w, r, err)
		return
	}
	if passed {
		s.redirect(w, r, "/admin")
		return
	}
	s.redirect(w, r, s.secondStep(u))
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if st := staffOf(r); st != nil {
		if s.opts.Intake != nil {
			s.opts.Intake.Lock(st.sess.IDHash) // the unlocked intake key goes with the session
		}
		s.dropSession(r.Context(), w, st.sess.IDHash)
	}
	s.redirect(w, r, "/admin/login")
}

func (s *Server) handleAdminHome(w http.ResponseWriter, r *http.Request) {
	s.redirect(w, r, "/admin/incidents")
}
