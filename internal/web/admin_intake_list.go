package web

import (
	"net/http"
	"slices"

	"github.com/presswatch/presswatch/internal/domain"
)

// IntakeListView is the intake inbox: metadata only, whatever the lock.
type IntakeListView struct {
	Page
	Reports  []*domain.IntakeReport
	Statuses []string
	Status   string
	Unlocked bool
	HasKey   bool
	Problem  string
	IsAdmin  bool
}

// intakeOnly turns the intake back office off when intake is not wired.
func (s *Server) intakeOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Intake == nil {
			s.notFound(w, r)
			return
		}
		h(w, r)
	}
}

func (s *Server) handleAdminIntakeList(w http.ResponseWriter, r *http.Request) {
	s.renderIntakeList(w, r, http.StatusOK, "")
}

func (s *Server) renderIntakeList(w http.ResponseWriter, r *http.Request, status int, problem string) {
	u, st := userOf(r), staffOf(r)
	f := domain.IntakeFilter{Status: r.URL.Query().Get("status")}
	if !slices.Contains(domain.IntakeStatuses, f.Status) {
		f.Status = ""
	}
	reports, err := s.opts.Intake.Inbox(r.Context(), u, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	has, err := s.opts.Intake.HasKey(r.Context(), u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := IntakeListView{Page: s.page(r, "Anonymous intake"), Reports: reports, Statuses: domain.IntakeStatuses, Status: f.Status,
		Unlocked: s.opts.Intake.Unlocked(st.sess.IDHash, u), HasKey: has, Problem: problem, IsAdmin: u.Role == domain.RoleAdmin}
	switch r.URL.Query().Get("ok") {
	case "unlocked":
		v.Notice = "Your key is unlocked for this session."
	case "locked":
		v.Notice = "Your key is locked."
	case "rewrap":
		v.Notice = "Reports were re-wrapped for the current editors."
	}
	s.render(w, r, status, "admin_intake_list", &v)
}

// handleAdminIntakeUnlock opens the editor's key with their password and
// keeps it in memory for this session only.
func (s *Server) handleAdminIntakeUnlock(w http.ResponseWriter, r *http.Request) {
	u, st := userOf(r), staffOf(r)
	pw := r.PostForm.Get("password")
	if pw == "" || len(pw) > 1024 {
		s.renderIntakeList(w, r, http.StatusBadRequest, "Give your password.")
		return
	}
	if err := s.opts.Intake.Unlock(r.Context(), st.sess.IDHash, u, pw); err != nil {
		switch domain.ErrorCode(err) {
		case domain.EUNAUTHORIZED:
			s.renderIntakeList(w, r, http.StatusUnauthorized, "This password does not open your key.")
		case domain.ENOTFOUND:
			s.renderIntakeList(w, r, http.StatusConflict, domain.ErrorMessage(err))
		default:
			s.fail(w, r, err)
		}
		return
	}
	s.redirect(w, r, "/admin/intake?ok=unlocked")
}

func (s *Server) handleAdminIntakeLock(w http.ResponseWriter, r *http.Request) {
	s.opts.Intake.Lock(staffOf(r).sess.IDHash)
	s.redirect(w, r, "/admin/intake?ok=locked")
}

// handleAdminIntakeRewrap re-seals every report key the admin can open to
// the current editors (admins only).
func (s *Server) handleAdminIntakeRewrap(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.opts.Intake.Rewrap(r.Context(), userOf(r), staffOf(r).sess.IDHash); err != nil {
		if domain.IsCode(err, domain.EFORBIDDEN) {
			s.renderIntakeList(w, r, http.StatusForbidden, domain.ErrorMessage(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/admin/intake?ok=rewrap")
}

// handleAdminIntakeExport downloads every report's sealed data for the
// offline key (admins only); it holds no plaintext.
func (s *Server) handleAdminIntakeExport(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="presswatch-intake-export.tar"`)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	if _, err := s.opts.Intake.Export(r.Context(), userOf(r), w); err != nil {
		s.log.Error("web: intake export", "err", err)
		panic(http.ErrAbortHandler) // the download is cut short, never silently incomplete
	}
}
