package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/presswatch/presswatch/internal/api"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/geo"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
	"github.com/presswatch/presswatch/internal/web"
)

// publicSite is the real web server with the API mounted, over a real
// SQLite store seeded with generated published incidents.
type publicSite struct {
	ts *httptest.Server
	db *store.DB
}

// MustPublicSite starts the site over n seeded incidents.
func MustPublicSite(tb testing.TB, n int) *publicSite {
	tb.Helper()
	db := storetest.MustOpenSQLite(tb)
	storetest.SeedPublic(tb, db, n, 11)
	svc := editorial.New(db, db, db, db, db, nil)
	h, err := api.New(api.Options{Public: db, Stats: db, Vocab: db, Status: web.ErrorStatus})
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := web.New(web.Options{Service: svc, Public: db, Sessions: db, Stats: db, CountryName: geo.Names,
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC) },
		Mounts: map[string]http.Handler{"/api/": h}})
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	return &publicSite{ts: ts, db: db}
}

func (s *publicSite) get(tb testing.TB, path string) (int, http.Header, []byte) {
	tb.Helper()
	resp, err := s.ts.Client().Get(s.ts.URL + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func (s *publicSite) mustGet(tb testing.TB, path string) []byte {
	tb.Helper()
	st, _, b := s.get(tb, path)
	if st != 200 {
		tb.Fatalf("GET %s: %d %s", path, st, b[:min(len(b), 300)])
	}
	return b
}

var countLine = regexp.MustCompile(`<p class="count-line"><strong>([\d,]+) incidents?</strong>`)

func htmlCount(tb testing.TB, body []byte) int {
	tb.Helper()
	m := countLine.FindSubmatch(body)
	if m == nil {
		tb.Fatalf("no count line in page")
	}
	n, _ := strconv.Atoi(strings.ReplaceAll(string(m[1]), ",", ""))
	return n
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestOneFilterEveryOutput: one table of filters through the HTML list
// count, /incidents.json, CSV, NDJSON, Atom, the API and the statistics
// gives the same set of incidents as the store's EachPublic.
func TestOneFilterEveryOutput(t *testing.T) {
	site := MustPublicSite(t, 240)
	filters := []string{
		"",
		"country=PK",
		"country=pk",
		"country=ZZ",
		"country=",
		"country=&category=",
		"category=website_blocked",
		"category=no_such_category",
		"family=violence",
		"actor_type=police&target_role=reporter",
		"gender=woman",
		"verification=confirmed",
		"year=2020",
		"from=2019-01-01&to=2020-06-30",
		"to=2016",
		"admin1=PK-PB",
		"tag=elections",
		"country=PK&country=IN",
		"country=PK,IN&family=legal",
		"q=journalist",
		"q=" + url.QueryEscape("صحافی"),
		"q=" + url.QueryEscape("पत्रकार"),
		"q=" + url.QueryEscape(`journalist AND (NOT "court`),
		"q=" + url.QueryEscape(`* ^ : - "`),
		"q=" + url.QueryEscape("صحافی") + "&country=PK",
		"sort=oldest&country=IN",
		"demo=true",
	}
	for _, q := range filters {
		t.Run(q, func(t *testing.T) {
			vals, _ := url.ParseQuery(q)
			f, err := domain.ParseIncidentFilter(vals)
			if err != nil {
				t.Fatalf("filter: %v", err)
			}
			var want []string
			if err := site.db.EachPublic(context.Background(), f, func(p *domain.PublicIncident) error {
				want = append(want, p.Ref)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			want = sorted(want)
			if q == "q=journalist" || q == "" {
				if len(want) == 0 {
					t.Fatal("the test data should match something")
				}
			}
			sep := "?"
			if q != "" {
				q, sep = "?"+q, "&"
			}
			check := func(name string, got []string) {
				t.Helper()
				if g := sorted(got); !slices.Equal(g, want) {
					t.Errorf("%s: %d incidents, want %d", name, len(g), len(want))
				}
			}
			// HTML count, list and statistics pages.
			if n := htmlCount(t, site.mustGet(t, "/incidents"+q)); n != len(want) {
				t.Errorf("HTML list count %d, want %d", n, len(want))
			}
			if n := htmlCount(t, site.mustGet(t, "/stats"+q)); n != len(want) {
				t.Errorf("stats page count %d, want %d", n, len(want))
			}
			// JSON pages.
			var got []string
			for page := 1; ; page++ {
				var p web.IncidentsJSON
				if err := json.Unmarshal(site.mustGet(t, "/incidents.json"+q+sep+"per_page=100&page="+strconv.Itoa(page)), &p); err != nil {
					t.Fatal(err)
				}
				if p.Total != len(want) {
					t.Errorf("JSON total %d, want %d", p.Total, len(want))
				}
				for _, it := range p.Items {
					got = append(got, it.Ref)
				}
				if p.Next == "" || page > 20 {
					break
				}
			}
			check("JSON", got)
			// CSV, every shape.
			for _, shape := range []string{"", "violations", "targets"} {
				path := "/incidents.csv" + q
				if shape != "" {
					path += sep + "shape=" + shape
				}
				rows, err := csv.NewReader(bytes.NewReader(site.mustGet(t, path))).ReadAll()
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				got = nil
				for _, r := range rows[1:] {
					if len(got) == 0 || got[len(got)-1] != r[0] {
						got = append(got, r[0])
					}
				}
				if shape == "" {
					check("CSV", got)
				} else {
					got = slices.Compact(sorted(got))
					for _, ref := range got {
						if _, ok := slices.BinarySearch(want, ref); !ok {
							t.Errorf("CSV %s: %s is not in the filter", shape, ref)
						}
					}
				}
			}
			// NDJSON.
			got = nil
			for _, line := range bytes.Split(bytes.TrimSpace(site.mustGet(t, "/incidents.ndjson"+q)), []byte("\n")) {
				if len(line) == 0 {
					continue
				}
				var p domain.PublicIncident
				if err := json.Unmarshal(line, &p); err != nil {
					t.Fatalf("NDJSON line: %v", err)
				}
				got = append(got, p.Ref)
			}
			check("NDJSON", got)
			// Atom, every page.
			got = nil
			next := site.ts.URL + "/incidents.atom" + q
			for i := 0; next != "" && i < 20; i++ {
				feed, err := gofeed.NewParser().ParseString(string(site.mustGet(t, strings.TrimPrefix(next, site.ts.URL))))
				if err != nil {
					t.Fatalf("Atom: %v", err)
				}
				for _, it := range feed.Items {
					got = append(got, it.GUID[strings.LastIndex(it.GUID, "/")+1:])
				}
				next = ""
				for _, l := range feed.Links {
					_ = l
				}
				if feed.FeedType != "atom" {
					t.Fatalf("feed type %s", feed.FeedType)
				}
				next = atomLink(t, site.mustGet(t, strings.TrimPrefix(feedSelf(feed, site.ts.URL+"/incidents.atom"+q), site.ts.URL)), "next")
			}
			check("Atom", got)
			// API, following the cursor.
			got = nil
			next = api.Prefix + "/incidents" + q + sep + "per_page=50"
			for i := 0; next != "" && i < 20; i++ {
				var p api.IncidentList
				if err := json.Unmarshal(site.mustGet(t, next), &p); err != nil {
					t.Fatal(err)
				}
				for _, it := range p.Items {
					got = append(got, it.Ref)
				}
				next = p.Next
			}
			check("API", got)
			// Statistics totals through the API.
			var st domain.Stats
			if err := json.Unmarshal(site.mustGet(t, api.Prefix+"/stats"+q), &st); err != nil {
				t.Fatal(err)
			}
			if st.Incidents != len(want) {
				t.Errorf("API stats total %d, want %d", st.Incidents, len(want))
			}
			inMonths := 0
			seen := map[string]bool{}
			_ = seen
			for _, c := range st.Families {
				inMonths += c.Count
			}
			if len(want) > 0 && inMonths < len(want) {
				t.Errorf("family counts %d cover fewer than %d incidents", inMonths, len(want))
			}
		})
	}
}

func feedSelf(feed *gofeed.Feed, fallback string) string {
	if feed.FeedLink != "" {
		return feed.FeedLink
	}
	return fallback
}

var linkRe = regexp.MustCompile(`<link rel="([a-z]+)"[^>]*href="([^"]+)"`)

// atomLink returns the href of the feed-level link with rel, or "".
func atomLink(t *testing.T, body []byte, rel string) string {
	t.Helper()
	head := body
	if i := bytes.Index(body, []byte("<entry>")); i > 0 {
		head = body[:i]
	}
	for _, m := range linkRe.FindAllSubmatch(head, -1) {
		if string(m[1]) == rel {
			return strings.ReplaceAll(string(m[2]), "&amp;", "&")
		}
	}
	return ""
}

// TestAtomFeed checks the Atom rules: one feed id, title, updated and
// author; self, alternate and RFC 5005 first/last/next/previous links;
// xml:lang; every entry with id, title, updated and an alternate link.
func TestAtomFeed(t *testing.T) {
	site := MustPublicSite(t, 120)
	body := site.mustGet(t, "/ur/incidents.atom?country=PK&per_page=10&page=2")
	var doc struct {
		XMLName string `xml:"feed"`
		Lang    string `xml:"lang,attr"`
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Author  []struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Links []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Entries []struct {
			ID      string `xml:"id"`
			Title   string `xml:"title"`
			Updated string `xml:"updated"`
			Links   []struct {
				Rel  string `xml:"rel,attr"`
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xmlUnmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, []byte(`xmlns="http://www.w3.org/2005/Atom"`)) || !bytes.Contains(body, []byte(`xml:lang="ur"`)) {
		t.Errorf("namespace or xml:lang missing: %.300s", body)
	}
	if doc.ID == "" || doc.Title == "" || len(doc.Author) == 0 || doc.Author[0].Name == "" {
		t.Errorf("feed id, title and author are required: %+v", doc)
	}
	if _, err := time.Parse(time.RFC3339, doc.Updated); err != nil {
		t.Errorf("updated %q: %v", doc.Updated, err)
	}
	rels := map[string]string{}
	for _, l := range doc.Links {
		rels[l.Rel] = l.Href
	}
	for _, rel := range []string{"self", "alternate", "first", "last", "next", "previous"} {
		if rels[rel] == "" {
			t.Errorf("no link rel=%s", rel)
		}
	}
	if !strings.Contains(rels["self"], "page=2") || !strings.Contains(rels["next"], "page=3") || strings.Contains(rels["first"], "&page=") {
		t.Errorf("paging links: %v", rels)
	}
	if len(doc.Entries) != 10 {
		t.Fatalf("%d entries, want 10", len(doc.Entries))
	}
	ids := map[string]bool{}
	for _, e := range doc.Entries {
		if e.ID == "" || e.Title == "" || ids[e.ID] {
			t.Errorf("entry id/title: %+v", e)
		}
		ids[e.ID] = true
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry updated %q", e.Updated)
		}
		if _, err := url.Parse(e.ID); err != nil || !strings.HasPrefix(e.ID, "http") {
			t.Errorf("entry id must be an IRI: %q", e.ID)
		}
	}
	feed, err := gofeed.NewParser().ParseString(string(body))
	if err != nil || len(feed.Items) != 10 || feed.Language != "ur" {
		t.Fatalf("gofeed: %v, %d items, language %q", err, len(feed.Items), feed.Language)
	}
	// Every list page links its feed.
	list := site.mustGet(t, "/incidents?country=PK")
	if !bytes.Contains(list, []byte(`<link rel="alternate" type="application/atom+xml"`)) || !bytes.Contains(list, []byte(`/incidents.atom?country=PK`)) {
		t.Error("the list does not link its feed")
	}
}

// TestExports checks CSV (RFC 4180, header, snapshot, shapes), NDJSON
// shapes, a bad shape and the data dictionary.
func TestExports(t *testing.T) {
	site := MustPublicSite(t, 60)
	st, h, body := site.get(t, "/incidents.csv?country=PK")
	if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", st, h.Get("Content-Type"))
	}
	snap := h.Get("X-Snapshot-Time")
	if _, err := time.Parse(time.RFC3339, snap); err != nil {
		t.Errorf("X-Snapshot-Time %q", snap)
	}
	if !bytes.Contains(body, []byte("\r\n")) {
		t.Error("CSV lines must end with CRLF")
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("csv: %v", err)
	}
	header := rows[0]
	if header[0] != "ref" || header[len(header)-1] != "snapshot_at" || rows[1][len(header)-1] != snap {
		t.Errorf("header %v, row %v", header, rows[1])
	}
	if !strings.HasSuffix(rows[1][1], "/incidents/"+rows[1][0]) {
		t.Errorf("url column %q", rows[1][1])
	}
	for _, shape := range []string{"violations", "targets"} {
		rows, err := csv.NewReader(bytes.NewReader(site.mustGet(t, "/incidents.csv?shape="+shape))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %v", shape, err)
		}
		for _, r := range rows {
			if len(r) != len(web.ExportColumns(shape)) {
				t.Fatalf("%s: row of %d columns", shape, len(r))
			}
		}
		lines := bytes.Split(bytes.TrimSpace(site.mustGet(t, "/incidents.ndjson?shape="+shape)), []byte("\n"))
		if len(lines) != len(rows)-1 {
			t.Errorf("%s: %d NDJSON lines, %d CSV rows", shape, len(lines), len(rows)-1)
		}
		var m map[string]any
		if err := json.Unmarshal(lines[0], &m); err != nil || m["ref"] == nil || m["detail"] == nil {
			t.Errorf("%s NDJSON: %v %s", shape, err, lines[0])
		}
	}
	// Bad input on an export is a JSON error naming the field at fault.
	for path, field := range map[string]string{
		"/incidents.csv?shape=cells":       "shape",
		"/incidents.ndjson?from=yesterday": "from",
		"/incidents.json?per_page=lots":    "per_page",
	} {
		st, h, body := site.get(t, path)
		var e struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		if err := json.Unmarshal(body, &e); st != 400 || err != nil || !strings.HasPrefix(h.Get("Content-Type"), "application/json") ||
			e.Error.Code != "invalid" || e.Error.Fields[field] == "" {
			t.Errorf("%s: %d %s %s, want 400 and a JSON error naming %s", path, st, h.Get("Content-Type"), body, field)
		}
	}
	data := string(site.mustGet(t, "/data"))
	for _, p := range domain.FilterParams {
		if !strings.Contains(data, "<code>"+p.Name+"</code>") {
			t.Errorf("/data does not document %s", p.Name)
		}
	}
	for _, c := range web.ExportColumns(web.ShapeTargets) {
		if !strings.Contains(data, "<code>"+c.Name+"</code>") {
			t.Errorf("/data does not document column %s", c.Name)
		}
	}
	if !strings.Contains(data, "<code>website_blocked</code>") {
		t.Error("/data lacks the category vocabulary")
	}
}

// TestStatsAndMapPages checks the pages in three languages and the CSV of
// every chart.
func TestStatsAndMapPages(t *testing.T) {
	site := MustPublicSite(t, 150)
	for _, prefix := range []string{"", "/ur", "/hi"} {
		stats := string(site.mustGet(t, prefix+"/stats?country=PK"))
		if strings.Count(stats, "<svg") < 5 || !strings.Contains(stats, "<table") {
			t.Errorf("%s/stats: charts or tables missing", prefix)
		}
		m := string(site.mustGet(t, prefix+"/map"))
		if strings.Count(m, "<svg") != 3 {
			t.Errorf("%s/map: %d maps, want 3", prefix, strings.Count(m, "<svg"))
		}
		if !strings.Contains(m, "admin1=PK-PB") || !strings.Contains(m, "country=PK") {
			t.Errorf("%s/map: regions do not link to their filter", prefix)
		}
	}
	if !strings.Contains(string(site.mustGet(t, "/ur/stats")), `dir="rtl"`) {
		t.Error("Urdu stats page is not right-to-left")
	}
	if !strings.Contains(string(site.mustGet(t, "/ur/map")), geo.Names("PK", "ur")) {
		t.Error("Urdu map lacks the Urdu country name")
	}
	for _, chart := range []string{"monthly", "families", "actors", "targets", "outlets", "countries"} {
		st, h, body := site.get(t, "/stats/"+chart+".csv?country=PK")
		if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s.csv: %d", chart, st)
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Errorf("%s.csv: %v %d rows", chart, err, len(rows))
		}
	}
	if st, _, _ := site.get(t, "/stats/nothing.csv"); st != 404 {
		t.Errorf("unknown chart: %d", st)
	}
	if st, _, _ := site.get(t, "/stats?from=soon"); st != 400 {
		t.Errorf("bad filter: %d", st)
	}
}

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }
