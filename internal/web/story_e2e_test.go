package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/stories"
)

// mustIntakeStoriesEnv is MustIntakeEnv with stories wired too (the keys
// of stories are the intake editor keys, as cli wires them).
func mustIntakeStoriesEnv(t *testing.T) (*intakeEnv, *stories.Service) {
	t.Helper()
	ie := MustIntakeEnv(t, intake.Options{})
	e := ie.env
	svc := stories.New(e.db, e.db, e.db, dbKeys{e.db}, []byte(strings.Repeat("p", 32)), nil)
	svc.Now = e.clock.Now
	logger := ie.srv.log
	srv, err := New(Options{Service: e.svc, Public: e.db, Sessions: e.db, Now: e.clock.Now, Logger: logger, Intake: ie.svc,
		Stories: svc, LogContent: e.db.FindLogContent})
	if err != nil {
		t.Fatal(err)
	}
	e.ts.Close()
	e.srv = srv
	e.ts = httptest.NewServer(srv)
	t.Cleanup(e.ts.Close)
	return ie, svc
}

const e2eName = "Parveen Hiddenauthor Zq"

// TestIntakeToStoryEndToEnd: a source's report (real intake over HTTP, a
// message and a file) becomes a draft story; the source logs in with the
// codename, sees the text and approves it; two editors publish it; it is
// on /stories, in the feed and in the log; the anonymous author's name is
// nowhere in the public site, the exports, the server log or the database
// files.
func TestIntakeToStoryEndToEnd(t *testing.T) {
	ie, svc := mustIntakeStoriesEnv(t)
	e := ie.env
	ctx := context.Background()

	src := ie.client()
	codename, _ := ie.submitReport(src, "They spiked my piece about the contracts. "+e2eName+" wrote it.",
		[]filePart{{"contracts.pdf", strings.NewReader("%PDF-1.4 the contracts")}})

	ed := e.client()
	ed.login("editor")
	if r := ed.submit("/admin/intake", "/admin/intake/unlock", url.Values{"password": {testPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("unlock: %d", r.status)
	}
	var reportID int64
	if err := e.db.Reader().QueryRow(ctx, "SELECT id FROM intake_reports").Scan(&reportID); err != nil {
		t.Fatal(err)
	}
	rp := "/admin/intake/" + id64(reportID)
	if r := ed.get(rp); !strings.Contains(r.body, rp+"/story") {
		t.Fatalf("no make-a-story action on the report: %s", excerpt(r.body))
	}
	form := ed.get(rp + "/story")
	if form.status != 200 || !strings.Contains(form.body, `value="contact">`) || strings.Contains(form.body, `value="contact" checked`) {
		t.Fatalf("story form: %d (contact details must not be ticked)", form.status)
	}
	att := regexp.MustCompile(`name="file" value="(\d+)" checked`).FindStringSubmatch(form.body)
	if att == nil {
		t.Fatalf("the attachment is not offered: %s", excerpt(form.body))
	}
	// Bad input re-renders the form with a field message.
	if r := ed.submit(rp+"/story", rp+"/story", url.Values{"kind": {"testimony"}, "language": {"en"}, "author_display": {"anonymous"}, "title": {""}}); r.status != http.StatusBadRequest || !strings.Contains(r.body, "field-error") {
		t.Fatalf("empty title: %d", r.status)
	}
	r := ed.submit(rp+"/story", rp+"/story", url.Values{"title": {"The contracts they spiked"}, "kind": {"censored_story"},
		"language": {"en"}, "author_display": {"anonymous"}, "real_name": {e2eName}, "fact": {"what"}, "file": {att[1]}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("make story: %d %s", r.status, excerpt(r.body))
	}
	page := r.header.Get("Location")
	storyID := regexp.MustCompile(`/admin/stories/(\d+)$`).FindStringSubmatch(page)[1]
	if r := ed.get(page); !strings.Contains(r.body, "Sealed originals from the report") || !strings.Contains(r.body, "/attachments/"+att[1]) {
		t.Fatalf("story page does not list the sealed original: %s", excerpt(r.body))
	}
	// The story's text is the editors' (the message is not carried: only "what").
	st, err := svc.FindStory(ctx, e.users["editor"].u, mustInt(t, storyID))
	if err != nil || len(st.IntakeFiles) != 1 || st.IntakeReportID != reportID || strings.Contains(st.Body, "spiked my piece") {
		t.Fatalf("story: %+v %v", st, err)
	}
	// Write the body, submit, approve by a second editor.
	edit := url.Values{"version": {"1"}, "kind": {"censored_story"}, "title": {"The contracts they spiked"}, "standfirst": {"raid"},
		"body": {"The piece the newsroom refused, as the source wrote it."}, "language": {"en"}, "author_display": {"anonymous"}}
	if r := ed.submit(page+"/edit", page+"/edit", edit); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.status, excerpt(r.body))
	}
	if r := ed.submit(page, page+"/submit", url.Values{"version": {"2"}}); r.status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.status)
	}
	ed2 := e.client()
	ed2.login("editor2")
	if r := ed2.submit(page, page+"/approve", url.Values{"version": {"2"}}); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.status, excerpt(r.body))
	}
	// Without the source's approval it cannot be published.
	if r := ed.submit(page, page+"/publish", url.Values{"version": {"2"}}); r.status == http.StatusSeeOther {
		t.Fatal("published without the source's approval")
	}

	// The source logs in with the codename, reads the text, approves,
	// withdraws, approves again.
	back := ie.client()
	if r := back.submit("/submit/login", "/submit/login", url.Values{"codename": {codename}}); r.status != http.StatusSeeOther {
		t.Fatalf("source login: %d", r.status)
	}
	reports := back.get("/submit/reports")
	if !strings.Contains(reports.body, "The piece the newsroom refused") || !strings.Contains(reports.body, "Approve revision 2") {
		t.Fatalf("the source does not see the text under review: %s", excerpt(reports.body))
	}
	approve := "/submit/reports/" + id64(reportID) + "/stories/" + storyID + "/approve"
	withdraw := "/submit/reports/" + id64(reportID) + "/stories/" + storyID + "/withdraw"
	if r := back.submit("/submit/reports", approve, url.Values{"version": {"2"}}); r.status != http.StatusSeeOther {
		t.Fatalf("source approve: %d %s", r.status, excerpt(r.body))
	}
	if r := back.submit("/submit/reports", withdraw, nil); r.status != http.StatusSeeOther {
		t.Fatalf("withdraw consent: %d", r.status)
	}
	if r := ed.submit(page, page+"/publish", url.Values{"version": {"2"}}); r.status == http.StatusSeeOther {
		t.Fatal("published after the source withdrew consent")
	}
	if r := back.submit("/submit/reports", approve, url.Values{"version": {"2"}}); r.status != http.StatusSeeOther {
		t.Fatalf("source approve again: %d", r.status)
	}
	// Another source cannot act on this story: the same 404 as a missing one.
	other := ie.client()
	ie.submitReport(other, "unrelated", nil)
	ocsrf := reCSRF.FindStringSubmatch(other.get("/submit/reports").body)[1]
	for _, p := range []string{approve, "/submit/reports/999/stories/" + storyID + "/approve"} {
		if r := other.post(p, url.Values{"csrf": {ocsrf}, "version": {"2"}}, "Origin", e.ts.URL); r.status != http.StatusNotFound {
			t.Fatalf("another source on %s: %d", p, r.status)
		}
	}
	if r := ed.submit(page, page+"/publish", url.Values{"version": {"2"}}); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", r.status, excerpt(r.body))
	}

	// Public: list, feed, JSON, page, log entry and logged content.
	list, err := svc.Search(ctx, domain.StoryFilter{})
	if err != nil || list.Total != 1 {
		t.Fatalf("published: %v %v", list, err)
	}
	pub := list.Items[0]
	v := e.client()
	for _, p := range []string{"/stories", "/stories.atom", "/stories.json", "/stories/" + pub.Slug, store.StoryContentPath(pub.Slug, pub.ContentHash())} {
		if r := v.get(p); r.status != 200 || !strings.Contains(r.body, "The contracts they spiked") {
			t.Fatalf("GET %s: %d", p, r.status)
		}
	}
	var logged int
	if err := e.db.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM log_entries WHERE ref = ?", "story:"+pub.Slug).Scan(&logged); err != nil || logged != 1 {
		t.Fatalf("log entries for the story: %d %v", logged, err)
	}

	// The name appears nowhere public: crawl every page reachable from the
	// home page and the exports.
	seen := crawlPublic(t, v, "/", "/stories", "/stories.atom", "/stories.json", "/incidents.csv", "/incidents.json",
		"/incidents.ndjson", "/incidents.atom", "/log", "/data", "/stories/"+pub.Slug+".json",
		store.StoryContentPath(pub.Slug, pub.ContentHash()))
	for p, body := range seen {
		for _, secret := range []string{e2eName, "Hiddenauthor", "signal 123"} {
			if strings.Contains(body, secret) {
				t.Fatalf("%q is on the public page %s", secret, p)
			}
		}
	}
	if len(seen) < 8 {
		t.Fatalf("the crawl saw only %d pages", len(seen))
	}
	// Nor in the server's log, nor in the database files (with the WAL) or
	// the data folder: the name is only inside ciphertext.
	if bytes.Contains(ie.logs.Bytes(), []byte("Hiddenauthor")) {
		t.Fatal("the name is in the server log")
	}
	for _, dir := range []string{filepath.Dir(ie.dbPath()), ie.dir} {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte("Hiddenauthor")) {
				t.Fatalf("the name is in %s", p)
			}
			return nil
		})
	}
}

var reHref = regexp.MustCompile(`(?:href|src)="(/[^"#]*)"`)

// crawlPublic fetches start and every same-site link it finds (not the
// back office or the submission path), without JavaScript, and returns
// each page's body.
func crawlPublic(t *testing.T, c *client, start ...string) map[string]string {
	t.Helper()
	seen := map[string]string{}
	queue := append([]string(nil), start...)
	for len(queue) > 0 && len(seen) < 400 {
		p := queue[0]
		queue = queue[1:]
		if _, ok := seen[p]; ok || strings.HasPrefix(p, "/admin") || strings.Contains(p, "/submit") || strings.HasPrefix(p, "/static/") {
			continue
		}
		r := c.get(strings.ReplaceAll(p, "&amp;", "&"))
		if r.status >= 500 {
			t.Fatalf("GET %s: %d", p, r.status)
		}
		seen[p] = r.body
		for _, m := range reHref.FindAllStringSubmatch(r.body, -1) {
			queue = append(queue, m[1])
		}
	}
	return seen
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
