package web

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/presswatch/presswatch/internal/charts"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/geo"
)

// MapView is /map: the world by country and the provinces or states of the
// countries that have region shapes, each region a link adding its filter.
// Locations are the public ones: the published record holds admin1 only
// where the incident's public precision allows it.
type MapView struct {
	Page
	Problems map[string]string
	Total    int
	Query    template.URL
	Chips    []Chip
	Maps     []MapSection
}

// MapSection is one map with its numbers as a table.
type MapSection struct {
	ID    string
	Title string
	SVG   template.HTML
	Table template.HTML
	Empty bool
}

// mapRegionCountries are the countries with a region map, in order.
var mapRegionCountries = []string{"PK", "IN"}

func (s *Server) handleMap(w http.ResponseWriter, r *http.Request) {
	q, ok := s.statsQuery(w, r)
	if !ok {
		return
	}
	l, lb, f, st := q.l, q.lb, q.f, q.st
	v := MapView{Page: s.page(r, l.T("map.title"))}
	if q.problems != nil {
		v.Problems = q.problems
		s.render(w, r, http.StatusBadRequest, "map", &v)
		return
	}
	vals := f.Values()
	v.Total, v.Query = st.Incidents, template.URL(vals.Encode())
	v.Chips = chipsFor(lb, vals, l, "/map")
	name := func(code string) string {
		if strings.Contains(code, "-") {
			if n := geo.Names(code, l.Locale); n != "" {
				return n
			}
			return code
		}
		return lb.Country(code)
	}
	section := func(id, title, field string, counts map[string]int, order []domain.FacetCount, svg template.HTML) MapSection {
		var bars []charts.Bar
		for _, c := range order {
			if _, ok := counts[c.Value]; ok {
				bars = append(bars, charts.Bar{Key: c.Value, Label: name(c.Value), Value: c.Count,
					Href: l.Path("/incidents") + withParam(vals, field, c.Value, false)})
			}
		}
		t := charts.BarsTable(title, l.T("facet."+field), l.T("stats.col.incidents"), bars)
		return MapSection{ID: id, Title: title, SVG: svg, Table: t.HTML(l.Num), Empty: len(bars) == 0}
	}
	opts := func(id, title string, field string) geo.MapOptions {
		return geo.MapOptions{ID: id, Title: title, Desc: l.T("map.desc"), Lang: l.Locale, Direction: l.Dir(),
			FormatNumber: l.Num, NoData: l.T("map.nodata"), Name: name,
			Href: func(code string) string { return l.Path("/incidents") + withParam(vals, field, code, false) }}
	}
	countries := map[string]int{}
	for _, c := range st.Countries {
		countries[c.Value] = c.Count
	}
	title := l.T("map.world")
	v.Maps = append(v.Maps, section("map-world", title, "country", countries, st.Countries,
		geo.CountryMap(countries, opts("map-world", title, "country"))))
	for _, cc := range mapRegionCountries {
		if !geo.HasRegions(cc) {
			continue
		}
		regions := map[string]int{}
		for _, c := range st.Admin1 {
			if strings.HasPrefix(c.Value, cc+"-") {
				regions[c.Value] = c.Count
			}
		}
		id := "map-" + strings.ToLower(cc)
		title := l.T("map.regions", lb.Country(cc))
		svg, err := geo.RegionMap(cc, regions, opts(id, title, "admin1"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Maps = append(v.Maps, section(id, title, "admin1", regions, st.Admin1, svg))
	}
	s.render(w, r, http.StatusOK, "map", &v)
}
