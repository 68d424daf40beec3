package web

import (
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/geo"
)

// TestUntranslatedTextMarked: on Urdu and Hindi pages, English text shown
// for want of a translation is marked lang="en" dir="ltr", the "not yet
// translated" notice is a small label, translated text is not marked, and
// province codes are shown by name in the page language (cards, facets,
// chips, the incident's place).
func TestUntranslatedTextMarked(t *testing.T) {
	e := MustEnv(t)
	e.srv.opts.CountryName = geo.Names
	english := e.mustPublished(sampleIncident("Reporter beaten (Lahore): a test!"))
	tr := sampleIncident("Translated incident")
	tr.Translations = map[string]domain.Translation{"ur": {Title: "ترجمہ شدہ واقعہ", Summary: "خلاصہ"}}
	translated := e.mustPublished(tr)
	c := e.client()

	for _, tc := range []struct {
		path     string
		want     []string
		dontWant []string
	}{
		{"/ur/incidents/" + english, []string{
			`<h1 lang="en" dir="ltr">Reporter beaten (Lahore): a test!</h1>`,
			`<p class="untranslated"><small>`,
			`<p class="lead" lang="en" dir="ltr">A reporter was beaten`,
			`<div lang="en" dir="ltr"><p>He was <strong>beaten</strong>`,
			geo.Names("PK-PB", "ur"),
		}, []string{`class="note"`}},
		{"/hi/incidents/" + english, []string{`<h1 lang="en" dir="ltr">`, geo.Names("PK-PB", "hi")}, nil},
		{"/ur/incidents/" + translated, []string{`<h1>ترجمہ شدہ واقعہ</h1>`, `<p class="lead">خلاصہ</p>`,
			`<div lang="en" dir="ltr">`}, []string{`<p class="untranslated">`}},
		{"/incidents/" + english, []string{`<h1>Reporter beaten`, "Punjab"}, []string{`<h1 lang`, `class="lead" lang`, `<div lang`, `class="untranslated"`}},
		{"/ur/incidents?admin1=PK-PB", []string{
			`<h3 lang="en" dir="ltr"><a href="/ur/incidents/` + english + `">`,
			`<p class="summary" lang="en" dir="ltr">`,
			`<h3><a href="/ur/incidents/` + translated + `">ترجمہ شدہ واقعہ</a></h3>`,
			`<p class="summary">خلاصہ</p>`,
			`<p class="untranslated"><small>`,
		}, []string{">PK-PB<"}},
	} {
		r := c.get(tc.path)
		if r.status != 200 {
			t.Fatalf("%s: %d", tc.path, r.status)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.body, w) {
				t.Errorf("%s: missing %q\n%s", tc.path, w, excerpt(r.body))
			}
		}
		for _, w := range tc.dontWant {
			if strings.Contains(r.body, w) {
				t.Errorf("%s: has %q", tc.path, w)
			}
		}
	}
	// Facets and chips name the province in the page language.
	r := c.get("/ur/incidents?admin1=PK-PB")
	if n := geo.Names("PK-PB", "ur"); strings.Count(r.body, n) < 2 {
		t.Errorf("Urdu province name %q not in the facets and chips", n)
	}
}
