package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// csvHeader is the column list of /incidents.csv: stable codes, one row per
// incident, multiple values joined with "|".
var csvHeader = []string{
	"ref", "url", "status", "title", "date_start", "date_end", "date_precision",
	"country", "admin1", "district", "city", "lat", "lon", "location_precision",
	"verification", "work_related", "categories", "families", "actor_types", "attributions",
	"target_kinds", "target_roles", "genders", "persons", "tags", "source_urls",
	"first_published_at", "updated_at", "revision", "demo",
}

func (s *Server) handleIncidentsCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, err := domain.ParseIncidentFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vocab, _, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	base := "http://" + r.Host
	if s.opts.Secure {
		base = "https://" + r.Host
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="incidents.csv"`)
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180
	if err := cw.Write(csvHeader); err != nil {
		return
	}
	err = s.opts.Public.EachPublic(ctx, f, func(p *domain.PublicIncident) error {
		cw.Write(csvRow(p, vocab, base))
		return cw.Error()
	})
	cw.Flush()
	if err != nil {
		// The header is sent; all we can do is stop and log.
		s.log.Error("web: csv export", "err", err)
	}
}

func csvRow(p *domain.PublicIncident, vocab domain.VocabSet, base string) []string {
	var fams, actors, attrs, kinds, roles, genders []string
	uniq := func(list *[]string, v string) {
		if v == "" {
			return
		}
		for _, x := range *list {
			if x == v {
				return
			}
		}
		*list = append(*list, v)
	}
	for _, v := range p.Violations {
		uniq(&fams, vocab.Family(v.Category))
		for _, a := range v.Actors {
			uniq(&actors, a.Type)
			uniq(&attrs, a.Attribution)
		}
		for _, t := range v.Targets {
			uniq(&kinds, t.Kind)
			uniq(&roles, t.Role)
			uniq(&genders, t.Gender)
		}
	}
	var urls []string
	for _, src := range p.Sources {
		uniq(&urls, src.URL)
	}
	coord := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	j := func(v []string) string { return strings.Join(v, "|") }
	return []string{
		p.Ref, base + "/incidents/" + p.Ref, p.Status, csvText(p.Title), p.DateStart, p.DateEnd, p.DatePrecision,
		p.Country, p.Admin1, csvText(p.District), csvText(p.City), coord(p.Lat), coord(p.Lon), p.LocationPrecision,
		p.Verification, p.WorkRelated, j(p.Categories()), j(fams), j(actors), j(attrs),
		j(kinds), j(roles), j(genders), strconv.Itoa(p.Persons()), j(p.Tags), j(urls),
		ts(p.FirstPublishedAt), ts(p.UpdatedAt), strconv.Itoa(p.Revision), strconv.FormatBool(p.Demo),
	}
}

// csvText keeps free text from being read as a formula by spreadsheets: a
// leading =, +, - or @ gets a leading apostrophe.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
