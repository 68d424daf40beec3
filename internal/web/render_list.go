package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"

	"github.com/presswatch/presswatch/internal/domain"
)

// A static mirror renders every page of the public list for every filter
// it pre-renders: at 100,000 incidents some 52,000 pages, each a search
// with a deep offset whose rows are decoded from stored JSON, and 25 cards.
// The functions below let it render them from the one stream of published
// incidents it already reads for the incident pages: each card once per
// incident and locale (ListCard), each page from the cards of its
// incidents (ListPage). ListPage and the handler of /incidents share
// fillList, the card template and the aside cache, and
// TestListPagesMatchHandler (internal/mirror) holds their bytes equal.

// ListCard is the card of p on the list in locale (no search snippet: the
// mirror's list pages have no query words).
func (s *Server) ListCard(ctx context.Context, locale string, p *domain.PublicIncident) ([]byte, error) {
	if !s.cat.has(locale) {
		return nil, fmt.Errorf("web: no locale %q", locale)
	}
	vocab, _, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		return nil, err
	}
	return s.appendCard(nil, s.labeler(s.cat.localizer(locale), vocab), p)
}

// ListHead is what the store answers for the page of the list of query
// (its page parameter, default the newest page): the number of incidents
// and of persons of the whole list, and the refs the page shows. A mirror
// compares it with the incidents it grouped from the stream before it
// renders a filter's pages itself.
func (s *Server) ListHead(ctx context.Context, query url.Values) (total, persons int, refs []string, err error) {
	f, err := domain.ParseIncidentFilter(query)
	if err != nil {
		return 0, 0, nil, err
	}
	res, _, err := s.searchList(ctx, f, query)
	if err != nil {
		return 0, 0, nil, err
	}
	for _, p := range res.Items {
		refs = append(refs, p.Ref)
	}
	return res.Total, res.Persons, refs, nil
}

// ListPerPage is the number of incidents on one page of the list.
func (s *Server) ListPerPage() int {
	var f domain.IncidentFilter
	f.Defaults()
	return f.PerPage
}

// ListWindow is which incidents the page of the list at query shows when
// the list has total incidents, as positions in the list's order (newest
// first): from offset, limit of them; ok is false when query asks for
// neither the newest page nor a block of a list in date order.
func (s *Server) ListWindow(query url.Values, total int) (offset, limit int, ok bool) {
	f, err := domain.ParseIncidentFilter(query)
	if err != nil {
		return 0, 0, false
	}
	anchored, block := anchoredList(f, query)
	if !anchored {
		return 0, 0, false
	}
	w := windowOf(block, total, f.PerPage)
	return w.offset, w.limit, true
}

// ListPage renders into buf the page the site serves at /incidents?query
// in locale for an anonymous reader, given the cards of that page's
// incidents (ListCard, in list order, concatenated), the totals of the
// whole filter and the generation of the record they show (ListGeneration,
// read once for a build: a page through the handler reads it each time).
func (s *Server) ListPage(ctx context.Context, buf *bytes.Buffer, g ListGeneration, locale string, query url.Values, cards string, total, persons int) error {
	if !s.cat.has(locale) {
		return fmt.Errorf("web: no locale %q", locale)
	}
	f, err := domain.ParseIncidentFilter(query)
	if err != nil {
		return err
	}
	anchored, block := anchoredList(f, query)
	if !anchored {
		return fmt.Errorf("web: the list at %q is not paged in blocks", query.Encode())
	}
	vocab, terms, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		return err
	}
	// The request the handler would see behind the localize middleware.
	r := (&http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/incidents", RawQuery: query.Encode()}, Header: http.Header{}}).
		WithContext(context.WithValue(ctx, localeKey, locale))
	l := s.cat.localizer(locale)
	v := ListView{Page: s.page(r, l.T("list.title"))}
	v.L = v.Page.L
	if err := s.fillList(ctx, g, l, s.labeler(l, vocab), terms, f, windowOf(block, total, f.PerPage), total, persons, template.HTML(cards), &v); err != nil { //nolint:gosec // cards rendered by ListCard
		return err
	}
	t, ok := s.pages.sets["incident_list"]
	if !ok {
		return fmt.Errorf("web: no template %q", "incident_list")
	}
	return t.ExecuteTemplate(buf, "base", &v)
}
