package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/geo"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
	"github.com/presswatch/presswatch/internal/web"
)

var (
	cardRefRe = regexp.MustCompile(`<bdi class="ref">([^<]+)</bdi>`)
	nextRe    = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
)

// publisher publishes incidents on a publicSite through the workflow.
type publisher struct {
	svc              *editorial.Service
	editor, reviewer *domain.User
}

func newPublisher(tb testing.TB, site *publicSite) *publisher {
	return &publisher{svc: editorial.New(site.db, site.db, site.db, site.db, site.db, nil),
		editor:   storetest.MustUser(tb, site.db, "editor@list.invalid", domain.RoleEditor),
		reviewer: storetest.MustUser(tb, site.db, "reviewer@list.invalid", domain.RoleReviewer)}
}

func (p *publisher) publish(tb testing.TB, title, date string) string {
	tb.Helper()
	ctx := context.Background()
	inc := storetest.NewIncident(title)
	inc.DateStart = date
	if err := p.svc.CreateIncident(ctx, p.editor, inc, "test"); err != nil {
		tb.Fatal(err)
	}
	if err := p.svc.Submit(ctx, p.editor, inc.ID, inc.Version, ""); err != nil {
		tb.Fatal(err)
	}
	if err := p.svc.Approve(ctx, p.reviewer, inc.ID, inc.Version, "ok"); err != nil {
		tb.Fatal(err)
	}
	pub, err := p.svc.Publish(ctx, p.editor, inc.ID, inc.Version)
	if err != nil {
		tb.Fatal(err)
	}
	return pub.Ref
}

// walkList follows the list's "older" links from path and returns the
// refs of every page in order, and each page's body by its path.
func walkList(tb testing.TB, site *publicSite, path string) ([]string, map[string][]byte) {
	tb.Helper()
	var refs []string
	pages := map[string][]byte{}
	for path != "" {
		if pages[path] != nil {
			tb.Fatalf("the list's older links loop back to %s", path)
		}
		body := site.mustGet(tb, path)
		pages[path] = body
		for _, m := range cardRefRe.FindAllSubmatch(body, -1) {
			refs = append(refs, string(m[1]))
		}
		path = ""
		if m := nextRe.FindSubmatch(body); m != nil {
			path = html.UnescapeString(string(m[1]))
		}
	}
	return refs, pages
}

