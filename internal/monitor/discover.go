package monitor

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// discover polls an outlet's feeds and sitemaps when its poll is due and
// adds the articles not seen before.
func (m *Monitor) discover(ctx context.Context, r *round, o Outlet) {
	claimed, err := m.store.ClaimPoll(ctx, o.Slug, r.now, o.pollEvery())
	if err != nil {
		r.fail(fmt.Errorf("monitor: claim poll %s: %w", o.Slug, err))
		return
	}
	if !claimed {
		return
	}
	r.add(func(s *RoundStats) { s.OutletsPolled++ })
	var entries []FeedEntry
	for _, feed := range o.Feeds {
		body, ok := m.poll(ctx, r, o, feed)
		if !ok {
			continue
		}
		es, err := ParseFeed(body)
		if err != nil {
			m.log.Warn("monitor: feed", "url", feed, "err", err)
			r.add(func(s *RoundStats) { s.Errors++ })
			continue
		}
		for i := range es {
			es[i].URL = resolve(feed, es[i].URL)
		}
		entries = append(entries, es...)
	}
	budget := m.opts.MaxSitemaps
	for _, sm := range o.Sitemaps {
		entries = append(entries, m.walkSitemap(ctx, r, o, sm, 0, &budget, map[string]bool{})...)
	}
	added := 0
	seen := map[string]bool{}
	for _, e := range entries {
		u, err := NormalizeURL(e.URL)
		if err != nil || seen[u] || !sameSite(u, o.Homepage) {
			continue
		}
		seen[u] = true
		a := Article{URL: u, Outlet: o.Slug, Title: e.Title, FirstSeen: r.now, NextCheck: r.now, State: StateNew}
		ok, err := m.store.AddArticle(ctx, a)
		if err != nil {
			r.fail(fmt.Errorf("monitor: add article %s: %w", u, err))
			return
		}
		if ok {
			added++
		}
	}
	r.add(func(s *RoundStats) { s.NewArticles += added })
}

// poll fetches a feed or sitemap with the validators stored for it; it
// returns the body when there is a new one.
func (m *Monitor) poll(ctx context.Context, r *round, o Outlet, rawURL string) ([]byte, bool) {
	cond, err := m.store.Validators(ctx, rawURL)
	if err != nil {
		r.fail(fmt.Errorf("monitor: validators %s: %w", rawURL, err))
		return nil, false
	}
	f, err := m.fetch(ctx, r, o, rawURL, cond)
	if err != nil {
		if !errors.Is(err, errRobots) {
			r.add(func(s *RoundStats) { s.Errors++ })
		}
		m.log.Warn("monitor: poll", "url", rawURL, "err", err)
		return nil, false
	}
	if f.Status == 304 {
		return nil, false
	}
	if f.Status < 200 || f.Status >= 300 {
		r.add(func(s *RoundStats) { s.Errors++ })
		m.log.Warn("monitor: poll", "url", rawURL, "status", f.Status)
		return nil, false
	}
	next := Conditional{ETag: f.Header.Get("ETag"), LastModified: f.Header.Get("Last-Modified")}
	if next != cond {
		if err := m.store.SaveValidators(ctx, rawURL, next); err != nil {
			r.fail(fmt.Errorf("monitor: save validators %s: %w", rawURL, err))
		}
	}
	return f.Body, true
}

// walkSitemap reads a sitemap, following an index down to MaxSitemapDepth
// and at most budget files in all, and returns the recent entries.
func (m *Monitor) walkSitemap(ctx context.Context, r *round, o Outlet, rawURL string, depth int, budget *int, visited map[string]bool) []FeedEntry {
	if *budget <= 0 || visited[rawURL] || ctx.Err() != nil {
		return nil
	}
	visited[rawURL] = true
	*budget--
	body, ok := m.poll(ctx, r, o, rawURL)
	if !ok {
		return nil
	}
	sm, err := ParseSitemap(body)
	if err != nil {
		m.log.Warn("monitor: sitemap", "url", rawURL, "err", err)
		r.add(func(s *RoundStats) { s.Errors++ })
		return nil
	}
	var out []FeedEntry
	if sm.IsIndex {
		if depth >= m.opts.MaxSitemapDepth {
			return nil
		}
		for _, child := range sm.Sitemaps {
			out = append(out, m.walkSitemap(ctx, r, o, resolve(rawURL, child), depth+1, budget, visited)...)
		}
		return out
	}
	oldest := r.now.Add(-m.opts.DiscoverMaxAge)
	for _, u := range sm.URLs {
		date := u.NewsPublished
		if date.IsZero() {
			date = u.LastMod
		}
		if !date.IsZero() && date.Before(oldest) {
			continue
		}
		out = append(out, FeedEntry{URL: resolve(rawURL, u.Loc), Title: u.NewsTitle, Published: date})
	}
	return out
}

func resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	u, err := b.Parse(strings.TrimSpace(ref))
	if err != nil {
		return ref
	}
	return u.String()
}

// sameSite reports whether an article URL belongs to the outlet: its host
// is the home page's host, or a subdomain of the home page's domain.
func sameSite(articleURL, homepage string) bool {
	a, h := hostOf(articleURL), hostOf(homepage)
	if a == "" || h == "" {
		return false
	}
	a = strings.TrimPrefix(a, "www.")
	h = strings.TrimPrefix(h, "www.")
	return a == h || strings.HasSuffix(a, "."+h)
}
