package mirror

import (
	"bytes"
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/web"
)

// listPages renders the pages of the public list without a request;
// *web.Server has it. Its pages are the bytes the handler serves for the
// same URLs.
type listPages interface {
	ListCard(ctx context.Context, locale string, p *domain.PublicIncident) ([]byte, error)
	ListHead(ctx context.Context, query url.Values) (total, persons int, refs []string, err error)
	ListPerPage() int
	ListWindow(query url.Values, total int) (offset, limit int, ok bool)
	ListGeneration(ctx context.Context) web.ListGeneration
	ListPage(ctx context.Context, buf *bytes.Buffer, g web.ListGeneration, locale string, query url.Values, cards string, total, persons int) error
}

// lists holds what a full build needs to render the list pages (the
// unfiltered list and every pre-rendered filter, every page, every
// language) itself: the card of every incident in every language, rendered
// once by the incident stream, and which incidents, in list order, each
// filter shows. Through the handler every list page was a search with a
// deep offset (rows decoded from stored JSON) and 25 cards rendered again:
// a third of a full build at 100,000 incidents.
type lists struct {
	lp      listPages
	locales map[string]int // list path ("/ur/incidents") → locale index
	names   []string       // locales by index
	entries []*listEntry   // in list order
	groups  map[string]*listGroup
	// gen is the record's generation when the lists were checked: the
	// list asides are cached under it for the whole build.
	gen web.ListGeneration
}

// listEntry is one incident of the list: its cards by locale index.
type listEntry struct {
	ref   string
	cards [][]byte
}

// listGroup is one list: the unfiltered one (key "") or one filter value
// ("country=PK"), with the store's totals once checked.
type listGroup struct {
	query   url.Values
	members []int // indexes into lists.entries, in list order
	total   int
	persons int
	checked bool
}

func newLists(lp listPages, ip incidentPages, locales []string) *lists {
	ls := &lists{lp: lp, locales: map[string]int{}, names: locales, groups: map[string]*listGroup{}}
	for i, loc := range locales {
		ls.locales[ip.LocalePath(loc, "/incidents")] = i
	}
	return ls
}

// add records p, the next incident of the stream, in the lists it belongs
// to (by the values the search index and the filter seeds use) and returns
// the entry whose cards the stream's workers fill.
func (ls *lists) add(p *domain.PublicIncident, filters []string, nLocales int) *listEntry {
	e := &listEntry{ref: p.Ref, cards: make([][]byte, nLocales)}
	i := len(ls.entries)
	ls.entries = append(ls.entries, e)
	it := indexItem(p)
	ls.member("", "", i)
	filterValues(&it, filters, func(param, value string) { ls.member(param, value, i) })
	return e
}

func (ls *lists) member(param, value string, i int) {
	key := ""
	if param != "" {
		key = param + "=" + value
	}
	g := ls.groups[key]
	if g == nil {
		g = &listGroup{query: url.Values{}}
		if param != "" {
			g.query.Set(param, value)
		}
		ls.groups[key] = g
	}
	g.members = append(g.members, i)
}

// check asks the store for the newest page and the oldest block (page 1)
// of every list and keeps only the lists whose totals and incidents there
// are what the stream grouped: a list the store selects differently (a
// value the filter parses otherwise, a category counted another way) is
// left to the handler.
func (ls *lists) check(ctx context.Context) error {
	ls.gen = ls.lp.ListGeneration(ctx)
	for key, g := range ls.groups {
		total, persons, first, err := ls.lp.ListHead(ctx, g.query)
		if err != nil {
			return err
		}
		ok := total == len(g.members) && ls.sameRefs(g, g.query, first)
		if q := withPage(g.query, 1); ok && ls.window(q, g) != nil {
			_, _, oldest, err := ls.lp.ListHead(ctx, q)
			if err != nil {
				return err
			}
			ok = ls.sameRefs(g, q, oldest)
		}
		if !ok {
			delete(ls.groups, key)
			continue
		}
		g.total, g.persons, g.checked = total, persons, true
	}
	return nil
}

// window is the members of g the list page at query shows (nil: none, or
// not a page of a list in blocks).
func (ls *lists) window(query url.Values, g *listGroup) []int {
	offset, limit, ok := ls.lp.ListWindow(query, len(g.members))
	if !ok || limit <= 0 || offset < 0 || offset+limit > len(g.members) {
		return nil
	}
	return g.members[offset : offset+limit]
}

func (ls *lists) sameRefs(g *listGroup, query url.Values, want []string) bool {
	shown := ls.window(query, g)
	if len(shown) == 0 || len(shown) != len(want) {
		return false
	}
	for j, i := range shown {
		if ls.entries[i].ref != want[j] {
			return false
		}
	}
	return true
}

// withPage is q with the page parameter set to n.
func withPage(q url.Values, n int) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set("page", strconv.Itoa(n))
	return out
}

// page renders the list page t when it is one of the lists: the
// unfiltered list or one pre-rendered filter that shows an incident, a page
// that exists, a locale of the site. ok is false for any other target (the
// crawl renders it through the handler: the empty lists of values no
// incident has, which the map links to, cost no search).
func (ls *lists) page(ctx context.Context, buf *bytes.Buffer, t target) (ok bool, err error) {
	li, isList := ls.locales[t.Path]
	if !isList {
		return false, nil
	}
	key := ""
	for k, vs := range t.Query {
		if len(vs) != 1 {
			return false, nil
		}
		if k == "page" {
			n, err := strconv.Atoi(vs[0])
			if err != nil || n < 1 || strconv.Itoa(n) != vs[0] {
				return false, nil
			}
			continue
		}
		if key != "" {
			return false, nil
		}
		key = k + "=" + vs[0]
	}
	g := ls.groups[key]
	if g == nil || !g.checked {
		return false, nil
	}
	shown := ls.window(t.Query, g)
	if shown == nil {
		return false, nil
	}
	// Sized first: grown card by card, the builder copied each page's
	// cards some five times (3.6 CPU-s of a full build at 100,000).
	n := 0
	for _, i := range shown {
		n += len(ls.entries[i].cards[li])
	}
	var cards strings.Builder
	cards.Grow(n)
	for _, i := range shown {
		cards.Write(ls.entries[i].cards[li])
	}
	return true, ls.lp.ListPage(ctx, buf, ls.gen, ls.names[li], t.Query, cards.String(), g.total, g.persons)
}

// cards renders e's card in every locale.
func (ls *lists) cards(ctx context.Context, e *listEntry, p *domain.PublicIncident) error {
	for li, loc := range ls.names {
		c, err := ls.lp.ListCard(ctx, loc, p)
		if err != nil {
			return err
		}
		e.cards[li] = c
	}
	return nil
}