// TestListBlocksStayPut: the list in date order is paged in blocks counted
// from the oldest; following "older" from the newest page shows every
// incident once in order; a new incident changes the newest page and no
// block page, and adds a block when the count crosses a multiple of 25; an
// incident dated before a block moves it (the cost of numbering from the
// oldest, documented).
func TestListBlocksStayPut(t *testing.T) {
	site := MustPublicSite(t, 240)
	all := oldestFirst(t, site, "")
	slices.Reverse(all)
	refs, pages := walkList(t, site, "/incidents")
	if !slices.Equal(refs, all) {
		t.Fatalf("the walk from the newest page shows %d incidents, want the %d of the list in order", len(refs), len(all))
	}
	if len(pages) != 9 {
		t.Errorf("%d pages for 240 incidents, want the newest (40) and 8 blocks", len(pages))
	}
	newest := pages["/incidents"]
	if n := len(cardRefRe.FindAll(newest, -1)); n != 40 {
		t.Errorf("the newest page shows %d incidents, want 40 (the 9th block and 15 more)", n)
	}
	if !bytes.Contains(newest, []byte("240 incidents")) || !bytes.Contains(newest, []byte(`class="count"`)) {
		t.Errorf("the newest page shows no total or no facet counts")
	}
	block3 := pages["/incidents?page=3"]
	if !bytes.Contains(block3, []byte("Page 3: incidents 51 to 75, counted from the earliest")) {
		t.Errorf("block 3 does not say which incidents it shows")
	}
	if bytes.Contains(block3, []byte("240 incidents")) || bytes.Contains(block3, []byte(`class="count"`)) {
		t.Errorf("block 3 shows the total or facet counts, which change with every publication")
	}
	if got := cardRefs(block3); !slices.Equal(got, all[240-75:240-50]) {
		t.Errorf("block 3 shows %v, want positions 51–75 from the oldest", got)
	}

	pub := newPublisher(t, site)
	fresh := pub.publish(t, "A new arrest", "2026-01-05")
	refs, after := walkList(t, site, "/incidents")
	if refs[0] != fresh || len(refs) != 241 {
		t.Fatalf("after one publication the list starts with %s and has %d incidents", refs[0], len(refs))
	}
	for p, body := range pages {
		if p == "/incidents" {
			continue
		}
		if !bytes.Equal(body, after[p]) {
			t.Errorf("%s changed after a publication newer than it", p)
		}
	}

	// Nine more reach 250: block 9 gets a page of its own.
	for i := range 9 {
		pub.publish(t, fmt.Sprintf("Another arrest %d", i), "2026-01-06")
	}
	refs, after = walkList(t, site, "/incidents")
	if len(refs) != 250 || len(after) != 10 {
		t.Fatalf("at 250 incidents: %d shown on %d pages, want 250 on 10", len(refs), len(after))
	}
	for n := 1; n <= 5; n++ {
		p := fmt.Sprintf("/incidents?page=%d", n)
		if !bytes.Equal(pages[p], after[p]) {
			t.Errorf("%s changed when block 9 was added", p)
		}
	}

	// An incident older than every other moves every block by one.
	old := pub.publish(t, "An arrest found in the archive", "2010-02-01")
	want := oldestFirst(t, site, "")[:25]
	slices.Reverse(want)
	if got := cardRefs(site.mustGet(t, "/incidents?page=1")); !slices.Equal(got, want) || !slices.Contains(got, old) {
		t.Errorf("block 1 after a backfilled incident: %v, want the 25 oldest, %s among them", got, old)
	}

	// Beyond the last block: not found; other orders keep plain pages.
	if st, _, _ := site.get(t, "/incidents?page=99"); st != 404 {
		t.Errorf("page 99 of 10 blocks: %d, want 404", st)
	}
	oldest := site.mustGet(t, "/incidents?sort=oldest&page=2")
	if got := cardRefs(oldest); len(got) != 25 || bytes.Contains(oldest, []byte("counted from the earliest")) {
		t.Errorf("sort=oldest&page=2 shows %d incidents or a block line", len(got))
	}
}

func cardRefs(body []byte) []string {
	var out []string
	for _, m := range cardRefRe.FindAllSubmatch(body, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// oldestFirst is every incident of the list of query in date order from
// the oldest, from the JSON list.
func oldestFirst(tb testing.TB, site *publicSite, query string) []string {
	tb.Helper()
	var out []string
	for page := 1; ; page++ {
		var body struct {
			Items []struct {
				Ref string `json:"ref"`
			} `json:"items"`
		}
		if err := json.Unmarshal(site.mustGet(tb, fmt.Sprintf("/incidents.json?sort=oldest&per_page=500&page=%d%s", page, query)), &body); err != nil {
			tb.Fatal(err)
		}
		if len(body.Items) == 0 {
			return out
		}
		for _, it := range body.Items {
			out = append(out, it.Ref)
		}
	}
}

// unrankedStore is the real store, whose relevance pages say they could
// not be ranked (the store does so past 20,000 matches, too many to seed
// here; store's TestFrequentWordSets checks when it says so).
type unrankedStore struct{ *store.DB }

func (u unrankedStore) SearchPublic(ctx context.Context, f domain.IncidentFilter) (*domain.PublicPage, error) {
	p, err := u.DB.SearchPublic(ctx, f)
	if err == nil && f.Q != "" && f.Sort == "relevance" {
		p.Unranked = true
	}
	return p, err
}

// TestListSaysUnranked: a search the store could not rank tells the reader
// its order, in every language; a list by date says nothing.
func TestListSaysUnranked(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	storetest.SeedPublic(t, db, 60, 11)
	svc := editorial.New(db, db, db, db, db, nil)
	srv, err := web.New(web.Options{Service: svc, Public: unrankedStore{db}, Sessions: db, Stats: db, CountryName: geo.Names,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) string {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		return rec.Body.String()
	}
	if body := get("/incidents?q=journalist"); !strings.Contains(body, "listed newest first") {
		t.Errorf("an unranked search does not say so")
	}
	if body := get("/ur/incidents?q=journalist"); !strings.Contains(body, "تازہ ترین پہلے") {
		t.Errorf("an unranked search does not say so in Urdu")
	}
	if body := get("/incidents"); strings.Contains(body, "listed newest first") {
		t.Errorf("the list by date says it could not be ranked")
	}
}
