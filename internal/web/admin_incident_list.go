package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// AdminListView is the back-office incident list (and the review queue).
type AdminListView struct {
	Page
	Heading      string
	Queue        bool
	Rows         []AdminRow
	Total        int
	Q            string
	Country      string
	Publications []Option
	Categories   []OptGroup
	Pager        Pager
}

// AdminRow is one incident in the back-office list.
type AdminRow struct {
	ID          int64
	Ref         string
	Title       string
	State       string
	Country     string
	Date        string
	Version     int
	Published   int
	UpdatedAt   string
	Categories  string
	Sensitivity string
}

func (s *Server) handleAdminIncidentList(w http.ResponseWriter, r *http.Request) {
	s.adminList(w, r, false)
}

func (s *Server) handleReviewQueue(w http.ResponseWriter, r *http.Request) {
	s.adminList(w, r, true)
}

func (s *Server) adminList(w http.ResponseWriter, r *http.Request, queue bool) {
	ctx := r.Context()
	q := r.URL.Query()
	f := domain.StaffFilter{
		Q: strings.TrimSpace(q.Get("q")), Country: strings.ToUpper(strings.TrimSpace(q.Get("country"))),
		Category: q.Get("category"), PerPage: 50, Page: 1,
	}
	if len(f.Q) > 200 {
		f.Q = f.Q[:200]
	}
	for _, p := range q["publication"] {
		if domain.OneOf(p, domain.Publications) {
			f.Publication = append(f.Publication, p)
		}
	}
	if queue {
		f.Publication = []string{domain.PublicationInReview}
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 && n <= 100000 {
		f.Page = n
	}
	items, total, err := s.opts.Service.ListIncidents(ctx, userOf(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vocab, terms, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.cat.localizer(localeOf(r))
	lb := s.labeler(l, vocab)
	heading := "Incidents"
	if queue {
		heading = "Review queue"
	}
	v := AdminListView{Page: s.page(r, heading), Heading: heading, Queue: queue, Total: total, Q: f.Q, Country: f.Country,
		Publications: options(domain.Publications, f.Publication, func(c string) string { return strings.ReplaceAll(c, "_", " ") }),
		Categories:   categoryGroups(lb, terms, []string{f.Category})}
	v.Notice = notice(r)
	for _, inc := range items {
		var cats []string
		for _, vi := range inc.Violations {
			cats = append(cats, lb.Of("category", vi.Category))
		}
		v.Rows = append(v.Rows, AdminRow{ID: inc.ID, Ref: inc.Ref, Title: inc.Title, State: inc.Publication,
			Country: inc.Country, Date: inc.DateStart, Version: inc.Version, Published: inc.PublishedVersion,
			UpdatedAt: inc.UpdatedAt.UTC().Format("2006-01-02 15:04"), Categories: strings.Join(cats, ", "),
			Sensitivity: inc.Sensitivity})
	}
	vals := url.Values{}
	for _, k := range []string{"q", "country", "category"} {
		if x := q.Get(k); x != "" {
			vals.Set(k, x)
		}
	}
	for _, p := range f.Publication {
		if !queue {
			vals.Add("publication", p)
		}
	}
	path := "/admin/incidents"
	if queue {
		path = "/admin/review"
	}
	v.Pager = pager(s.cat.localizer("en"), path, vals, f.Page, (total+f.PerPage-1)/f.PerPage)
	s.render(w, r, http.StatusOK, "admin_incidents", &v)
}
