package web

import (
	"context"
	"net/url"

	"github.com/presswatch/presswatch/internal/domain"
)

// The public list, newest first, is paged in blocks counted from the
// oldest incident: ?page=N shows block N, the incidents at positions
// (N-1)·per+1 to N·per in date order from the earliest. A new incident (of
// any date after the block's) never moves a block's incidents, so a page's
// address cites the same incidents for good, and a static mirror rebuilt
// after a publication rewrites a few list pages instead of every one.
//
// The list without a page parameter is the newest page: the newest full
// block and every incident after it (per to 2·per-1 of them). Only it shows
// the totals and the facet counts, which change with every publication;
// block pages show their place in the record and a filter form without
// counts.
//
// Other orders (relevance, oldest first, last updated) keep plain pages
// counted from the first.

// listWindow is which incidents one page of the list shows.
type listWindow struct {
	// anchored: the list is paged in blocks from the oldest (date order).
	anchored bool
	// block is the page's block, 0 for the newest page.
	block int
	// blocks is the number of full blocks; the newest page holds the
	// last of them, pages 1 to blocks-1 are linked.
	blocks int
	offset int
	limit  int
}

// anchoredList reports whether the list of f, at query, is paged in blocks
// from the oldest, and which block query asks for (0: the newest page).
func anchoredList(f domain.IncidentFilter, query url.Values) (anchored bool, block int) {
	if f.Sort != "date" || f.After != "" {
		return false, 0
	}
	if query.Get("page") != "" {
		block = f.Page
	}
	return true, block
}

// windowOf places page block (0: newest) of a list of total incidents.
func windowOf(block, total, per int) listWindow {
	w := listWindow{anchored: true, block: block, blocks: total / per}
	if block == 0 {
		w.limit = total
		if w.blocks > 1 {
			w.limit = total - per*(w.blocks-1)
		}
		return w
	}
	w.offset, w.limit = total-per*block, per
	if block > w.blocks {
		w.offset, w.limit = 0, 0
	}
	return w
}

// First and Last are the positions, counted from the oldest from 1, of
// the incidents of a block page.
func (w listWindow) First(per int) int { return (w.block-1)*per + 1 }
func (w listWindow) Last(per int) int  { return w.block * per }

// searchList runs the search of one page of the list: for an anchored list
// it asks for the totals first (a cached count) when the page's place
// depends on them. It returns the page, whose Items are the window's, and
// the window.
func (s *Server) searchList(ctx context.Context, f domain.IncidentFilter, query url.Values) (*domain.PublicPage, listWindow, error) {
	anchored, block := anchoredList(f, query)
	if !anchored {
		res, err := s.opts.Public.SearchPublic(ctx, f)
		return res, listWindow{}, err
	}
	per := f.PerPage
	if block == 0 {
		// The newest page holds at most 2·per-1 incidents: one search.
		g := f
		g.Page, g.PerPage = 1, 2*per-1
		res, err := s.opts.Public.SearchPublic(ctx, g)
		if err != nil {
			return nil, listWindow{}, err
		}
		w := windowOf(0, res.Total, per)
		res.Items = res.Items[:min(w.limit, len(res.Items))]
		return res, w, nil
	}
	head := f
	head.Page, head.PerPage = 1, 1
	res, err := s.opts.Public.SearchPublic(ctx, head)
	if err != nil {
		return nil, listWindow{}, err
	}
	w := windowOf(block, res.Total, per)
	if w.limit == 0 {
		res.Items = nil
		return res, w, nil
	}
	g := f
	g.Page, g.PerPage, g.Offset = 1, w.limit, w.offset
	page, err := s.opts.Public.SearchPublic(ctx, g)
	if err != nil {
		return nil, listWindow{}, err
	}
	page.Total, page.Persons = res.Total, res.Persons
	return page, w, nil
}

// blockPager links the pages of an anchored list: the newest page, then
// the blocks two either side of the current one (the newest page stands
// just above the top block), and block 1.
func blockPager(l *Localizer, path string, vals url.Values, w listWindow) Pager {
	p := Pager{Page: w.block, Pages: w.blocks, Anchored: true}
	if w.blocks <= 1 {
		return p
	}
	base := l.Path(path)
	href := func(n int) string { return pageHref(base, vals, n) }
	top := w.blocks - 1 // the newest block with a page of its own
	if w.block > 0 {
		if w.block+1 > top {
			p.Prev = href(0)
		} else {
			p.Prev = href(w.block + 1)
		}
	}
	if w.block != 1 {
		if w.block == 0 {
			p.Next = href(top)
		} else if w.block > 1 {
			p.Next = href(min(w.block-1, top))
		}
	}
	p.Links = append(p.Links, PageLink{Href: href(0), Current: w.block == 0, Label: l.T("pager.newest")})
	// Block pages do not link the top block unless it is near: what a
	// block page shows must not change when a new block is added far above.
	cur := w.block
	if cur == 0 {
		cur = top + 1 // the newest page stands above the top block
	}
	last := 0
	for n := top; n >= 1; n-- {
		if n != 1 && (n < cur-2 || n > cur+2) {
			continue
		}
		if (last == 0 && n < top) || (last != 0 && n < last-1) {
			p.Links = append(p.Links, PageLink{Gap: true})
		}
		p.Links = append(p.Links, PageLink{N: n, Href: href(n), Current: n == w.block})
		last = n
	}
	return p
}
