package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/geo"
	"github.com/presswatch/presswatch/internal/web"
)

var asideRe = regexp.MustCompile(`(?s)<aside class="filters">.*</aside>`)

// TestListAsideSharedAcrossPages: the filter form and facets are rendered
// once per locale and filter, and every page of the filter shows them: a
// page rendered with the aside of an earlier page is byte for byte the
// page a fresh server renders, and filters or locales never share one.
func TestListAsideSharedAcrossPages(t *testing.T) {
	site := MustPublicSite(t, 240)
	warm := []string{"/incidents", "/incidents?page=2", "/incidents?country=PK", "/ur/incidents?country=PK",
		"/incidents?country=IN", "/incidents?year=2020", "/hi/incidents?category=website_blocked"}
	for _, p := range warm {
		site.mustGet(t, p)
	}
	svc := editorial.New(site.db, site.db, site.db, site.db, site.db, nil)
	fresh, err := web.New(web.Options{Service: svc, Public: site.db, Sessions: site.db, Stats: site.db, CountryName: geo.Names,
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	asides := map[string]string{}
	for _, p := range []string{"/incidents", "/incidents?page=3", "/incidents?country=PK", "/incidents?country=PK&page=1",
		"/ur/incidents?country=PK", "/ur/incidents?country=PK&page=1", "/incidents?country=IN", "/incidents?country=IN&page=1",
		"/incidents?year=2020", "/hi/incidents?category=website_blocked", "/hi/incidents?page=2"} {
		got := site.mustGet(t, p)
		rec := httptest.NewRecorder()
		fresh.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("fresh GET %s: %d", p, rec.Code)
		}
		if !bytes.Equal(got, rec.Body.Bytes()) {
			t.Errorf("%s with a cached aside differs from a fresh server's page", p)
		}
		a := asideRe.Find(got)
		if a == nil {
			t.Fatalf("%s: no aside", p)
		}
		// Block pages show the form without counts; the newest pages of
		// two filters or locales never share an aside.
		if strings.Contains(p, "page=") {
			if bytes.Contains(a, []byte(`class="facet"`)) || bytes.Contains(a, []byte(`class="count"`)) {
				t.Errorf("%s: a block page's aside shows counts", p)
			}
			continue
		}
		if !bytes.Contains(a, []byte(`class="count"`)) {
			t.Errorf("%s: the newest page's aside shows no counts", p)
		}
		for q, other := range asides {
			if other == string(a) {
				t.Errorf("%s and %s show the same aside", p, q)
			}
		}
		asides[p] = string(a)
	}
}
