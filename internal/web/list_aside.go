package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/url"

	"github.com/presswatch/presswatch/internal/domain"
)

// The list's aside — the filter form and the facets — depends on the
// locale and the filter, never on the page: every page of one filter shows
// the same aside. It was most of a list page's cost (the form lists every
// country and category), and a static mirror renders every page of every
// filter, so it is rendered once per locale, filter, generation of the
// published record and vocabulary load, and kept in asideCache.

// ListGeneration is the generation of the published record that list
// asides are cached under (ok false: the store has none, nothing is
// cached). The handler reads it for every page; a static mirror reads it
// once for a build (ListPage), whose pages all show one state of the
// record.
type ListGeneration struct {
	gen int64
	ok  bool
}

// ListGeneration reads the published record's generation now.
func (s *Server) ListGeneration(ctx context.Context) ListGeneration {
	if pg, ok := s.opts.Public.(publicGenerationer); ok {
		if g, err := pg.PublicGeneration(ctx); err == nil {
			return ListGeneration{gen: g, ok: true}
		}
	}
	return ListGeneration{}
}

// listAside renders (or finds) the aside of the list of f in l and sets
// v.Aside. v's other fields are those of the page being rendered. Without
// counts (the block pages of an anchored list, list_window.go) the aside
// is the filter form alone, its countries those of the whole record: it
// changes only when a country first appears, not with every publication.
func (s *Server) listAside(ctx context.Context, g ListGeneration, l *Localizer, lb labeler, terms []domain.Term, f domain.IncidentFilter, vals url.Values, counts bool, v *ListView) error {
	key := l.Locale + " " + vals.Encode()
	if !counts {
		key += " form"
	}
	gen, cacheable := g.gen, g.ok
	if cacheable {
		if p := s.asides.get(gen, terms, key); p != nil {
			v.Aside = template.HTML(p.text) //nolint:gosec // rendered by the template below
			return nil
		}
	}
	if counts {
		facets, err := s.opts.Public.Facets(ctx, f)
		if err != nil {
			return err
		}
		v.Facets = facetGroups(lb, l, vals, facets)
		v.Form = s.filterForm(lb, terms, f, facets)
	} else {
		all, err := s.opts.Public.Facets(ctx, domain.IncidentFilter{})
		if err != nil {
			return err
		}
		v.Facets = nil
		v.Form = s.filterForm(lb, terms, f, &domain.Facets{Fields: map[string][]domain.FacetCount{"country": all.Fields["country"]}})
	}
	body, err := s.renderPart("incident_list", "list_aside", v)
	if err != nil {
		return err
	}
	if cacheable {
		s.asides.put(gen, terms, key, &cachedPage{body: body, text: string(body)})
	}
	v.Aside = template.HTML(body) //nolint:gosec // rendered by the template
	return nil
}

// renderPart executes one named template of a page's set.
func (s *Server) renderPart(set, name string, view any) ([]byte, error) {
	t, ok := s.pages.sets[set]
	if !ok {
		return nil, fmt.Errorf("web: no template %q", set)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, view); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
