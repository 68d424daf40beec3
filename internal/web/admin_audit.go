package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// AuditView is a page of the audit log.
type AuditView struct {
	Page
	Entries []*domain.AuditEntry
	Total   int
	Object  string
	Action  string
	Pager   Pager
}

func (s *Server) handleAdminAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := domain.AuditFilter{Object: strings.TrimSpace(q.Get("object")), Action: strings.TrimSpace(q.Get("action")), Page: 1, PerPage: 100}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 && n <= 100000 {
		f.Page = n
	}
	if n, err := strconv.ParseInt(q.Get("user"), 10, 64); err == nil && n > 0 {
		f.UserID = n
	}
	entries, total, err := s.opts.Service.Audit(r.Context(), userOf(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := AuditView{Page: s.page(r, "Audit log"), Entries: entries, Total: total, Object: f.Object, Action: f.Action}
	vals := url.Values{}
	for _, k := range []string{"object", "action", "user"} {
		if x := q.Get(k); x != "" {
			vals.Set(k, x)
		}
	}
	v.Pager = pager(s.cat.localizer("en"), "/admin/audit", vals, f.Page, (total+f.PerPage-1)/f.PerPage)
	s.render(w, r, http.StatusOK, "admin_audit", &v)
}
