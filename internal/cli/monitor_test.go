package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/cli"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/monitor"
	mt "github.com/presswatch/presswatch/internal/monitor/monitortest"
	"github.com/presswatch/presswatch/internal/store"
)

// runTest runs a command with the test-only resolver that sends ".test"
// names to 127.0.0.1 (honoured only with --insecure-allow-private-addresses).
func runTest(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb strings.Builder
	getenv := func(k string) string {
		if k == "PRESSWATCH_INSECURE_TEST_RESOLVER" {
			return "test"
		}
		return ""
	}
	code := cli.Run(context.Background(), args, getenv, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestMonitorNewsroomCLI drives the simulated newsroom through the real
// commands, the SQL store and the evidence pipeline, one `monitor run
// --once` every 6 simulated hours for 45 days (--now is the test clock).
func TestMonitorNewsroomCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("simulated newsroom through the CLI: 180 rounds")
	}
	for name, db := range engines(t) {
		t.Run(name, func(t *testing.T) { testNewsroomCLI(t, db) })
	}
}

func testNewsroomCLI(t *testing.T, dbArgs []string) {
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	clock := mt.NewClock(start)
	outlets, script := mt.NewsroomScript()
	n := mt.NewNewsroom(t, clock, outlets...)
	data := t.TempDir()
	base := append([]string{"--data", data}, dbArgs...)
	if code, _, stderr := runTest(t, append([]string{"migrate"}, base...)...); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	for _, o := range outlets {
		args := append([]string{"outlet", "add", "--name", o.Name, "--homepage", n.URL(o.Host, "/"), "--country", "PK"}, base...)
		switch o.Feed {
		case mt.RSS:
			args = append(args, "--feed", n.URL(o.Host, "/feed.xml"))
		case mt.Atom:
			args = append(args, "--feed", n.URL(o.Host, "/atom.xml"))
		case mt.JSON:
			args = append(args, "--feed", n.URL(o.Host, "/feed.json"))
		case mt.Sitemap:
			args = append(args, "--sitemap", n.URL(o.Host, "/sitemap_index.xml"))
		}
		if code, _, stderr := runTest(t, args...); code != 0 {
			t.Fatalf("outlet add: %s", stderr)
		}
	}
	for now := start; now.Before(start.Add(45 * 24 * time.Hour)); now = now.Add(6 * time.Hour) {
		clock.Set(now)
		code, stdout, stderr := runTest(t, append([]string{"monitor", "run", "--once", "--insecure-allow-private-addresses",
			"--host-interval", "-1ns", "--workers", "4", "--log-level", "error", "--now", now.Format(time.RFC3339)}, base...)...)
		if code != 0 {
			t.Fatalf("round at %s: %s\n%s", now, stdout, stderr)
		}
	}
	code, stdout, stderr := runTest(t, append([]string{"monitor", "events", "--format", "json"}, base...)...)
	if code != 0 {
		t.Fatalf("events: %s", stderr)
	}
	var events []cli.EventJSON
	if err := json.Unmarshal([]byte(stdout), &events); err != nil {
		t.Fatalf("events json: %v\n%s", err, stdout)
	}
	got := map[string][]string{}
	for _, e := range events {
		got[e.URL] = append(got[e.URL], e.Kind)
	}
	tp, fp, fn := 0, 0, 0
	for _, s := range script {
		u, _ := monitor.NormalizeURL(n.URL(s.Host, s.Art.Path))
		g := got[u]
		delete(got, u)
		for i := 0; i < max(len(g), len(s.Expect)); i++ {
			switch {
			case i < len(g) && i < len(s.Expect) && g[i] == s.Expect[i]:
				tp++
			case i < len(g) && i < len(s.Expect):
				fp++
				fn++
			case i < len(g):
				fp++
			default:
				fn++
			}
		}
		if fmt.Sprint(g) != fmt.Sprint(s.Expect) {
			t.Errorf("%s %s: got %v, want %v", s.Host, s.Art.Path, g, s.Expect)
		}
	}
	for u, g := range got {
		fp += len(g)
		t.Errorf("unexpected detections for %s: %v", u, g)
	}
	t.Logf("precision/recall: tp %d fp %d fn %d", tp, fp, fn)
	if fp != 0 || fn != 0 {
		t.Errorf("precision and recall are not 100%%")
	}
	// Evidence and incidents: every deletion and edit has both captures
	// and a draft incident; every detection is in the log.
	db, err := store.Open(context.Background(), dbURL(data, dbArgs))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, e := range events {
		if e.Kind != "deleted" && e.Kind != "edited" {
			continue
		}
		if e.CaptureBefore == 0 || e.CaptureAfter == 0 || e.IncidentID == 0 || e.Review != "open" {
			t.Errorf("%s %s: captures %d/%d incident %d review %q", e.Kind, e.URL, e.CaptureBefore, e.CaptureAfter, e.IncidentID, e.Review)
			continue
		}
		inc, err := db.FindIncident(context.Background(), e.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		v := inc.Violations[0]
		wantCat := map[string]string{"deleted": "content_removed", "edited": "content_edited"}[e.Kind]
		if inc.Publication != domain.PublicationDraft || v.Category != wantCat || v.Details.ContentURL != e.URL ||
			v.Details.CaptureBefore != e.CaptureBefore || v.Details.CaptureAfter != e.CaptureAfter || len(v.Targets) != 1 || v.Targets[0].Kind != "outlet" {
			t.Errorf("incident of detection %d: %+v", e.ID, inc)
		}
	}
	var logged int
	if err := db.ReaderDB().QueryRow(`SELECT COUNT(*) FROM log_entries WHERE kind = 'detection'`).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if logged != len(events) {
		t.Errorf("%d detection log entries, want %d", logged, len(events))
	}
	var revisits int
	if err := db.ReaderDB().QueryRow(`SELECT COUNT(*) FROM captures WHERE revisit_of IS NOT NULL`).Scan(&revisits); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d detections, %d revisit captures", len(events), revisits)
	if n.Requests("dawn.test", "/private/2024/05/robots-disallowed-story") != 0 {
		t.Error("a page robots.txt disallows was fetched")
	}
}

func dbURL(data string, dbArgs []string) string {
	for i, a := range dbArgs {
		if a == "--database" && i+1 < len(dbArgs) {
			return dbArgs[i+1]
		}
	}
	return filepath.Join(data, "presswatch.db")
}

func TestOutletCommandErrors(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := runTest(t, "migrate", "--data", data); code != 0 {
		t.Fatal(stderr)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no subcommand", []string{"outlet"}, 2, "Usage"},
		{"unknown subcommand", []string{"outlet", "frobnicate"}, 2, "unknown outlet command"},
		{"add without name", []string{"outlet", "add", "--homepage", "https://dawn.com/"}, 2, "--name and --homepage"},
		{"add bad homepage", []string{"outlet", "add", "--name", "X", "--homepage", "ftp://x"}, 2, "not an http or https URL"},
		{"add bad feed", []string{"outlet", "add", "--name", "X", "--homepage", "https://x.com/", "--feed", "javascript:alert(1)"}, 2, "--feed"},
		{"add bad country", []string{"outlet", "add", "--name", "X", "--homepage", "https://x.com/", "--country", "Pakistan"}, 2, "ISO 3166-1"},
		{"remove unknown", []string{"outlet", "remove", "nope"}, 1, "not found"},
		{"remove no slug", []string{"outlet", "remove"}, 2, "exactly one slug"},
		{"import missing file", []string{"outlet", "import", filepath.Join(data, "none.csv")}, 1, "cannot open"},
		{"list bad format", []string{"outlet", "list", "--format", "xml"}, 2, "text or json"},
		{"run without once", []string{"monitor", "run"}, 2, "--once"},
		{"run bad now", []string{"monitor", "run", "--once", "--now", "yesterday"}, 2, "RFC 3339"},
		{"events bad kind", []string{"monitor", "events", "--kind", "vanished"}, 2, "--kind"},
		{"monitor unknown", []string{"monitor", "watch"}, 2, "unknown monitor command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(tc.args, "--data", data)
			if len(tc.args) == 1 {
				args = tc.args
			}
			code, _, stderr := runTest(t, args...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.msg)
			}
		})
	}
	// add, list (json), import, remove.
	if code, _, stderr := runTest(t, "outlet", "add", "--data", data, "--name", "Dawn", "--homepage", "https://www.dawn.com/", "--feed", "https://www.dawn.com/feeds/home", "--country", "pk"); code != 0 {
		t.Fatal(stderr)
	}
	csv := filepath.Join(data, "list.csv")
	os.WriteFile(csv, []byte("url,category_code,category_description,date_added,source,notes\nhttp://127.0.0.1:1/,NEWS,News,2017-01-01,,\nhttps://example.org/,POLR,Political,2017-01-01,,\nnot a url,NEWS,News,,,\n"), 0o600)
	code, stdout, stderr := runTest(t, "outlet", "import", csv, "--data", data)
	if code != 0 || !strings.Contains(stdout, "imported 1 outlets") || !strings.Contains(stderr, "skipped") {
		t.Errorf("import: %d %q %q", code, stdout, stderr)
	}
	code, stdout, _ = runTest(t, "outlet", "list", "--format", "json", "--data", data)
	var rows []struct{ Slug, Country string }
	if code != 0 || json.Unmarshal([]byte(stdout), &rows) != nil || len(rows) != 2 || rows[1].Slug != "dawn-com" || rows[1].Country != "PK" {
		t.Errorf("list: %d %s", code, stdout)
	}
	if code, _, stderr := runTest(t, "outlet", "remove", "dawn-com", "--data", data); code != 0 {
		t.Error(stderr)
	}
}
