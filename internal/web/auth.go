package web

import (
	"net/http"

	"github.com/presswatch/presswatch/internal/domain"
)

// Actions a back-office route may require (domain.Can).
const (
	actionRead        = domain.ActionRead
	actionComment     = domain.ActionComment
	actionApprove     = domain.ActionApprove
	actionEdit        = domain.ActionEdit
	actionSubmit      = domain.ActionSubmit
	actionPublish     = domain.ActionPublish
	actionWithdraw    = domain.ActionWithdraw
	actionManageUsers = domain.ActionManageUsers
	actionManageVocab = domain.ActionManageVocab
	actionViewAudit   = domain.ActionViewAudit
)

// requireStaff lets through only a fully signed-in user whose role allows
// action. Visitors are sent to the login page; a user half-way through the
// second factor to that step; a user with a one-time password to the
// password page.
func (s *Server) requireStaff(action string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := staffOf(r)
		if st == nil {
			if r.Method == http.MethodGet {
				s.redirect(w, r, "/admin/login")
				return
			}
			s.forbidden(w, r)
			return
		}
		if !st.sess.TOTPPassed {
			if r.Method != http.MethodGet {
				s.forbidden(w, r)
				return
			}
			s.redirect(w, r, s.secondStep(st.user))
			return
		}
		if st.user.MustChangePW && r.URL.Path != "/admin/password" {
			if r.Method != http.MethodGet {
				s.forbidden(w, r)
				return
			}
			s.redirect(w, r, "/admin/password")
			return
		}
		if action != "" && !domain.Can(st.user.Role, action) {
			s.forbidden(w, r)
			return
		}
		next(w, r)
	}
}

// secondStep is where a user who gave the right password goes next.
func (s *Server) secondStep(u *domain.User) string {
	if u.TOTPSecret == "" && u.NeedsTOTP() {
		return "/admin/enrol"
	}
	return "/admin/login/totp"
}
