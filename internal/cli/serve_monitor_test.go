package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/presswatch/presswatch/internal/cli"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/monitor"
	"github.com/presswatch/presswatch/internal/store"
)

// mustDetection stores a detection of kind on outlet "dawn" and, for
// deletions and edits, opens its draft incident as the monitor does.
func mustDetection(t *testing.T, db *store.DB, kind monitor.Kind, url string, before, after monitor.Snapshot, at time.Time) monitor.Detection {
	t.Helper()
	ctx := context.Background()
	d := monitor.Detection{Kind: kind, URL: url, Outlet: "dawn", At: at, Reason: "test " + string(kind),
		Before: before, After: after, Diff: monitor.DiffText(before.Text(), after.Text())}
	if kind == monitor.KindEdited {
		d.Parts = []string{"body"}
	}
	d, err := db.Monitor().AddDetection(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	o, err := db.Monitor().Outlet(ctx, "dawn")
	if err != nil {
		t.Fatal(err)
	}
	if inc := cli.DetectionIncident(d, o); inc != nil {
		svc := editorial.New(db, db, db, db, db, nil)
		if err := svc.CreateIncident(ctx, cli.MonitorAuthor, inc, "opened by the test"); err != nil {
			t.Fatalf("draft incident: %v (%v)", err, domain.ErrorFields(err))
		}
		if err := db.Monitor().SetDetectionIncident(ctx, d.ID, inc.ID); err != nil {
			t.Fatal(err)
		}
		d.IncidentID = inc.ID
	}
	return d
}

// feedSite serves an RSS feed, a sitemap and an HTML page on 127.0.0.1.
func feedSite(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://example.test/</link><description>d</description>
<item><title>One</title><link>http://example.test/one</link></item></channel></rss>`))
	})
	mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://example.test/one</loc></url></urlset>`))
	})
	mux.HandleFunc("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><title>not a feed</title><p>hello`))
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

var reDel = regexp.MustCompile(`<del>[^<]*</del>`)

// TestMonitorPages drives the monitor's pages through the real serve on
// SQLite: access by role, CSRF, confirm and dismiss, the public outlet
// page and its Atom feed (only confirmed detections), and the outlet forms
// (feeds fetched through safehttp with the test-only allowance).
func TestMonitorPages(t *testing.T) {
	for engine, dbArgs := range engines(t) {
		t.Run(engine, func(t *testing.T) { testMonitorPages(t, dbArgs) })
	}
}

func testMonitorPages(t *testing.T, dbArgs []string) {
	dir := t.TempDir()
	for _, u := range []struct{ email, role string }{{"editor@mon.test", "editor"}, {"reviewer@mon.test", "reviewer"}} {
		args := append([]string{"user", "add", "--email", u.email, "--role", u.role, "--password-stdin", "--data", dir}, dbArgs...)
		if code, out, errs := run(t, "first password here\n", args...); code != 0 {
			t.Fatalf("user add: %d %s %s", code, out, errs)
		}
	}
	ctx := context.Background()
	var db *store.DB
	if len(dbArgs) == 2 { // PostgreSQL
		var err error
		if db, err = store.Open(ctx, dbArgs[1]); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
	} else {
		db = openDB(t, dir)
	}
	if err := db.Monitor().SaveOutlet(ctx, monitor.Outlet{Slug: "dawn", Name: "Dawn Test", Country: "PK", Language: "en",
		Homepage: "https://dawn.example/", Feeds: []string{"https://dawn.example/feed"}}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 2, 3, 10, 0, 0, 0, time.UTC)
	before := monitor.Snapshot{Status: 200, Title: "Minister under inquiry", Lede: "The minister is under inquiry.",
		Body: "Officials said the inquiry began in January and would last months."}
	edited := before
	edited.Body = "Officials said the review began in January."
	gone := monitor.Snapshot{Status: 410}
	del := mustDetection(t, db, monitor.KindDeleted, "https://dawn.example/news/1", before, gone, at)
	ed := mustDetection(t, db, monitor.KindEdited, "https://dawn.example/news/2", before, edited, at.Add(24*time.Hour))

	in := startServe(t, dir, dbArgs, "--insecure-allow-private-addresses")

	anon := in.browser()
	for _, p := range []string{"/admin/detections", "/admin/detections/1", "/admin/outlets", "/admin/outlets/dawn"} {
		if code, loc := anon.do("GET", p, nil); code != http.StatusSeeOther || loc != "/admin/login" {
			t.Errorf("anonymous GET %s: %d %s, want the login", p, code, loc)
		}
	}
	if code, _ := anon.do("POST", "/admin/detections/1/confirm", url.Values{}); code != http.StatusForbidden {
		t.Errorf("anonymous POST without token: %d", code)
	}
	// Nothing is confirmed yet: the public page lists no finding.
	if code, body := anon.do("GET", "/outlets/dawn", nil); code != http.StatusOK || strings.Contains(body, "Minister under inquiry") {
		t.Fatalf("public page before review: %d %s", code, excerpt(body))
	}

	// A reviewer sees the queue and the diff but cannot act.
	reviewer := in.browser()
	reviewer.signIn("reviewer@mon.test", "first password here")
	code, body := reviewer.do("GET", "/admin/detections", nil)
	if code != http.StatusOK || !strings.Contains(body, "https://dawn.example/news/1") || strings.Contains(body, "/confirm") {
		t.Fatalf("reviewer queue: %d %s", code, excerpt(body))
	}
	code, body = reviewer.do("GET", "/admin/detections/"+itoa(ed.ID), nil)
	if code != http.StatusOK || !strings.Contains(body, `class="sidebyside"`) || !reDel.MatchString(body) || !strings.Contains(body, "<ins>") {
		t.Fatalf("reviewer detection page: %d %s", code, excerpt(body))
	}
	if code, _ := reviewer.submit("/admin/detections/"+itoa(ed.ID), "/admin/detections/"+itoa(ed.ID)+"/confirm", url.Values{}); code != http.StatusForbidden {
		t.Errorf("reviewer confirm: %d, want 403", code)
	}
	if code, _ := reviewer.do("GET", "/admin/detections/999", nil); code != http.StatusNotFound {
		t.Errorf("missing detection: %d", code)
	}

	// An editor confirms the deletion and dismisses the edit.
	editor := in.browser()
	editor.signIn("editor@mon.test", "first password here")
	code, loc := editor.submit("/admin/detections", "/admin/detections/"+itoa(del.ID)+"/confirm", url.Values{"note": {"Checked by phone."}})
	if code != http.StatusSeeOther || loc != "/admin/incidents/"+itoa(del.IncidentID)+"?ok=detection" {
		t.Fatalf("confirm: %d %s", code, loc)
	}
	code, loc = editor.submit("/admin/detections/"+itoa(ed.ID), "/admin/detections/"+itoa(ed.ID)+"/dismiss", url.Values{"note": {"Typo fix."}})
	if code != http.StatusSeeOther || loc != "/admin/detections?ok=dismissed" {
		t.Fatalf("dismiss: %d %s", code, loc)
	}
	if code, _ := editor.submit("/admin/detections?review=any", "/admin/detections/"+itoa(ed.ID)+"/confirm", url.Values{}); code != http.StatusConflict {
		t.Errorf("second decision: %d, want 409", code)
	}
	if code, body := editor.do("GET", "/admin/detections", nil); code != http.StatusOK || strings.Contains(body, "https://dawn.example/news/") {
		t.Errorf("the open queue still lists decided detections: %s", excerpt(body))
	}
	dismissed, err := db.FindIncident(ctx, ed.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	if dismissed.Publication != domain.PublicationDraft || !contains(dismissed.Tags, "monitor-dismissed") || contains(dismissed.Tags, "monitor") {
		t.Errorf("dismissed draft: %s %v", dismissed.Publication, dismissed.Tags)
	}
	entries, _, err := db.ListAudit(ctx, domain.AuditFilter{Page: 1, PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"detection.confirmed", "detection.dismissed"} {
		if !contains(actions, want) {
			t.Errorf("no audit row %s in %v", want, actions)
		}
	}

	// The public page and the feed show the confirmed deletion only.
	code, body = anon.do("GET", "/outlets/dawn", nil)
	if code != http.StatusOK || !strings.Contains(body, "https://dawn.example/news/1") || strings.Contains(body, "https://dawn.example/news/2") {
		t.Fatalf("public page: %d %s", code, excerpt(body))
	}
	if code, body := anon.do("GET", "/ur/outlets/dawn", nil); code != http.StatusOK || !strings.Contains(body, `dir="rtl"`) {
		t.Errorf("Urdu page: %d", code)
	}
	if code, body := anon.do("GET", "/outlets", nil); code != http.StatusOK || !strings.Contains(body, "Dawn Test") {
		t.Errorf("outlet list: %d %s", code, excerpt(body))
	}
	code, body = anon.do("GET", "/outlets/dawn.atom", nil)
	if code != http.StatusOK {
		t.Fatalf("feed: %d", code)
	}
	checkOutletFeed(t, []byte(body), in.base, 1)
	if code, _ := anon.do("GET", "/outlets/nope", nil); code != http.StatusNotFound {
		t.Errorf("unknown outlet: %d", code)
	}

	// Outlet forms: a feed that is not a feed is refused at its field; a
	// real one is fetched and saved; robots can be ignored, shown publicly.
	site := feedSite(t)
	bad := url.Values{"name": {"Local News"}, "homepage": {site.URL + "/"}, "slug": {"local"}, "feeds": {site.URL + "/page.html"}}
	code, body = editor.submit("/admin/outlets", "/admin/outlets", bad)
	if code != http.StatusBadRequest || !strings.Contains(body, "did not answer with an RSS, Atom or JSON feed") {
		t.Fatalf("bad feed: %d %s", code, excerpt(body))
	}
	good := url.Values{"name": {"Local News"}, "homepage": {site.URL + "/"}, "slug": {"local"}, "feeds": {site.URL + "/rss.xml"},
		"sitemaps": {site.URL + "/sitemap.xml"}, "country": {"pk"}}
	if code, loc := editor.submit("/admin/outlets", "/admin/outlets", good); code != http.StatusSeeOther || loc != "/admin/outlets?ok=created" {
		t.Fatalf("add outlet: %d %s %s", code, loc, excerpt(editor.body))
	}
	if code, _ := editor.submit("/admin/outlets", "/admin/outlets", good); code != http.StatusBadRequest {
		t.Errorf("duplicate slug: %d", code)
	}
	if code, _ := reviewer.submit("/admin/outlets", "/admin/outlets/local/delete", url.Values{}); code != http.StatusForbidden {
		t.Errorf("reviewer remove: %d", code)
	}
	good.Set("ignore_robots", "1")
	good.Set("poll_every", "30m")
	if code, loc := editor.submit("/admin/outlets/local", "/admin/outlets/local", good); code != http.StatusSeeOther {
		t.Fatalf("edit outlet: %d %s %s", code, loc, excerpt(editor.body))
	}
	o, err := db.Monitor().Outlet(ctx, "local")
	if err != nil || !o.IgnoreRobots || o.PollEvery != 30*time.Minute || o.Country != "PK" || len(o.Sitemaps) != 1 {
		t.Fatalf("stored outlet: %+v %v", o, err)
	}
	if _, body := anon.do("GET", "/outlets/local", nil); !strings.Contains(body, "robots.txt ignored") {
		t.Errorf("the public page does not say robots.txt is ignored: %s", excerpt(body))
	}
	if code, loc := editor.submit("/admin/outlets/local", "/admin/outlets/local/delete", url.Values{}); code != http.StatusSeeOther || loc != "/admin/outlets?ok=removed" {
		t.Fatalf("remove: %d %s", code, loc)
	}
	if code, _ := anon.do("GET", "/outlets/local", nil); code != http.StatusNotFound {
		t.Errorf("removed outlet: %d", code)
	}
}

// checkOutletFeed validates an outlet's Atom feed with gofeed and the
// rules of /incidents.atom: Atom namespace, one id, title, updated, a self
// link, and entries with id, title, updated and an alternate link.
func checkOutletFeed(t *testing.T, body []byte, base string, entries int) {
	t.Helper()
	if !bytes.Contains(body, []byte(`xmlns="http://www.w3.org/2005/Atom"`)) {
		t.Error("the feed is not in the Atom namespace")
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("gofeed: %v", err)
	}
	if feed.FeedType != "atom" || feed.FeedVersion != "1.0" || feed.Title == "" || feed.UpdatedParsed == nil {
		t.Errorf("feed head: type %s %s, title %q, updated %v", feed.FeedType, feed.FeedVersion, feed.Title, feed.Updated)
	}
	if feed.FeedLink != base+"/outlets/dawn.atom" {
		t.Errorf("self link %q", feed.FeedLink)
	}
	if len(feed.Items) != entries {
		t.Fatalf("%d entries, want %d", len(feed.Items), entries)
	}
	ids := map[string]bool{}
	for _, it := range feed.Items {
		if it.GUID == "" || ids[it.GUID] || it.Title == "" || it.UpdatedParsed == nil || it.Link == "" {
			t.Errorf("entry: id %q title %q updated %v link %q", it.GUID, it.Title, it.Updated, it.Link)
		}
		ids[it.GUID] = true
		if !strings.Contains(it.Description, "https://dawn.example/news/1") {
			t.Errorf("entry summary %q", it.Description)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
