package mirror_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/mirror"
)

var linkRe = regexp.MustCompile(`\s(?:href|src|action)="([^"]*)"`)

// incidentPageFile matches an incident page's file in the mirror, in a
// folder per country and year: incidents/PK-2024/PK-2024-0001.html.
var incidentPageFile = regexp.MustCompile(`^(?:ur/|hi/)?incidents/([A-Z]{2}-\d{4})/([A-Z]{2}-\d{4})-\d+\.html$`)

// crawlMirror follows every link of the mirror served by a plain file
// server and fetches every referenced file; it returns the pages it saw and
// fails on any broken link or reference to another origin than the mirror
// (external links on incident pages excepted: they are not fetched by a
// browser by themselves).
func crawlMirror(t *testing.T, base string) map[string]string {
	t.Helper()
	seen := map[string]string{}
	queue := []string{base + "/index.html"}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if _, ok := seen[u]; ok {
			continue
		}
		res, err := http.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("broken link in the mirror: %s answered %d", u, res.StatusCode)
		}
		seen[u] = string(body)
		if !strings.HasSuffix(u, ".html") && !strings.HasSuffix(u, "/") {
			continue
		}
		pu, _ := url.Parse(u)
		for _, m := range linkRe.FindAllStringSubmatch(string(body), -1) {
			raw := html.UnescapeString(m[1])
			if raw == "" || strings.HasPrefix(raw, "#") || strings.HasPrefix(raw, "mailto:") {
				continue
			}
			lu, err := url.Parse(raw)
			if err != nil {
				t.Fatalf("%s: bad link %q", u, raw)
			}
			if lu.Scheme != "" {
				if strings.HasPrefix(raw, base) {
					t.Fatalf("%s: absolute link %q into the mirror", u, raw)
				}
				continue // another site's address, shown as a link
			}
			if strings.HasPrefix(raw, "/") {
				t.Fatalf("%s: root-relative link %q does not work from a folder", u, raw)
			}
			abs := pu.ResolveReference(lu)
			abs.Fragment, abs.RawQuery = "", ""
			queue = append(queue, abs.String())
		}
	}
	return seen
}

// mainText is the text of a page's <main> element, without tags and with
// whitespace collapsed (links differ between site and mirror; text does not).
var tagRe = regexp.MustCompile(`<[^>]*>`)

func mainText(page string) string {
	i := strings.Index(page, "<main")
	j := strings.LastIndex(page, "</main>")
	if i < 0 || j < i {
		return ""
	}
	s := html.UnescapeString(tagRe.ReplaceAllString(page[i:j], " "))
	return strings.Join(strings.Fields(s), " ")
}

func TestBuildServeCrawl(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a mirror of many incidents (slow); run without -short")
	}
	in := MustInstance(t, 12)
	out := t.TempDir()
	res := in.MustBuild(out, false)
	if len(res.Broken) > 0 {
		t.Logf("the site itself links to pages it does not have (placeholders in the mirror): %v", res.Broken)
	}
	if res.LogSize < 12 {
		t.Errorf("log size %d, want ≥ 12", res.LogSize)
	}
	fsrv := httptest.NewServer(http.FileServer(http.Dir(out)))
	defer fsrv.Close()
	before := in.hits.Load()
	pages := crawlMirror(t, fsrv.URL)
	if n := in.hits.Load() - before; n != 0 {
		t.Errorf("the mirror made %d requests to the origin", n)
	}

	// Every file of the manifest is served, and all languages are there.
	m, err := mirror.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"index.html", "ur/index.html", "hi/index.html", "incidents.html",
		"incidents.csv", "incidents.json", "static/style.css", "log/checkpoint", "log/key", "search/index.html",
		"search/index.json", "mirror.html"} {
		if _, ok := m.Files[want]; !ok {
			t.Errorf("the manifest has no %s", want)
		}
	}
	incidentPages, filterPages := 0, 0
	for f := range m.Files {
		if m := incidentPageFile.FindStringSubmatch(f); m != nil {
			if m[1] != m[2] {
				t.Errorf("%s is not in its own country and year's folder", f)
			}
			incidentPages++
		}
		if strings.HasPrefix(f, "incidents/country/") || strings.HasPrefix(f, "incidents/year/") {
			filterPages++
		}
	}
	if incidentPages != 3*12 {
		t.Errorf("%d incident pages, want 36 (12 incidents × 3 languages)", incidentPages)
	}
	if filterPages == 0 {
		t.Error("no pre-rendered country or year filter pages")
	}

	// Pages say the same as the live site.
	for site, file := range map[string]string{"/": "index.html", "/incidents": "incidents.html",
		"/ur/incidents": "ur/incidents.html"} {
		rec := httptest.NewRecorder()
		in.handler.ServeHTTP(rec, httptest.NewRequest("GET", site, nil))
		got, ok := pages[fsrv.URL+"/"+file]
		if !ok {
			t.Errorf("the crawl did not reach %s", file)
			continue
		}
		if a, b := mainText(rec.Body.String()), mainText(got); a != b || a == "" {
			t.Errorf("%s: main text differs from the site's:\nsite:   %.300s\nmirror: %.300s", file, a, b)
		}
	}
	for u, body := range pages {
		if strings.HasSuffix(u, ".html") && !strings.HasSuffix(u, "/mirror.html") && strings.Contains(body, in.canary.URL) {
			t.Errorf("%s names the origin's address", u)
		}
	}

	// A fresh mirror passes the check, against the instance's log too.
	rep, err := mirror.Check(context.Background(), mirror.CheckOptions{Dir: out, Log: in.log})
	if err != nil {
		t.Fatalf("check of a fresh mirror: %v", err)
	}
	if rep.Files != len(m.Files) {
		t.Errorf("checked %d files, manifest has %d", rep.Files, len(m.Files))
	}
}

