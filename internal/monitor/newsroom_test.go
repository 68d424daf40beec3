package monitor_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/monitor"
	mt "github.com/presswatch/presswatch/internal/monitor/monitortest"
)

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

type scripted = mt.Scripted

func newsroomScript() ([]*mt.Outlet, []scripted) { return mt.NewsroomScript() }

func TestNewsroom(t *testing.T) {
	if testing.Short() {
		t.Skip("simulated newsroom: 45 simulated days (a few seconds)")
	}
	ctx := context.Background()
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	clock := mt.NewClock(start)
	outlets, script := newsroomScript()
	n := mt.NewNewsroom(t, clock, outlets...)
	store := monitor.NewMemStore()
	for _, o := range outlets {
		mo := monitor.Outlet{Slug: monitor.Slugify(o.Host), Name: o.Name, Homepage: n.URL(o.Host, "/")}
		switch o.Feed {
		case mt.RSS:
			mo.Feeds = []string{n.URL(o.Host, "/feed.xml")}
		case mt.Atom:
			mo.Feeds = []string{n.URL(o.Host, "/atom.xml")}
		case mt.JSON:
			mo.Feeds = []string{n.URL(o.Host, "/feed.json")}
		case mt.Sitemap:
			mo.Sitemaps = []string{n.URL(o.Host, "/sitemap_index.xml")}
		}
		if err := store.SaveOutlet(ctx, mo); err != nil {
			t.Fatal(err)
		}
	}
	m, err := monitor.New(monitor.Options{
		Store:        store,
		Fetcher:      monitor.SafeFetcher{Client: mt.MustClient(t, 2*time.Second)},
		Workers:      4,
		HostInterval: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	var total monitor.RoundStats
	for now := start; now.Before(start.Add(45 * day)); now = now.Add(hour) {
		clock.Set(now)
		st, err := m.RunOnce(ctx, now, monitor.RunOptions{})
		if err != nil {
			t.Fatalf("round at %s: %v", now, err)
		}
		total.Fetches += st.Fetches
		total.NotModified += st.NotModified
		total.Rechecks += st.Rechecks
		total.RecheckNotModified += st.RecheckNotModified
		total.NewArticles += st.NewArticles
		total.Errors += st.Errors
	}
	dets, err := store.Detections(ctx, monitor.DetectionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]monitor.Kind{}
	for _, d := range dets {
		got[d.URL] = append(got[d.URL], d.Kind)
		t.Logf("%s %-11s %s — %s %v", d.At.Sub(start), d.Kind, d.URL, d.Reason, d.Parts)
	}
	tp, fp, fn := 0, 0, 0
	want := map[string]bool{}
	for _, s := range script {
		u, _ := monitor.NormalizeURL(n.URL(s.Host, s.Art.Path))
		want[u] = true
		g := kindsOf(got[u])
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
		if !want[u] {
			fp += len(g)
			t.Errorf("unexpected detections for %s: %v", u, g)
		}
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(max(tp+fn, 1))
	t.Logf("precision %.2f recall %.2f (tp %d fp %d fn %d); %d fetches, %d not modified, %d re-checks (%d answered 304), %d articles, %d errors",
		precision, recall, tp, fp, fn, total.Fetches, total.NotModified, total.Rechecks, total.RecheckNotModified, total.NewArticles, total.Errors)
	if precision != 1 || recall != 1 {
		t.Errorf("precision %.2f recall %.2f, want 1 and 1", precision, recall)
	}
	if n.Requests("dawn.test", "/private/2024/05/robots-disallowed-story") != 0 {
		t.Error("a page robots.txt disallows was fetched")
	}
	if total.RecheckNotModified == 0 || total.NotModified == 0 {
		t.Errorf("no conditional GET answered 304: %+v", total)
	}
	var paths []string
	for _, p := range n.RequestedPaths() {
		if strings.Contains(p, "utm_") {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	if len(paths) > 0 {
		t.Errorf("tracking parameters reached the server: %v", paths)
	}
	// The edit detections carry the parts and a diff that rebuilds both texts.
	for _, d := range dets {
		if d.Kind != monitor.KindEdited {
			continue
		}
		if len(d.Parts) == 0 || d.Diff.OldText() != d.Before.Text() || d.Diff.NewText() != d.After.Text() {
			t.Errorf("edit of %s: parts %v, diff does not rebuild the texts", d.URL, d.Parts)
		}
	}
}

func kindsOf(ks []monitor.Kind) []string {
	var out []string
	for _, k := range ks {
		out = append(out, string(k))
	}
	return out
}
