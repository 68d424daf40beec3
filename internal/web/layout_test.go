package web

import (
	"bytes"
	"context"
	"html/template"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLayoutPartsMatchTemplate: a public page printed with its locale's
// pre-rendered header and footer is byte for byte the page the layout
// renders in place, in every locale; and the parts are in the page (so the
// comparison compares something).
func TestLayoutPartsMatchTemplate(t *testing.T) {
	s := &Server{}
	cat, err := loadCatalogs(i18nFS)
	if err != nil {
		t.Fatal(err)
	}
	s.cat = cat
	if s.pages, err = parsePages(templateFS); err != nil {
		t.Fatal(err)
	}
	if s.layouts, err = s.renderLayouts(); err != nil {
		t.Fatal(err)
	}
	if len(s.layouts) < 3 {
		t.Fatalf("%d locales", len(s.layouts))
	}
	for loc, parts := range s.layouts {
		r := httptest.NewRequest("GET", "/stats?country=PK", nil)
		r = r.WithContext(context.WithValue(r.Context(), localeKey, loc))
		p := s.page(r, "A title")
		if p.Layout != parts {
			t.Fatalf("%s: the public page does not carry its locale's parts", loc)
		}
		render := func(p Page) []byte {
			var buf bytes.Buffer
			if err := s.pages.sets["error"].ExecuteTemplate(&buf, "base", &ErrorView{Page: p, Message: "x"}); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}
		with := render(p)
		p.Layout = nil
		without := render(p)
		if !bytes.Equal(with, without) {
			t.Errorf("%s: the page with the pre-rendered parts differs from the template's", loc)
		}
		for _, part := range []template.HTML{parts.Header, parts.Footer} {
			if len(part) < 100 || !strings.Contains(string(with), string(part)) {
				t.Errorf("%s: part of %d bytes not in the page", loc, len(part))
			}
		}
	}
}
