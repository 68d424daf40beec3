package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/stories"
)

// The safe box's public side: one page of plain forms (no JavaScript) to
// deposit, check in, list and cancel, by codename or staff login. Nothing
// about the visitor is logged; a codename is never put back into a page
// except the new one shown once after a first deposit.

// SafeboxView is /safebox and the result of its forms.
type SafeboxView struct {
	Page
	StaffName   string
	Editors     []stories.Editor
	Form        SafeboxForm
	Problems    map[string]string
	NewCodename string
	Deposited   *domain.Deposit
	CheckedIn   bool
	Deposits    []*domain.Deposit
	Cancelled   bool
	MaxMB       int
}

// SafeboxForm is the deposit form as posted.
type SafeboxForm struct {
	Title, Byline, Text string
	Every, Grace        string
	OnSilence           string
	Readers, Release    []int64
}

// Has reports whether id is in list (for checkboxes).
func (SafeboxForm) Has(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

func (s *Server) safeboxView(w http.ResponseWriter, r *http.Request) (*SafeboxView, error) {
	v := &SafeboxView{Page: s.page(r, "Safe box"), MaxMB: stories.MaxDepositBytes >> 20 * 3 / 4, Form: SafeboxForm{Every: "14", Grace: "7", OnSilence: domain.OnSilenceAlert}}
	v.CSRF = s.csrfToken(w, r)
	if u := userOf(r); u != nil {
		v.StaffName = u.Email
	}
	eds, err := s.opts.Stories.Editors(r.Context())
	v.Editors = eds
	return v, err
}

func (s *Server) who(r *http.Request) stories.Depositor {
	if u := userOf(r); u != nil {
		return stories.Depositor{User: u}
	}
	return stories.Depositor{Codename: r.PostForm.Get("codename")}
}

func (s *Server) handleSafebox(w http.ResponseWriter, r *http.Request) {
	v, err := s.safeboxView(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "safebox", v)
}

func ids64(vals []string) []int64 {
	var out []int64
	for _, x := range vals {
		if n, err := strconv.ParseInt(x, 10, 64); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

func (s *Server) handleSafeboxDeposit(w http.ResponseWriter, r *http.Request) {
	v, err := s.safeboxView(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, dw, err := s.readDeposit(w, r)
	if err != nil {
		if err == errDepositCSRF {
			s.forbidden(w, r)
			return
		}
		s.fail(w, r, err)
		return
	}
	r.PostForm = p // the codename, for s.who
	f := SafeboxForm{Title: p.Get("title"), Byline: p.Get("byline"), Text: strings.ReplaceAll(p.Get("text"), "\r\n", "\n"),
		Every: p.Get("every"), Grace: p.Get("grace"), OnSilence: p.Get("on_silence"), Readers: ids64(p["reader"]), Release: ids64(p["release"])}
	v.Form = f
	every, err1 := strconv.Atoi(strings.TrimSpace(f.Every))
	grace, err2 := strconv.Atoi(strings.TrimSpace(f.Grace))
	if err1 != nil || err2 != nil {
		v.Problems = map[string]string{"every": "Give the number of days."}
		s.render(w, r, http.StatusUnprocessableEntity, "safebox", v)
		return
	}
	in := stories.DepositInput{Bundle: stories.Bundle{Title: f.Title, Byline: f.Byline, Text: f.Text}, Readers: f.Readers,
		ReleaseEditors: f.Release, CheckInEvery: time.Duration(every) * 24 * time.Hour, Grace: time.Duration(grace) * 24 * time.Hour,
		OnSilence: f.OnSilence}
	if f.OnSilence != domain.OnSilencePublish {
		in.ReleaseEditors = nil
	}
	if dw == nil {
		if dw, err = stories.NewDepositWriter(f.Title, f.Byline, f.Text); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	nd, err := s.opts.Stories.DepositSealed(r.Context(), s.who(r), in, dw)
	if err != nil {
		if pr := domain.ErrorFields(err); len(pr) > 0 {
			v.Problems = pr
			s.render(w, r, http.StatusUnprocessableEntity, "safebox", v)
			return
		}
		s.fail(w, r, err)
		return
	}
	v.Form = SafeboxForm{Every: "14", Grace: "7", OnSilence: domain.OnSilenceAlert}
	v.NewCodename, v.Deposited = nd.Codename, nd.Deposit
	s.render(w, r, http.StatusOK, "safebox", v)
}

func (s *Server) handleSafeboxCheckIn(w http.ResponseWriter, r *http.Request) {
	v, err := s.safeboxView(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.opts.Stories.CheckIn(r.Context(), s.who(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.CheckedIn, v.Deposits = true, list
	s.render(w, r, http.StatusOK, "safebox", v)
}

func (s *Server) handleSafeboxCancel(w http.ResponseWriter, r *http.Request) {
	v, err := s.safeboxView(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PostForm.Get("deposit"), 10, 64)
	if r.PostForm.Get("confirm") != "destroy" {
		v.Problems = map[string]string{"confirm": "Tick the box to confirm: a cancelled deposit cannot be recovered."}
		s.render(w, r, http.StatusUnprocessableEntity, "safebox", v)
		return
	}
	if err := s.opts.Stories.Cancel(r.Context(), s.who(r), id); err != nil {
		s.fail(w, r, err)
		return
	}
	v.Cancelled = true
	s.render(w, r, http.StatusOK, "safebox", v)
}
