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
func (b *builder) renderIncidents(ctx context.Context, ip incidentPages) error {
	locales := ip.Locales()
	ch := make(chan *domain.PublicIncident, 4*b.opts.Workers)
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
			for p := range ch {
				if err := b.renderIncident(ctx, ip, &buf, locales, p); err != nil {
					fail(err)
				}
			}
		}()
	}
	err := ip.EachListedIncident(ctx, func(p *domain.PublicIncident) error {
		select {
		case ch <- p:
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
	return err
}

// renderIncident renders one incident's pages (those not rendered yet).
func (b *builder) renderIncident(ctx context.Context, ip incidentPages, buf *bytes.Buffer, locales []string, p *domain.PublicIncident) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for _, loc := range locales {
		t := target{Path: ip.LocalePath(loc, "/incidents/"+p.Ref)}
		if !b.claim(t) {
			continue
		}
		buf.Reset()
		if err := ip.IncidentPage(ctx, buf, loc, p); err != nil {
			return err
		}
		b.countDone()
		if err := b.storeHTML(&page{t: t, file: t.file(), body: bytes.Clone(buf.Bytes()), dep: b.targetDep(t)}); err != nil {
			return err
		}
	}
	t := target{Path: "/incidents/" + p.Ref + ".json"}
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

// claim marks t as rendered by the caller; false when the crawl or another
// worker already has it.
func (b *builder) claim(t target) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := t.key()
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

// storeHTML rewrites the links of an HTML page of the site, queues the
// mirror files it links to and stores it.
func (b *builder) storeHTML(pg *page) error {
	u := &url.URL{Path: pg.t.Path, RawQuery: pg.t.Query.Encode()}
	var found []resolved
	pg.html = true
	pg.body = b.rv.rewriteHTML(pg.body, u, pg.file, func(r resolved) { found = append(found, r) })
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
