package web

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/presswatch/presswatch/internal/charts"
	"github.com/presswatch/presswatch/internal/domain"
)

// StatsView is /stats: the filter's totals and one section per chart.
type StatsView struct {
	Page
	Problems map[string]string
	Total    int
	Persons  int
	NoMonth  int
	Query    template.URL
	Chips    []Chip
	Charts   []StatsChart
}

// StatsChart is one chart with its numbers as a table and a CSV link.
type StatsChart struct {
	ID    string
	Title string
	Note  string
	SVG   template.HTML
	Table template.HTML
	CSV   string
	Empty bool
}

// statsChart is a chart before rendering: its table in the page language,
// and the stable column keys for CSV.
type statsChart struct {
	id, title, note string
	svg             template.HTML
	table           charts.Table
	keys            []string // CSV header: stable codes
}

// statsCharts are the charts of /stats, in order; /stats/{id}.csv serves
// each one's numbers.
var statsChartIDs = []string{"monthly", "families", "actors", "targets", "outlets", "countries"}

func (s *Server) statsStore() domain.StatsStore {
	if s.opts.Stats != nil {
		return s.opts.Stats
	}
	if st, ok := s.opts.Public.(domain.StatsStore); ok {
		return st
	}
	return nil
}

// statsQuery is what /stats and /map share: the page language, labels, the
// filter of the one filter layer and its statistics.
type statsQuery struct {
	l        *Localizer
	lb       labeler
	f        domain.IncidentFilter
	st       *domain.Stats
	problems map[string]string // the filter's problems; st is nil then
}

// statsQuery reads the request's filter and computes its statistics. When it
// returns false it has answered the request itself (no statistics store, a
// failure).
func (s *Server) statsQuery(w http.ResponseWriter, r *http.Request) (*statsQuery, bool) {
	ctx := r.Context()
	store := s.statsStore()
	if store == nil {
		s.notFound(w, r)
		return nil, false
	}
	vocab, _, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	q := &statsQuery{l: s.cat.localizer(localeOf(r))}
	q.lb = s.labeler(q.l, vocab)
	if q.f, err = domain.ParseIncidentFilter(r.URL.Query()); err != nil {
		if !domain.IsCode(err, domain.EINVALID) {
			s.fail(w, r, err)
			return nil, false
		}
		q.problems = domain.ErrorFields(err)
		return q, true
	}
	if q.st, err = store.Stats(ctx, q.f); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return q, true
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	q, ok := s.statsQuery(w, r)
	if !ok {
		return
	}
	l, lb, f, st := q.l, q.lb, q.f, q.st
	v := StatsView{Page: s.page(r, l.T("stats.title"))}
	if q.problems != nil {
		v.Problems = q.problems
		s.render(w, r, http.StatusBadRequest, "stats", &v)
		return
	}
	vals := f.Values()
	v.Total, v.Persons, v.NoMonth, v.Query = st.Incidents, st.Persons, st.NoMonth, template.URL(vals.Encode())
	v.Chips = chipsFor(lb, vals, l, "/stats")
	for _, c := range s.buildCharts(lb, vals, st) {
		sc := StatsChart{ID: c.id, Title: c.title, Note: c.note, SVG: c.svg, Empty: len(c.table.Rows) == 0,
			Table: c.table.HTML(l.Num), CSV: "/stats/" + c.id + ".csv"}
		if v.Query != "" {
			sc.CSV += "?" + string(v.Query)
		}
		v.Charts = append(v.Charts, sc)
	}
	s.render(w, r, http.StatusOK, "stats", &v)
}

// handleStatsCSV serves one chart's numbers: stable codes in the first
// column and the header, raw integers.
func (s *Server) handleStatsCSV(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("chart")
	id := ""
	for _, c := range statsChartIDs {
		if c+".csv" == name {
			id = c
		}
	}
	if id == "" {
		s.notFound(w, r)
		return
	}
	q, ok := s.statsQuery(w, r)
	if !ok {
		return
	}
	if q.problems != nil {
		s.fail(w, r, domain.InvalidFields(q.problems))
		return
	}
	lb, f, st := q.lb, q.f, q.st
	for _, c := range s.buildCharts(lb, f.Values(), st) {
		if c.id != id {
			continue
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+id+`.csv"`)
		w.Header().Set("X-Snapshot-Time", s.now().UTC().Format(time.RFC3339))
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		_ = cw.Write(c.keys)
		for _, row := range c.table.Rows {
			rec := []string{row.Key}
			for _, n := range row.Values {
				rec = append(rec, strconv.Itoa(n))
			}
			_ = cw.Write(rec)
		}
		cw.Flush()
		return
	}
	s.notFound(w, r)
}

