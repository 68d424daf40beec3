package web

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// IncidentCard is an incident as one entry of a list.
type IncidentCard struct {
	Ref        string
	Href       string
	Title      string
	Summary    string
	Date       string
	Place      string
	Categories []string
	Verify     string
	Withdrawn  bool
	Demo       bool
	Snippet    template.HTML
	// Untranslated says "not yet translated" in the page language when the
	// title is shown in English on a page in another language.
	Untranslated string
	// TitleLang and SummaryLang are "en" when that text is the English
	// original shown on an Urdu or Hindi page: the template marks it
	// lang="en" dir="ltr" so that its punctuation is not mirrored.
	TitleLang, SummaryLang string
}

// fallbackLang returns "en" when the text of an incident a page in locale
// shows is the English original (no translation of that field), else "".
func fallbackLang(p *domain.PublicIncident, locale string, field func(domain.Translation) string) string {
	if locale == "en" {
		return ""
	}
	if t, ok := p.Translations[locale]; ok && field(t) != "" {
		return ""
	}
	return "en"
}

func trTitle(t domain.Translation) string   { return t.Title }
func trSummary(t domain.Translation) string { return t.Summary }
func trBody(t domain.Translation) string    { return t.Body }

// labeler names codes in one locale: vocabulary terms, fixed enumerations
// and countries.
type labeler struct {
	l       *Localizer
	vocab   domain.VocabSet
	country func(code, locale string) string
}

func (s *Server) labeler(l *Localizer, vocab domain.VocabSet) labeler {
	return labeler{l: l, vocab: vocab, country: s.opts.CountryName}
}

// Of labels value of a facet or filter field.
func (lb labeler) Of(field, value string) string {
	switch field {
	case "country", "admin1":
		return lb.Country(value) // geo.Names knows ISO 3166-2 too
	case "category", "actor_type", "target_role", "gender", "source_kind":
		return lb.vocab.Label(field, value, lb.l.Locale)
	case "family", "verification", "work_related", "attribution", "precision", "publication",
		"target_kind", "employment", "visibility", "sensitivity", "block_method", "location_precision":
		return lb.l.T(field + "." + value)
	}
	return value
}

func (lb labeler) Country(code string) string {
	if lb.country != nil && code != "" {
		if n := lb.country(code, lb.l.Locale); n != "" {
			return n
		}
	}
	return code
}

// Date writes a fuzzy date at its precision: "15 March 2024", "March 2024",
// "2024", or "date unknown".
func (lb labeler) Date(s, precision string) string {
	if s == "" {
		return lb.l.T("date.unknown")
	}
	if precision == domain.PrecisionUnknown {
		precision = domain.PrecisionYear
	}
	t, err := domain.ParseFuzzyDate(s, precision)
	if err != nil {
		return s
	}
	switch precision {
	case domain.PrecisionDay:
		return lb.l.T("date.day", t.Day(), lb.l.Month(int(t.Month())), strconv.Itoa(t.Year()))
	case domain.PrecisionMonth:
		return lb.l.T("date.month", lb.l.Month(int(t.Month())), strconv.Itoa(t.Year()))
	}
	// Years are written without digit grouping.
	return lb.l.T("date.year", strconv.Itoa(t.Year()))
}

// DateRange writes start and end at the incident's precision.
func (lb labeler) DateRange(start, end, precision string) string {
	d := lb.Date(start, precision)
	if end != "" && end != start {
		d = lb.l.T("date.range", d, lb.Date(end, precision))
	}
	return d
}

// Time writes a timestamp as a day.
func (lb labeler) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return lb.Date(t.UTC().Format("2006-01-02"), domain.PrecisionDay)
}

// Place writes the public location, most precise part first.
func (lb labeler) Place(p *domain.PublicIncident) string {
	var parts []string
	for _, x := range []string{p.City, p.District, lb.Country(p.Admin1)} {
		if x != "" && (len(parts) == 0 || parts[len(parts)-1] != x) {
			parts = append(parts, x)
		}
	}
	if p.Country != "" {
		parts = append(parts, lb.Country(p.Country))
	}
	return strings.Join(parts, lb.l.T("list.sep"))
}

func (s *Server) card(lb labeler, p *domain.PublicIncident) IncidentCard {
	title, translated := p.TitleIn(lb.l.Locale)
	c := IncidentCard{
		Ref: p.Ref, Href: lb.l.Path("/incidents/" + p.Ref), Title: title,
		Summary: p.SummaryIn(lb.l.Locale), Date: lb.DateRange(p.DateStart, p.DateEnd, p.DatePrecision),
		Place: lb.Place(p), Verify: lb.Of("verification", p.Verification),
		Withdrawn: p.Status == domain.PublicationWithdrawn, Demo: p.Demo,
		// The store escapes the snippet and adds only <mark>.
		Snippet: template.HTML(p.Snippet),
	}
	if !translated {
		c.Untranslated = lb.l.T("list.untranslated")
	}
	c.TitleLang, c.SummaryLang = fallbackLang(p, lb.l.Locale, trTitle), fallbackLang(p, lb.l.Locale, trSummary)
	for _, cat := range p.Categories() {
		c.Categories = append(c.Categories, lb.Of("category", cat))
	}
	return c
}

// bodyMemo keeps the last few incident bodies rendered from markdown. A
// static mirror renders each incident's page in every language one after
// the other, and a body without a translation is the same source in each.
// Only published bodies go through it (never a submission's text).
type bodyMemo struct {
	mu   sync.Mutex
	src  [8]string
	html [8]template.HTML
	next int
}

func (m *bodyMemo) markdown(s *Server, src string) template.HTML {
	if src == "" {
		return s.markdown(src)
	}
	m.mu.Lock()
	for i, k := range m.src {
		if k == src {
			h := m.html[i]
			m.mu.Unlock()
			return h
		}
	}
	m.mu.Unlock()
	h := s.markdown(src)
	m.mu.Lock()
	m.src[m.next], m.html[m.next] = src, h
	m.next = (m.next + 1) % len(m.src)
	m.mu.Unlock()
	return h
}

// markdown renders an incident's body: goldmark (raw HTML not rendered)
// then bluemonday's UGC policy, so nothing a writer types can run.
func (s *Server) markdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := s.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(s.policy.SanitizeBytes(buf.Bytes()))
}