func TestCheckNamesFlippedByte(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes a whole mirror twice (~200 MB): 84 s under -race; runs without -short")
	}
	in := MustInstance(t, 6)
	src := t.TempDir()
	in.MustBuild(src, false)
	m, err := mirror.ReadManifest(src)
	if err != nil {
		t.Fatal(err)
	}
	var incidentPage string
	for f := range m.Files {
		if strings.HasPrefix(f, "incidents/") && incidentPageFile.MatchString(f) {
			incidentPage = f
			break
		}
	}
	for _, tc := range []struct{ name, file string }{
		{"page", incidentPage},
		{"home", "index.html"},
		{"export", "incidents.csv"},
		{"log entries", fmt.Sprintf("log/tile/entries/000.p/%d", m.LogSize)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, src, dir)
			flipByte(t, filepath.Join(dir, tc.file))
			_, err := mirror.Check(context.Background(), mirror.CheckOptions{Dir: dir, Log: in.log})
			var be *mirror.BadFileError
			if !errors.As(err, &be) || be.File != tc.file {
				t.Fatalf("check after flipping a byte of %s: %v, want a BadFileError naming it", tc.file, err)
			}
		})
	}
	t.Run("added file", func(t *testing.T) {
		dir := t.TempDir()
		copyDir(t, src, dir)
		if err := os.WriteFile(filepath.Join(dir, "incidents", "extra.html"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := mirror.Check(context.Background(), mirror.CheckOptions{Dir: dir})
		if !errors.Is(err, mirror.ErrNotInManifest) {
			t.Fatalf("check with a file added: %v", err)
		}
	})
	t.Run("logged content edited with the manifest", func(t *testing.T) {
		// An attacker who rewrites a logged file and its manifest line is
		// still caught by the log.
		dir := t.TempDir()
		copyDir(t, src, dir)
		var content string
		for f := range m.Files {
			if strings.Contains(f, "/content/") {
				content = f
			}
		}
		if content == "" {
			t.Skip("the site serves no logged content files")
		}
		flipByte(t, filepath.Join(dir, content))
		rewriteManifestHash(t, dir, content)
		_, err := mirror.Check(context.Background(), mirror.CheckOptions{Dir: dir, Log: in.log})
		var be *mirror.BadFileError
		if !errors.As(err, &be) || be.File != content || !errors.Is(err, mirror.ErrHashMismatch) {
			t.Fatalf("check: %v, want a log mismatch naming %s", err, content)
		}
	})
}

func TestCheckInconsistentWithInstance(t *testing.T) {
	in := MustInstance(t, 4)
	out := t.TempDir()
	in.MustBuild(out, false)
	// A second instance with the same key but another history: a fork.
	other := MustInstance(t, 5)
	_, err := mirror.Check(context.Background(), mirror.CheckOptions{Dir: out, Log: other.log, Key: in.log.VerifierKey()})
	if !errors.Is(err, mirror.ErrInconsistent) {
		t.Fatalf("check against another log: %v, want ErrInconsistent", err)
	}
	// The instance moves on: an older mirror is still consistent.
	in.MustPublish("Later incident")
	if _, err := mirror.Check(context.Background(), mirror.CheckOptions{Dir: out, Log: in.log}); err != nil {
		t.Fatalf("an older mirror of the same log: %v", err)
	}
}

func TestIncrementalRebuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a mirror of many incidents (slow); run without -short")
	}
	in := MustInstance(t, 20)
	out := t.TempDir()
	first := in.MustBuild(out, false)
	if !first.Full {
		t.Fatal("the first build was not full")
	}
	// Nothing changed: nothing but the manifest is written (exports say
	// when they were made; that alone does not rewrite them).
	again := in.MustBuild(out, false)
	if len(again.Written) != 0 {
		t.Errorf("a rebuild with no change wrote %d files: %v", len(again.Written), again.Written)
	}
	pub := in.MustPublish("New incident for the incremental test")
	inc := in.MustBuild(out, false)
	if inc.Full {
		t.Fatal("the rebuild after one publication was full")
	}
	t.Logf("full build: %d files, %d rendered; after one publication: %d rendered, %d written, %d kept, %d removed",
		first.Files, first.Rendered, inc.Rendered, len(inc.Written), inc.Kept, len(inc.Removed))
	newPages := 0
	for _, f := range inc.Written {
		if m := regexp.MustCompile(`^(?:ur/|hi/)?incidents/(?:[A-Z]{2}-\d{4}/)?([A-Z]{2}-\d{4}-\d+)(?:/|\.html$)`).FindStringSubmatch(f); m != nil {
			if m[1] != pub.Ref {
				t.Errorf("rewrote %s, which does not depend on %s", f, pub.Ref)
			}
			newPages++
		}
	}
	if newPages < 3 {
		t.Errorf("wrote %d pages of the new incident, want its 3 languages", newPages)
	}
	// Upper bound: the incident's own files plus the pages built from the
	// whole set (lists, filters, home, exports, search) — never the other
	// incidents' pages, which are most of the mirror.
	m, _ := mirror.ReadManifest(out)
	aggregates := 0
	for _, e := range m.Files {
		if e.Dep == "" || strings.HasPrefix(e.Dep, "filter:") {
			aggregates++
		}
	}
	// Filter pages are rendered again only for the new incident's values.
	own := map[string]bool{"country=" + pub.Country: true, "year=" + pub.DateStart[:4]: true}
	for _, v := range pub.Violations {
		own["category="+v.Category] = true
	}
	filterPages, keptFilter := 0, 0
	for f, e := range m.Files {
		if !strings.HasPrefix(e.Dep, "filter:") {
			continue
		}
		filterPages++
		if !slices.Contains(inc.Written, f) && !own[strings.TrimPrefix(e.Dep, "filter:")] {
			keptFilter++
		}
		if slices.Contains(inc.Written, f) && !own[strings.TrimPrefix(e.Dep, "filter:")] {
			t.Errorf("rewrote %s (%s), a filter the new incident is not in", f, e.Dep)
		}
	}
	if filterPages == 0 || keptFilter == 0 {
		t.Errorf("%d filter pages, %d kept: want filter pages, most of them kept", filterPages, keptFilter)
	}
	if limit := aggregates + 3*4 + 10; len(inc.Written) > limit {
		t.Errorf("wrote %d files, want at most %d", len(inc.Written), limit)
	}
	if inc.Rendered >= first.Rendered {
		t.Errorf("rendered %d pages again, as many as the full build (%d)", inc.Rendered, first.Rendered)
	}
	in.mustEqualFull(t, out)
}

