package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// csvRow is one row of /incidents.csv (shape incidents) without the
// snapshot column; the columns are exportColumns[ShapeIncidents].
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