// buildCharts turns statistics into the charts of /stats, labelled in the
// page language, bars and legends linking to the same page with one more
// filter.
func (s *Server) buildCharts(lb labeler, vals url.Values, st *domain.Stats) []statsChart {
	l := lb.l
	opts := func(id, title, desc string) charts.Options {
		return charts.Options{ID: "chart-" + id, Title: title, Desc: desc, Direction: l.Dir(), Lang: l.Locale,
			FormatNumber: l.Num, Class: "pw-chart"}
	}
	link := func(field, value string) string {
		return l.Path("/stats") + withParam(vals, field, value, false)
	}
	unknown := func(field, code string) string {
		if code == "" {
			return l.T("stats.unknown")
		}
		return lb.Of(field, code)
	}
	var out []statsChart

	// Incidents per month, stacked by family.
	{
		months := monthRange(st.Monthly)
		idx := map[string]int{}
		var periods []charts.Period
		for i, m := range months {
			idx[m] = i
			t, _ := time.Parse("2006-01", m)
			p := charts.Period{Key: m, Label: l.T("date.month", l.Month(int(t.Month())), strconv.Itoa(t.Year()))}
			if t.Month() == time.January || i == 0 {
				p.Tick = strconv.Itoa(t.Year())
			}
			periods = append(periods, p)
		}
		var series []charts.Series
		keys := []string{"month"}
		for _, fam := range domain.CategoryFamilies {
			vals := make([]int, len(months))
			any := false
			for _, c := range st.Monthly {
				if c.Family == fam {
					vals[idx[c.Month]] += c.Count
					any = true
				}
			}
			if any {
				series = append(series, charts.Series{Key: fam, Label: lb.Of("family", fam), Href: link("family", fam), Values: vals})
				keys = append(keys, fam)
			}
		}
		title, desc := l.T("stats.monthly.title"), l.T("stats.monthly.desc")
		c := statsChart{id: "monthly", title: title, keys: append(keys, "total"),
			table: charts.StackedColumnsTable(title, l.T("stats.col.month"), l.T("stats.col.total"), periods, series)}
		if st.NoMonth > 0 {
			c.note = l.T("stats.nomonth", st.NoMonth)
		}
		if len(periods) > 0 {
			c.svg = charts.StackedColumns(periods, series, opts("monthly", title, desc))
		}
		out = append(out, c)
	}
	bars := func(id, field string, counts []domain.FacetCount, header string, linked bool) statsChart {
		var bs []charts.Bar
		for _, c := range counts {
			b := charts.Bar{Key: c.Value, Label: unknown(field, c.Value), Value: c.Count}
			if linked {
				b.Href = link(field, c.Value)
			}
			bs = append(bs, b)
		}
		title := l.T("stats." + id + ".title")
		c := statsChart{id: id, title: title, keys: []string{field, "incidents"},
			table: charts.BarsTable(title, header, l.T("stats.col.incidents"), bs)}
		if len(bs) > 0 {
			// The bars are not links (their accessible name "Label: N"
			// would not match the visible text); the table's rows are.
			plain := make([]charts.Bar, len(bs))
			for i, b := range bs {
				b.Href = ""
				plain[i] = b
			}
			c.svg = charts.HorizontalBars(plain, opts(id, title, l.T("stats."+id+".desc")))
		}
		return c
	}
	out = append(out, bars("families", "family", st.Families, l.T("facet.family"), true))
	out = append(out, bars("actors", "actor_type", st.ActorTypes, l.T("facet.actor_type"), true))

	// Targeted persons by role and gender.
	{
		roleTotals := map[string]int{}
		genders := map[string]bool{}
		for _, c := range st.Targets {
			roleTotals[c.Role] += c.Count
			genders[c.Gender] = true
		}
		roles := make([]string, 0, len(roleTotals))
		for r := range roleTotals {
			roles = append(roles, r)
		}
		sort.Slice(roles, func(i, j int) bool {
			a, b := roles[i], roles[j]
			return roleTotals[a] > roleTotals[b] || roleTotals[a] == roleTotals[b] && a < b
		})
		gs := make([]string, 0, len(genders))
		for g := range genders {
			gs = append(gs, g)
		}
		sort.Strings(gs)
		ri := map[string]int{}
		var cats []charts.Category
		for i, r := range roles {
			ri[r] = i
			cat := charts.Category{Key: r, Label: unknown("target_role", r)}
			if r != "" {
				cat.Href = link("target_role", r)
			}
			cats = append(cats, cat)
		}
		var series []charts.Series
		keys := []string{"target_role"}
		for _, g := range gs {
			vals := make([]int, len(roles))
			for _, c := range st.Targets {
				if c.Gender == g {
					vals[ri[c.Role]] += c.Count
				}
			}
			sr := charts.Series{Key: g, Label: unknown("gender", g), Values: vals}
			if g != "" {
				sr.Href = link("gender", g)
			}
			series = append(series, sr)
			if g == "" {
				g = "unknown_gender"
			}
			keys = append(keys, g)
		}
		title := l.T("stats.targets.title")
		c := statsChart{id: "targets", title: title, keys: append(keys, "total"),
			table: charts.StackedBarsTable(title, l.T("facet.target_role"), l.T("stats.col.total"), cats, series)}
		if len(cats) > 0 {
			plain := make([]charts.Category, len(cats))
			for i, k := range cats {
				k.Href = "" // links are in the table (see bars above)
				plain[i] = k
			}
			c.svg = charts.StackedBars(plain, series, opts("targets", title, l.T("stats.targets.desc")))
		}
		out = append(out, c)
	}
	outlets := bars("outlets", "outlet", st.Outlets, l.T("stats.col.outlet"), false)
	for i := range outlets.table.Rows {
		outlets.table.Rows[i].Label = outlets.table.Rows[i].Key
	}
	out = append(out, outlets)
	out = append(out, bars("countries", "country", st.Countries, l.T("facet.country"), true))
	return out
}

// monthRange lists every month from the first to the last of counts.
func monthRange(counts []domain.MonthFamilyCount) []string {
	if len(counts) == 0 {
		return nil
	}
	first, last := counts[0].Month, counts[0].Month
	for _, c := range counts {
		first, last = min(first, c.Month), max(last, c.Month)
	}
	t, err := time.Parse("2006-01", first)
	end, err2 := time.Parse("2006-01", last)
	if err != nil || err2 != nil {
		return nil
	}
	var out []string
	for ; !t.After(end) && len(out) < 1200; t = t.AddDate(0, 1, 0) {
		out = append(out, fmt.Sprintf("%04d-%02d", t.Year(), int(t.Month())))
	}
	return out
}
