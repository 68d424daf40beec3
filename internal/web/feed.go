package web

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// feedPerPage is the number of entries of one page of an Atom feed.
const feedPerPage = 50

// Atom 1.0 (RFC 4287) with RFC 5005 paging links.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Href     string `xml:"href,attr"`
	HrefLang string `xml:"hreflang,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Lang string `xml:"xml:lang,attr,omitempty"`
	Text string `xml:",chardata"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Summary    atomText       `xml:"summary"`
	Categories []atomCategory `xml:"category"`
}

// baseURL is the site's origin as the request reached it.
func (s *Server) baseURL(r *http.Request) string {
	if s.opts.Secure {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// handleIncidentsAtom serves /incidents.atom for any filter: newest first,
// feedPerPage entries per page, with first/previous/next/last links.
func (s *Server) handleIncidentsAtom(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := s.cat.localizer(localeOf(r))
	q := r.URL.Query()
	if q.Get("per_page") == "" {
		q.Set("per_page", strconv.Itoa(feedPerPage))
	}
	f, err := domain.ParseIncidentFilter(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vocab, _, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.opts.Public.SearchPublic(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lb := s.labeler(l, vocab)
	base := s.baseURL(r)
	vals := f.Values()
	if f.PerPage != feedPerPage {
		vals.Set("per_page", strconv.Itoa(f.PerPage))
	}
	pages := max(1, (res.Total+f.PerPage-1)/f.PerPage)
	pageURL := func(n int) string {
		v := url.Values{}
		for k, x := range vals {
			v[k] = x
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		u := base + l.Path("/incidents.atom")
		if len(v) > 0 {
			u += "?" + v.Encode()
		}
		return u
	}
	html := base + l.Path("/incidents")
	if e := f.Values().Encode(); e != "" {
		html += "?" + e
	}
	title := l.T("site.name") + " · " + l.T("list.title")
	if chips := chips(lb, f.Values(), l); len(chips) > 0 {
		var parts []string
		for _, c := range chips {
			parts = append(parts, c.Label)
		}
		title += ": " + strings.Join(parts, ", ")
	}
	feed := atomFeed{
		Lang: l.Locale, ID: pageURL(1), Title: title, Author: atomPerson{Name: l.T("site.name")},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: pageURL(f.Page)},
			{Rel: "alternate", Type: "text/html", Href: html, HrefLang: l.Locale},
			{Rel: "first", Href: pageURL(1)},
			{Rel: "last", Href: pageURL(pages)},
		},
	}
	if f.Page > 1 {
		feed.Links = append(feed.Links, atomLink{Rel: "previous", Href: pageURL(f.Page - 1)})
	}
	if f.Page < pages {
		feed.Links = append(feed.Links, atomLink{Rel: "next", Href: pageURL(f.Page + 1)})
	}
	var updated time.Time
	for _, p := range res.Items {
		if p.UpdatedAt.After(updated) {
			updated = p.UpdatedAt
		}
		t, translated := p.TitleIn(l.Locale)
		lang := l.Locale
		if !translated {
			lang = "en"
		}
		summary := p.SummaryIn(l.Locale)
		if summary == "" {
			summary = t
		}
		e := atomEntry{
			ID:        base + "/incidents/" + p.Ref,
			Title:     atomText{Type: "text", Lang: lang, Text: t},
			Updated:   p.UpdatedAt.UTC().Format(time.RFC3339),
			Published: p.FirstPublishedAt.UTC().Format(time.RFC3339),
			Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: base + l.Path("/incidents/"+p.Ref)},
				{Rel: "alternate", Type: "application/json", Href: base + "/incidents/" + p.Ref + ".json"}},
			Summary: atomText{Type: "text", Lang: lang,
				Text: lb.DateRange(p.DateStart, p.DateEnd, p.DatePrecision) + " · " + lb.Place(p) + " — " + summary},
		}
		for _, c := range p.Categories() {
			e.Categories = append(e.Categories, atomCategory{Term: c, Scheme: base + "/data#category", Label: lb.Of("category", c)})
		}
		feed.Entries = append(feed.Entries, e)
	}
	if updated.IsZero() {
		updated = s.now()
	}
	feed.Updated = updated.UTC().Format(time.RFC3339)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	if err := enc.Encode(feed); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}
