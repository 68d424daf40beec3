package web

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/stories"
)

// AdminSafeboxView is /admin/safebox: every deposit's existence and
// check-in state, and the open alerts. Never content.
type AdminSafeboxView struct {
	Page
	Deposits []*stories.DepositStatus
	Alerts   []*domain.DepositAlert
}

func (s *Server) handleAdminSafebox(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	list, err := s.opts.Stories.ListDepositStatus(ctx, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	alerts, err := s.opts.Stories.Alerts(ctx, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_safebox", &AdminSafeboxView{Page: s.page(r, "Safe box"), Deposits: list, Alerts: alerts})
}

// AdminDepositView is one deposit's page: its state, the read form for a
// named reader, the release vote for a named release editor, and — after a
// read with the right password — the content.
type AdminDepositView struct {
	Page
	Status  *stories.DepositStatus
	Bundle  *stories.Bundle
	Body    template.HTML
	Problem string
}

func (s *Server) deposit(w http.ResponseWriter, r *http.Request) (*AdminDepositView, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	st, err := s.opts.Stories.DepositStatusOf(r.Context(), userOf(r), id)
	if err != nil {
		s.failObject(w, r, err)
		return nil, false
	}
	v := &AdminDepositView{Page: s.page(r, "Deposit "+st.Deposit.Ref), Status: st}
	if ok := r.URL.Query().Get("ok"); ok != "" && len(ok) < 20 {
		v.Notice = "Done: " + ok + "."
	}
	return v, true
}

func (s *Server) handleAdminDeposit(w http.ResponseWriter, r *http.Request) {
	if v, ok := s.deposit(w, r); ok {
		s.render(w, r, http.StatusOK, "admin_deposit", v)
	}
}

// handleAdminDepositRead opens the deposit for a named reader, with their
// password (to unlock their key for this one request). The page is the
// answer; nothing is stored.
func (s *Server) handleAdminDepositRead(w http.ResponseWriter, r *http.Request) {
	v, ok := s.deposit(w, r)
	if !ok {
		return
	}
	b, err := s.opts.Stories.Read(r.Context(), userOf(r), v.Status.Deposit.ID, r.PostForm.Get("password"))
	switch {
	case domain.IsCode(err, domain.EUNAUTHORIZED):
		v.Problem = "Wrong password."
		s.render(w, r, http.StatusUnprocessableEntity, "admin_deposit", v)
		return
	case err != nil:
		s.failObject(w, r, err)
		return
	}
	v.Bundle, v.Body = b, s.markdown(b.Text)
	s.render(w, r, http.StatusOK, "admin_deposit", v)
}

// handleAdminDepositRelease records a release vote; the second vote of
// another named editor publishes the deposit as a story.
func (s *Server) handleAdminDepositRelease(w http.ResponseWriter, r *http.Request) {
	v, ok := s.deposit(w, r)
	if !ok {
		return
	}
	id := v.Status.Deposit.ID
	pub, err := s.opts.Stories.Release(r.Context(), userOf(r), id, r.PostForm.Get("password"))
	switch {
	case domain.IsCode(err, domain.EUNAUTHORIZED):
		v.Problem = "Wrong password."
		s.render(w, r, http.StatusUnprocessableEntity, "admin_deposit", v)
		return
	case err != nil:
		s.failObject(w, r, err)
		return
	}
	if pub != nil {
		s.redirect(w, r, "/stories/"+pub.Slug)
		return
	}
	s.redirect(w, r, fmt.Sprintf("/admin/safebox/%d?ok=voted", id))
}