// mustEqualFull checks the mirror in out, built incrementally, and
// compares it with a full build of the same instance.
func (in *instance) mustEqualFull(t *testing.T, out string) {
	t.Helper()
	if _, err := mirror.Check(context.Background(), mirror.CheckOptions{Dir: out, Log: in.log}); err != nil {
		t.Fatalf("check after the incremental build: %v", err)
	}
	m, err := mirror.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	full := t.TempDir()
	in.MustBuild(full, true)
	mf, _ := mirror.ReadManifest(full)
	for f, e := range mf.Files {
		if f == "mirror.html" {
			continue
		}
		if got, ok := m.Files[f]; !ok || (got.SHA256 != e.SHA256 && (e.Stable == "" || got.Stable != e.Stable)) {
			t.Errorf("%s differs between the incremental and the full build", f)
		}
	}
	for f := range m.Files {
		if _, ok := mf.Files[f]; !ok {
			t.Errorf("%s is in the incremental mirror, not in the full one", f)
		}
	}
}

// TestIncrementalBlocks: the list's block pages (counted from the oldest,
// internal/web/list_window.go) are rewritten only when they show other
// incidents. A publication dated after every block rewrites no block page;
// one dated in the middle rewrites the blocks from its place up, and no
// older one. Both incremental mirrors equal a full build.
func TestIncrementalBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a mirror three times (slow); run without -short")
	}
	in := MustSeededInstance(t, 400)
	out := t.TempDir()
	first := in.MustBuild(out, false)
	m, _ := mirror.ReadManifest(out)
	blocks := map[string]string{} // file → dep
	for f, e := range m.Files {
		if strings.HasPrefix(e.Dep, "block:") {
			blocks[f] = e.Dep
		}
	}
	// 400 incidents: the unfiltered list has blocks 1–15 in 3 languages.
	if blocks["incidents/page/1.html"] != "block:1:" || blocks["ur/incidents/page/15.html"] != "block:15:" {
		t.Fatalf("the full build has no block pages 1 and 15 of the list (%d block pages): %v", len(blocks), blocks)
	}

	pub := in.MustPublishOn("An arrest today", "2026-01-05")
	inc := in.MustBuild(out, false)
	if !inc.IndexPatched {
		t.Errorf("the incremental build streamed the record for its search index instead of patching the previous one")
	}
	var lists []string
	for _, f := range inc.Written {
		if blocks[f] != "" {
			t.Errorf("rewrote %s (%s) after a publication newer than every block", f, blocks[f])
		}
		if strings.Contains(f, "incidents") && !strings.HasSuffix(f, "/"+pub.Ref+".html") && strings.HasSuffix(f, ".html") {
			lists = append(lists, f)
		}
	}
	// The newest page of the list and of the incident's country, year and
	// category, in 3 languages.
	if len(lists) > 4*3 {
		t.Errorf("rewrote %d list pages after one publication: %v", len(lists), lists)
	}
	t.Logf("full build: %d files; after a new incident: %d rendered, %d written (%d list pages)",
		first.Files, inc.Rendered, len(inc.Written), len(lists))
	// Rendered, not only written: a block page rendered again for nothing
	// costs as much as one that changed (73 when this was written).
	if inc.Rendered > 150 {
		t.Errorf("rendered %d pages after one publication, want at most 150 of the full build's %d", inc.Rendered, first.Rendered)
	}
	in.mustEqualFull(t, out)

	// Dated in the middle of the record: the blocks from its place up move.
	mid := in.MustPublishOn("An arrest found in the archive", "2020-06-15")
	// A previous index that is not the one the manifest lists (a build
	// stopped after writing it) is not patched: the record is streamed.
	idx := filepath.Join(out, filepath.FromSlash(mirror.IndexFile))
	raw, err := os.ReadFile(idx)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(idx, bytes.Replace(raw, []byte(`"t":"`), []byte(`"t":"Edited `), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	inc = in.MustBuild(out, false)
	if inc.IndexPatched {
		t.Errorf("the build patched a search index whose bytes the previous manifest does not list")
	}
	moved, kept := 0, 0
	for f, dep := range blocks {
		if slices.Contains(inc.Written, f) {
			moved++
		} else if strings.HasSuffix(dep, ":") {
			kept++
		}
	}
	if moved == 0 || kept == 0 {
		t.Errorf("after an incident dated %s: %d block pages rewritten, %d of the list kept; want some of each", mid.DateStart, moved, kept)
	}
	t.Logf("after an incident dated in the middle: %d rendered, %d written (%d block pages)", inc.Rendered, len(inc.Written), moved)
	in.mustEqualFull(t, out)

	// Another, with the index as the manifest lists it: patched again.
	in.MustPublishOn("Another arrest found in the archive", "2019-02-11")
	if inc = in.MustBuild(out, false); !inc.IndexPatched {
		t.Errorf("the build after a backfilled incident streamed the record for its index")
	}
	in.mustEqualFull(t, out)
}

func TestArchive(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses a whole mirror (~200 MB) twice: 148 s under -race; runs without -short")
	}
	in := MustInstance(t, 3)
	out := t.TempDir()
	in.MustBuild(out, false)
	for _, name := range []string{"m.tar.zst", "m.zip"} {
		p := filepath.Join(t.TempDir(), name)
		if err := mirror.WriteArchive(out, p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		dir := t.TempDir()
		mustExtract(t, p, dir)
		if _, err := mirror.Check(context.Background(), mirror.CheckOptions{Dir: dir, Log: in.log}); err != nil {
			t.Errorf("check of the unpacked %s: %v", name, err)
		}
	}
	if err := mirror.WriteArchive(out, filepath.Join(t.TempDir(), "m.rar")); err == nil {
		t.Error("an unknown archive type was accepted")
	}
}
