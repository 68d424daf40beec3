package web

import (
	"bytes"
	"fmt"
	"html/template"
)

// LayoutParts are the parts of the base layout that are the same on every
// public page of a locale: the site header without the language switch,
// and the footer without the mirror list. They were a third of the
// template work of an incident page (every .L.T and .L.Path a reflected
// method call through the embedded Page), and a static mirror renders some
// 350,000 public pages; so they are rendered once per locale at New, and
// the layout prints them. The back office renders them in place (they
// depend on the staff member there). TestLayoutPartsMatchTemplate holds
// them to the template.
type LayoutParts struct {
	Header template.HTML // "layout_header"
	Footer template.HTML // "layout_footer"
}

// renderLayouts renders every locale's LayoutParts.
func (s *Server) renderLayouts() (map[string]*LayoutParts, error) {
	out := map[string]*LayoutParts{}
	for _, loc := range s.cat.locales {
		v := Page{L: s.cat.localizer(loc)}
		var parts [2]template.HTML
		for i, name := range []string{"layout_header", "layout_footer"} {
			b, err := s.renderPart("home", name, &v)
			if err != nil {
				return nil, fmt.Errorf("web: layout %s: %w", loc, err)
			}
			parts[i] = template.HTML(bytes.Clone(b)) //nolint:gosec // rendered by the template
		}
		out[loc] = &LayoutParts{Header: parts[0], Footer: parts[1]}
	}
	return out, nil
}
