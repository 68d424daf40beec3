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
	var b incidentRow
	return b.build(p, vocab, base)
}

// incidentRow builds rows of the incidents shape, reusing its buffers from
// row to row (a streamed export builds a million of them): the returned
// slice is only valid until the next build.
type incidentRow struct {
	cats, fams, actors, attrs, kinds, roles, genders, urls []string
	rec                                                    []string
}

func (b *incidentRow) build(p *domain.PublicIncident, vocab domain.VocabSet, base string) []string {
	b.cats, b.fams, b.actors, b.attrs = b.cats[:0], b.fams[:0], b.actors[:0], b.attrs[:0]
	b.kinds, b.roles, b.genders, b.urls = b.kinds[:0], b.roles[:0], b.genders[:0], b.urls[:0]
	for _, v := range p.Violations {
		b.cats = uniqAppendAll(b.cats, v.Category)
		b.fams = uniqAppend(b.fams, vocab.Family(v.Category))
		for _, a := range v.Actors {
			b.actors = uniqAppend(b.actors, a.Type)
			b.attrs = uniqAppend(b.attrs, a.Attribution)
		}
		for _, t := range v.Targets {
			b.kinds = uniqAppend(b.kinds, t.Kind)
			b.roles = uniqAppend(b.roles, t.Role)
			b.genders = uniqAppend(b.genders, t.Gender)
		}
	}
	for _, src := range p.Sources {
		b.urls = uniqAppend(b.urls, src.URL)
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
	j := func(v []string) string { return strings.Join(v, MultiValueDelimiter) }
	b.rec = append(b.rec[:0],
		p.Ref, base+"/incidents/"+p.Ref, p.Status, csvText(p.Title), p.DateStart, p.DateEnd, p.DatePrecision,
		p.Country, p.Admin1, csvText(p.District), csvText(p.City), coord(p.Lat), coord(p.Lon), p.LocationPrecision,
		p.Verification, p.WorkRelated, j(b.cats), j(b.fams), j(b.actors), j(b.attrs),
		j(b.kinds), j(b.roles), j(b.genders), strconv.Itoa(p.Persons()), j(p.Tags), j(b.urls),
		ts(p.FirstPublishedAt), ts(p.UpdatedAt), strconv.Itoa(p.Revision), strconv.FormatBool(p.Demo),
	)
	return b.rec
}

// uniqAppendAll is uniqAppend that keeps the empty value too (as
// PublicIncident.Categories does).
func uniqAppendAll(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// csvText keeps free text from being read as a formula by spreadsheets: a
// leading =, +, - or @ gets a leading apostrophe.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
