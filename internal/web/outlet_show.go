package web

import (
	"net/http"
	"sort"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// OutletsView is the public /outlets: every monitored outlet with its
// counts.
type OutletsView struct {
	Page
	Outlets []OutletCard
}

// OutletCard is one outlet in the public list.
type OutletCard struct {
	Slug, Name, Country, Homepage string
	Articles, Removals, Edits     int
	IgnoreRobots                  bool
}

// OutletView is the public /outlets/{slug}: counts, confirmed removals and
// edits by month and one by one, the robots notice and the newest
// monitored articles.
type OutletView struct {
	Page
	Outlet   OutletCard
	Language string
	Months   []OutletMonth
	Findings []Finding
	Recent   []RecentArticle
	FeedHref string
}

// OutletMonth counts confirmed findings of one month.
type OutletMonth struct {
	Label               string
	Removals, Edits     int
	RemovalBar, EditBar int // percent of the busiest month
}

// Finding is one confirmed removal or edit on the public page.
type Finding struct {
	ID          int64
	Date        string
	Kind        string // "deleted" or "edited"
	KindLabel   string
	Headline    string
	URL         string
	Reason      string
	Changed     string
	IncidentRef string
}

// RecentArticle is one monitored article on the public page.
type RecentArticle struct {
	URL, Title, FirstSeen string
}

// publicFindings are the confirmed deletions and edits of an outlet,
// newest first: only what an editor confirmed is public.
func (s *Server) publicFindings(r *http.Request, slug string) ([]*DetectionInfo, error) {
	all, err := s.opts.Monitor.Detections(r.Context(), DetectionFilter{Outlet: slug, Review: DetectionConfirmed, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []*DetectionInfo
	for _, d := range all {
		if d.Review == DetectionConfirmed && (d.Kind == "deleted" || d.Kind == "edited") {
			out = append(out, d)
		}
	}
	return out, nil
}

func (s *Server) outletCard(lb labeler, o *OutletInfo) OutletCard {
	c := OutletCard{Slug: o.Slug, Name: o.Name, Homepage: o.Homepage, Articles: o.Articles, Removals: o.Removals,
		Edits: o.Edits, IgnoreRobots: o.IgnoreRobots}
	if o.Country != "" {
		c.Country = lb.Country(o.Country)
	}
	return c
}

func (s *Server) handleOutlets(w http.ResponseWriter, r *http.Request) {
	list, err := s.opts.Monitor.Outlets(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.cat.localizer(localeOf(r))
	lb := s.labeler(l, domain.VocabSet{})
	v := OutletsView{Page: s.page(r, l.T("outlets.title"))}
	for _, o := range list {
		v.Outlets = append(v.Outlets, s.outletCard(lb, o))
	}
	s.render(w, r, http.StatusOK, "outlet_list", &v)
}

func (s *Server) handleOutletShow(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	if feed, ok := strings.CutSuffix(slug, ".atom"); ok {
		s.handleOutletAtom(w, r, feed)
		return
	}
	if len(slug) > 100 {
		s.notFound(w, r)
		return
	}
	o, err := s.opts.Monitor.Outlet(r.Context(), slug)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	found, err := s.publicFindings(r, slug)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	arts, err := s.opts.Monitor.OutletArticles(r.Context(), slug, 20)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.cat.localizer(localeOf(r))
	lb := s.labeler(l, domain.VocabSet{})
	v := OutletView{Page: s.page(r, o.Name), Outlet: s.outletCard(lb, o), Language: o.Language,
		FeedHref: l.Path("/outlets/" + o.Slug + ".atom")}
	months := map[string]*OutletMonth{}
	var keys []string
	for _, d := range found {
		v.Findings = append(v.Findings, s.finding(lb, d))
		key := d.At.UTC().Format("2006-01")
		m := months[key]
		if m == nil {
			m = &OutletMonth{Label: lb.Date(key, domain.PrecisionMonth)}
			months[key] = m
			keys = append(keys, key)
		}
		if d.Kind == "deleted" {
			m.Removals++
		} else {
			m.Edits++
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(keys)))
	most := 1
	for _, k := range keys {
		most = max(most, months[k].Removals, months[k].Edits)
	}
	for _, k := range keys {
		m := months[k]
		m.RemovalBar, m.EditBar = m.Removals*100/most, m.Edits*100/most
		v.Months = append(v.Months, *m)
	}
	for _, a := range arts {
		v.Recent = append(v.Recent, RecentArticle{URL: a.URL, Title: a.Title, FirstSeen: lb.Time(a.FirstSeen)})
	}
	s.render(w, r, http.StatusOK, "outlet_show", &v)
}

func (s *Server) finding(lb labeler, d *DetectionInfo) Finding {
	f := Finding{ID: d.ID, Date: lb.Time(d.At), Kind: d.Kind, KindLabel: lb.l.T("outlets.kind." + d.Kind),
		Headline: d.Headline, URL: d.URL, Reason: d.Reason, IncidentRef: d.IncidentRef}
	if len(d.Parts) > 0 {
		var parts []string
		for _, p := range d.Parts {
			parts = append(parts, lb.l.T("outlets.part."+p))
		}
		f.Changed = lb.l.T("outlets.changed", strings.Join(parts, ", "))
	}
	if !domain.ValidWebURL(f.URL) {
		f.URL = ""
	}
	return f
}
