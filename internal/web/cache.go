package web

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"unsafe"

	"github.com/presswatch/presswatch/internal/domain"
)

// publicGenerationer is what the page cache needs from the store: the
// counter bumped by every change of the published record (read from the
// database, so it is right with several processes sharing PostgreSQL).
type publicGenerationer interface {
	PublicGeneration(ctx context.Context) (int64, error)
}

// pageCacheLimit bounds the cache: at most this many pages and bytes; once
// full, further pages are rendered but not kept until the next generation.
const (
	pageCacheMaxPages = 2048
	pageCacheMaxBytes = 64 << 20
	pageCacheMaxPage  = 1 << 20
)

// pageCache keeps rendered public pages (status 200, no cookie) per
// generation of the published record and per vocabulary load: a page is
// served from the cache only while neither changed, so readers never see
// a stale record. The key is the locale and the request URI.
type pageCache struct {
	mu    sync.Mutex
	gen   int64
	terms []domain.Term // the vocabulary the pages were rendered with (held, so its address stays unique)
	pages map[string]*cachedPage
	bytes int
}

type cachedPage struct {
	header http.Header
	body   []byte
	text   string // body as a string, for a part printed by a template (list_aside.go)
}

func (c *pageCache) get(gen int64, terms []domain.Term, key string) *cachedPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pages == nil || c.gen != gen || !sameTerms(c.terms, terms) {
		return nil
	}
	return c.pages[key]
}

func (c *pageCache) put(gen int64, terms []domain.Term, key string, p *cachedPage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pages == nil || c.gen != gen || !sameTerms(c.terms, terms) {
		c.gen, c.terms, c.pages, c.bytes = gen, terms, map[string]*cachedPage{}, 0
	}
	if len(c.pages) >= pageCacheMaxPages || c.bytes+len(p.body) > pageCacheMaxBytes {
		return
	}
	c.pages[key] = p
	c.bytes += len(p.body)
}

// sameTerms reports whether a and b are the same load of the vocabulary
// (the editorial service returns the same slice until it reloads).
func sameTerms(a, b []domain.Term) bool {
	return len(a) == len(b) && unsafe.SliceData(a) == unsafe.SliceData(b)
}

// cachePublic serves h's anonymous GET pages from a per-generation cache.
// Without a store that reports its generation it is h itself.
func (s *Server) cachePublic(h http.Handler) http.Handler {
	pg, ok := s.opts.Public.(publicGenerationer)
	if !ok {
		return h
	}
	c := &pageCache{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || staffOf(r) != nil {
			h.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		gen, err := pg.PublicGeneration(ctx)
		if err != nil {
			h.ServeHTTP(w, r)
			return
		}
		_, terms, err := s.opts.Service.Vocab(ctx)
		if err != nil {
			h.ServeHTTP(w, r)
			return
		}
		key := localeOf(r) + " " + r.URL.RequestURI()
		if p := c.get(gen, terms, key); p != nil {
			for k, v := range p.header {
				w.Header()[k] = v
			}
			w.WriteHeader(http.StatusOK)
			w.Write(p.body)
			return
		}
		rec := &pageRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		if rec.status == http.StatusOK && !rec.tooBig && rec.Header().Get("Set-Cookie") == "" {
			c.put(gen, terms, key, &cachedPage{header: rec.Header().Clone(), body: rec.buf.Bytes()})
		}
	})
}

// pageRecorder writes through to the client and keeps a copy of the body.
type pageRecorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
	tooBig bool
}

func (p *pageRecorder) WriteHeader(code int) {
	p.status = code
	p.ResponseWriter.WriteHeader(code)
}

func (p *pageRecorder) Write(b []byte) (int, error) {
	if !p.tooBig {
		if p.buf.Len()+len(b) > pageCacheMaxPage {
			p.tooBig = true
			p.buf = bytes.Buffer{}
		} else {
			p.buf.Write(b)
		}
	}
	return p.ResponseWriter.Write(b)
}
