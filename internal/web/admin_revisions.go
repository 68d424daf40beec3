package web

import (
	"net/http"
	"strconv"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
)

// RevisionsView lists an incident's revisions and, when two are chosen,
// the difference between them.
type RevisionsView struct {
	Page
	Inc       *domain.Incident
	Revisions []*domain.Revision
	A, B      int
	Diff      []editorial.DiffLine
	Compared  bool
	Problem   string
}

func (s *Server) handleAdminRevisions(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	ctx := r.Context()
	u := userOf(r)
	rs, err := s.opts.Service.Review(ctx, u, id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	v := RevisionsView{Page: s.page(r, "Revisions of "+rs.Incident.Ref), Inc: rs.Incident, Revisions: rs.Revisions}
	n := len(rs.Revisions)
	v.B = rs.Incident.Version
	v.A = v.B - 1
	q := r.URL.Query()
	if q.Get("a") != "" || q.Get("b") != "" {
		a, errA := strconv.Atoi(q.Get("a"))
		b, errB := strconv.Atoi(q.Get("b"))
		if errA != nil || errB != nil || a < 1 || b < 1 || a > v.B || b > v.B {
			v.Problem = "Choose two revisions from the list."
			s.render(w, r, http.StatusBadRequest, "admin_revisions", &v)
			return
		}
		v.A, v.B = a, b
		v.Diff, err = s.opts.Service.Diff(ctx, u, id, a, b)
		if err != nil {
			s.failObject(w, r, err)
			return
		}
		v.Compared = true
	} else if n < 2 {
		v.A = v.B
	}
	s.render(w, r, http.StatusOK, "admin_revisions", &v)
}
