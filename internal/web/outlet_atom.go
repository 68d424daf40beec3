package web

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// handleOutletAtom serves /outlets/{slug}.atom: an outlet's confirmed
// removals and edits, newest first (Atom 1.0, the same shape as
// /incidents.atom). An entry links the published incident when there is
// one, the outlet's page otherwise.
func (s *Server) handleOutletAtom(w http.ResponseWriter, r *http.Request, slug string) {
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
	if len(found) > feedPerPage {
		found = found[:feedPerPage]
	}
	l := s.cat.localizer(localeOf(r))
	lb := s.labeler(l, domain.VocabSet{})
	base := s.baseURL(r)
	page := base + l.Path("/outlets/"+o.Slug)
	self := base + l.Path("/outlets/"+o.Slug+".atom")
	feed := atomFeed{
		Lang: l.Locale, ID: base + "/outlets/" + o.Slug + ".atom",
		Title:  l.T("site.name") + " · " + o.Name + " · " + l.T("outlets.findings"),
		Author: atomPerson{Name: l.T("site.name")},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: page, HrefLang: l.Locale},
		},
	}
	var updated time.Time
	for _, d := range found {
		f := s.finding(lb, d)
		if d.At.After(updated) {
			updated = d.At
		}
		title := f.KindLabel
		if f.Headline != "" {
			title += ": " + f.Headline
		}
		href := page + "#detection-" + strconv.FormatInt(d.ID, 10)
		if f.IncidentRef != "" {
			href = base + l.Path("/incidents/"+f.IncidentRef)
		}
		summary := f.Date + " — " + d.URL + " — " + d.Reason
		if f.Changed != "" {
			summary += " — " + f.Changed
		}
		at := d.At.UTC().Format(time.RFC3339)
		e := atomEntry{
			ID:        base + "/outlets/" + o.Slug + "#detection-" + strconv.FormatInt(d.ID, 10),
			Title:     atomText{Type: "text", Text: title},
			Updated:   at,
			Published: at,
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: href}},
			Summary:   atomText{Type: "text", Text: summary},
			Categories: []atomCategory{{Term: map[string]string{"deleted": "content_removed", "edited": "content_edited"}[d.Kind],
				Scheme: base + "/data#category", Label: f.KindLabel}},
		}
		feed.Entries = append(feed.Entries, e)
	}
	if updated.IsZero() {
		updated = s.now()
	}
	feed.Updated = updated.UTC().Format(time.RFC3339)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(feed); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}
