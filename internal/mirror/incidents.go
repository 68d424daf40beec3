package mirror

import (
	"bytes"
	"context"
	"net/url"
	"sync"

	"github.com/presswatch/presswatch/internal/domain"
)

// incidentPages renders incident pages without a request; *web.Server has
// it. Its pages are the bytes the handler serves for the same URLs.
type incidentPages interface {
	Locales() []string
	LocalePath(locale, p string) string
	EachListedIncident(ctx context.Context, fn func(*domain.PublicIncident) error) error
	IncidentPage(ctx context.Context, buf *bytes.Buffer, locale string, p *domain.PublicIncident) error
	IncidentJSON(p *domain.PublicIncident) ([]byte, error)
}

// renderIncidents renders the page of every listed incident in every
// language, and its JSON, from one stream of published incidents: no
// request and no lookup per page, on every worker. The crawl then skips
// these pages and follows the links they hold.
//
// The pages of every incident of the search index are reserved first, so
// that a link to one (the language switch, a related incident) does not
// send it to the crawl before the stream reaches it; a reserved page the
// stream did not render (an incident withdrawn meanwhile) goes to the
// crawl afterwards.
func (b *builder) renderIncidents(ctx context.Context, ip incidentPages) error {
	locales := ip.Locales()
	b.mu.Lock()
	b.reserved = map[string]target{}
	for _, it := range b.index {
		for _, t := range incidentTargets(ip, locales, it.Ref) {
			if k := t.key(); !b.seen[k] {
				b.seen[k] = true
				b.reserved[k] = t
			}
		}
	}
	b.mu.Unlock()

	// The same stream gives the list pages their cards (lists.go).
	var ls *lists
	if lp, ok := b.opts.Handler.(listPages); ok {
		ls = newLists(lp, ip, locales)
	}
	type item struct {
		p *domain.PublicIncident
		e *listEntry
	}
	ch := make(chan item, 4*b.opts.Workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	fail := func(err error) {
		once.Do(func() { firstErr = err; cancel() })
	}
	for range b.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for it := range ch {
				if err := b.renderIncident(ctx, ip, &buf, locales, it.p); err != nil {
					fail(err)
				}
				if it.e != nil {
					if err := ls.cards(ctx, it.e, it.p); err != nil {
						fail(err)
					}
				}
			}
		}()
	}
	err := ip.EachListedIncident(ctx, func(p *domain.PublicIncident) error {
		it := item{p: p}
		if ls != nil {
			it.e = ls.add(p, b.opts.FilterParams, len(locales))
		}
		select {
		case ch <- it:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(ch)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err != nil {
		return err
	}
	if ls != nil {
		if err := ls.check(ctx); err != nil {
			return err
		}
		b.lists = ls
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, t := range b.reserved {
		delete(b.seen, k)
		b.enqueueLocked(t, true)
	}
	b.reserved = nil
	return nil
}

// incidentTargets are the pages the stream renders for the incident ref.
func incidentTargets(ip incidentPages, locales []string, ref string) []target {
	out := make([]target, 0, len(locales)+1)
	for _, loc := range locales {
		out = append(out, target{Path: ip.LocalePath(loc, "/incidents/"+ref)})
	}
	return append(out, target{Path: "/incidents/" + ref + ".json"})
}

// renderIncident renders one incident's pages (those not rendered yet).
func (b *builder) renderIncident(ctx context.Context, ip incidentPages, buf *bytes.Buffer, locales []string, p *domain.PublicIncident) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	ts := incidentTargets(ip, locales, p.Ref)
	for i, loc := range locales {
		t := ts[i]
		if !b.claim(t) {
			continue
		}
		buf.Reset()
		if err := ip.IncidentPage(ctx, buf, loc, p); err != nil {
			return err
		}
		b.countDone()
		// storeHTML is done with the body when it returns: buf is reused.
		if err := b.storeHTML(&page{t: t, file: t.file(), body: buf.Bytes(), dep: b.targetDep(t)}); err != nil {
			return err
		}
	}
	t := ts[len(ts)-1]
	if !b.claim(t) {
		return nil
	}
	body, err := ip.IncidentJSON(p)
	if err != nil {
		return err
	}
	b.countDone()
	return b.store(&page{t: t, file: t.file(), body: body, dep: b.targetDep(t)})
}

// claim takes t for the stream: true when it was reserved for it, or
// nobody has it yet.
func (b *builder) claim(t target) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := t.key()
	if _, ok := b.reserved[k]; ok {
		delete(b.reserved, k)
		return true
	}
	if b.seen[k] {
		return false
	}
	b.seen[k] = true
	return true
}

func (b *builder) countDone() {
	b.mu.Lock()
	b.done++
	done, known := b.done, len(b.seen)
	b.mu.Unlock()
	if b.opts.Progress != nil {
		b.opts.Progress(done, known)
	}
}

// pagePool holds the buffers pages are rendered and rewritten into: a full
// build renders some 450,000 pages of 10–40 kB at 100,000 incidents, and
// growing a fresh buffer for each (zeroed memory, then collected) was a
// tenth of its CPU.
var pagePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// storeHTML rewrites the links of an HTML page of the site, queues the
// mirror files it links to and stores it. It keeps no reference to
// pg.body: the caller may reuse it.
func (b *builder) storeHTML(pg *page) error {
	u := &url.URL{Path: pg.t.Path, RawQuery: pg.t.Query.Encode()}
	var found []resolved
	pg.html = true
	out := pagePool.Get().(*bytes.Buffer)
	defer pagePool.Put(out)
	pg.body = b.rv.rewriteHTML(out, pg.body, u, pg.file, func(r resolved) { found = append(found, r) })
	pg.body = b.unnameOrigin(pg.body)
	b.mu.Lock()
	for _, r := range found {
		if r.kind == linkFile {
			b.enqueueLocked(r.t, false)
		}
	}
	b.mu.Unlock()
	return b.store(pg)
}
