package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/presswatch/presswatch/internal/domain"
)

// A static mirror renders every incident page of the site. Through the
// handler each page costs a request, a database lookup and the middleware;
// for 100,000 incidents in three languages that was most of a build. The
// functions below render the same pages from one stream of published
// incidents: IncidentPage and the handler of /incidents/{ref} share
// incidentView and the template, so the bytes are the same by construction
// (TestIncidentPageMatchesHandler holds them to it).

// logIndexer is the store's one-pass view of FindPublic's log index.
type logIndexer interface {
	LatestLogIndexes(ctx context.Context) (map[string]int64, error)
}

// Locales lists the site's locales, "en" (served without a prefix) first.
func (s *Server) Locales() []string { return append([]string(nil), s.cat.locales...) }

// LocalePath is site path p in locale (e.g. "/ur/incidents/PK-2024-0001").
func (s *Server) LocalePath(locale, p string) string { return s.cat.localizer(locale).Path(p) }

// EachListedIncident streams every incident of the unfiltered public list
// (/incidents), in its order, as FindPublic returns it (log index
// included). Without a store that reads every log index at once it looks
// each incident up.
func (s *Server) EachListedIncident(ctx context.Context, fn func(*domain.PublicIncident) error) error {
	f, err := domain.ParseIncidentFilter(url.Values{})
	if err != nil {
		return err
	}
	li, ok := s.opts.Public.(logIndexer)
	if !ok {
		return s.opts.Public.EachPublic(ctx, f, func(p *domain.PublicIncident) error {
			full, err := s.opts.Public.FindPublic(ctx, p.Ref)
			if err != nil {
				return err
			}
			return fn(full)
		})
	}
	idx, err := li.LatestLogIndexes(ctx)
	if err != nil {
		return err
	}
	return s.opts.Public.EachPublic(ctx, f, func(p *domain.PublicIncident) error {
		p.LogIndex = nil
		if i, ok := idx[p.Ref]; ok {
			p.LogIndex = &i
		}
		return fn(p)
	})
}

// publicRefser is the store's list of refs in a filter's order, without
// the documents.
type publicRefser interface {
	PublicRefs(ctx context.Context, f domain.IncidentFilter) ([]string, error)
}

// WarmPublic has the store build its in-memory index of the published
// record now, if it keeps one: a static mirror's incremental build starts
// it while it reads its previous manifest, before its pages need it.
func (s *Server) WarmPublic(ctx context.Context) error {
	if w, ok := s.opts.Public.(interface{ WarmPublic(context.Context) error }); ok {
		return w.WarmPublic(ctx)
	}
	return nil
}

// ListedRefs returns the refs of the unfiltered public list in its order,
// EachListedIncident's without decoding a document (a static mirror
// patches its search index with them); an error when the store cannot.
func (s *Server) ListedRefs(ctx context.Context) ([]string, error) {
	pr, ok := s.opts.Public.(publicRefser)
	if !ok {
		return nil, errors.New("web: the store does not list refs")
	}
	f, err := domain.ParseIncidentFilter(url.Values{})
	if err != nil {
		return nil, err
	}
	return pr.PublicRefs(ctx, f)
}

// ListedIncident is one incident of the public list, as FindPublic gives
// it.
func (s *Server) ListedIncident(ctx context.Context, ref string) (*domain.PublicIncident, error) {
	return s.opts.Public.FindPublic(ctx, ref)
}

// IncidentPage renders the page the site serves at /incidents/{p.Ref} in
// locale, for an anonymous reader, into buf.
func (s *Server) IncidentPage(ctx context.Context, buf *bytes.Buffer, locale string, p *domain.PublicIncident) error {
	if !s.cat.has(locale) {
		return fmt.Errorf("web: no locale %q", locale)
	}
	vocab, _, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		return err
	}
	// The request the handler would see behind the localize middleware:
	// the path without its locale prefix, the locale in the context.
	r := (&http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/incidents/" + p.Ref}, Header: http.Header{}}).
		WithContext(context.WithValue(ctx, localeKey, locale))
	v := s.incidentView(r, vocab, p)
	t, ok := s.pages.sets["incident_show"]
	if !ok {
		return fmt.Errorf("web: no template %q", "incident_show")
	}
	return t.ExecuteTemplate(buf, "base", &v)
}

// IncidentJSON is the body the site serves at /incidents/{p.Ref}.json.
func (s *Server) IncidentJSON(p *domain.PublicIncident) ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
