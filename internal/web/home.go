package web

import (
	"net/http"

	"github.com/presswatch/presswatch/internal/domain"
)

// HomeView is the front page: headline counts and the latest incidents.
type HomeView struct {
	Page
	Latest    []IncidentCard
	Stories   []StoryCard // latest stories, beside the incidents
	Incidents int
	Persons   int
	Countries int
	ThisYear  int
	Year      string
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := s.cat.localizer(localeOf(r))
	vocab, _, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := domain.IncidentFilter{PerPage: 8}
	f.Defaults()
	latest, err := s.opts.Public.SearchPublic(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	facets, err := s.opts.Public.Facets(ctx, domain.IncidentFilter{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year := s.now().Year()
	fy := domain.IncidentFilter{Year: []int{year}, PerPage: 1}
	fy.Defaults()
	thisYear, err := s.opts.Public.SearchPublic(ctx, fy)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := HomeView{Page: s.page(r, l.T("site.name")), Incidents: latest.Total, Persons: latest.Persons,
		Countries: len(facets.Fields["country"]), ThisYear: thisYear.Total, Year: itoa(year)}
	lb := s.labeler(l, vocab)
	for _, p := range latest.Items {
		v.Latest = append(v.Latest, s.card(lb, p))
	}
	v.Stories = s.latestStories(r, l, 4)
	s.render(w, r, http.StatusOK, "home", &v)
}
