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

// scripted is one article of the simulated newsroom with the detections its
// script must produce, in order.
type scripted struct {
	host   string
	art    *mt.Article
	expect []monitor.Kind
}

func article(section, slug string, published time.Duration, steps ...mt.Step) *mt.Article {
	a := mt.NewArticle(section, slug)
	a.Published = published
	a.Script = steps
	return a
}

// newsroomScript builds the outlets and what every article must yield.
// Every article is published an hour before the first round, so it is first
// seen at 0 and re-checked at 1 h, 6 h, 24 h, 3 d, 7 d, 30 d.
func newsroomScript() ([]*mt.Outlet, []scripted) {
	const pub = -hour
	var all []scripted
	add := func(host string, a *mt.Article, expect ...monitor.Kind) *mt.Article {
		all = append(all, scripted{host: host, art: a, expect: expect})
		return a
	}
	D, E, R, U := monitor.KindDeleted, monitor.KindEdited, monitor.KindRestored, monitor.KindUnavailable

	editedTitle := article("politics", "title-edited-story", pub, mt.Step{At: 3 * hour, Title: "A quieter headline about the water inquiry"})
	editedLede := article("politics", "lede-edited-story", pub, mt.Step{At: 20 * hour, Lede: "Officials said the review was routine and that no contracts were under investigation."})
	bodyEdit := article("business", "body-edited-story", pub)
	newBody := append([]string(nil), bodyEdit.Body...)
	newBody[2] = strings.Replace(newBody[2], ".", " according to sources close to the chief minister.", 1)
	newBody = append(newBody[:3], newBody[4:]...)
	bodyEdit.Script = []mt.Step{{At: 2 * day, Body: newBody}}
	twice := article("politics", "edited-twice-story", pub,
		mt.Step{At: 3 * hour, Title: "Second version of the headline on the budget"},
		mt.Step{At: 5 * day, Lede: "The budget passed without the amendments the opposition had demanded in the assembly."})
	late := article("sport", "late-published-story", 10*day, mt.Step{At: 10*day + 3*hour, Title: "Cricket board reverses its decision"})

	dawn := &mt.Outlet{Host: "dawn.test", Name: "Dawn", Feed: mt.RSS, Validators: mt.ETag,
		Robots: "User-agent: *\nDisallow: /private/\n\nUser-agent: otherbot\nDisallow: /\n"}
	dawn.Articles = []*mt.Article{
		add("dawn.test", article("politics", "deleted-with-404", pub, mt.Step{At: 3 * hour, Mode: mt.NotFound}), D),
		add("dawn.test", article("politics", "deleted-with-410", pub, mt.Step{At: 20 * hour, Mode: mt.Gone}), D),
		add("dawn.test", article("politics", "deleted-with-451", pub, mt.Step{At: 2 * day, Mode: mt.Legal}), D),
		add("dawn.test", editedTitle, E),
		add("dawn.test", article("business", "moved-permanently-story", pub, mt.Step{At: 3 * hour, Mode: mt.Moved, MovedTo: "/business/2024/05/moved-permanently-story-updated-slug"})),
		add("dawn.test", article("politics", "deleted-then-restored", pub, mt.Step{At: 3 * hour, Mode: mt.NotFound}, mt.Step{At: 2 * day, Mode: mt.Serve}), D, R),
		add("dawn.test", article("politics", "flapping-per-request", pub, mt.Step{At: 2 * hour, Mode: mt.Flap404})),
		add("dawn.test", late, E),
		add("dawn.test", &mt.Article{Path: "/private/2024/05/robots-disallowed-story", Section: "private", Title: "Disallowed", Lede: mt.Paragraph("p", 2), Body: mt.Body("p", 3), Published: pub}),
	}
	tribune := &mt.Outlet{Host: "tribune.test", Name: "Tribune", Feed: mt.Atom, Validators: mt.LastModified, SoftNotFound: true}
	tribune.Articles = []*mt.Article{
		add("tribune.test", article("politics", "soft-404-story", pub, mt.Step{At: 3 * hour, Mode: mt.Soft404}), D),
		add("tribune.test", article("politics", "redirected-home-story", pub, mt.Step{At: 20 * hour, Mode: mt.RedirectHome}), D),
		add("tribune.test", article("business", "redirected-section-story", pub, mt.Step{At: 2 * day, Mode: mt.RedirectSection}), D),
		add("tribune.test", editedLede, E),
		add("tribune.test", article("politics", "brief-outage-story", pub, mt.Step{At: 3 * hour, Mode: mt.Down}, mt.Step{At: 30 * hour, Mode: mt.Serve})),
		add("tribune.test", article("politics", "flapping-outage-story", pub,
			mt.Step{At: 2 * hour, Mode: mt.Down}, mt.Step{At: 8 * hour, Mode: mt.Serve},
			mt.Step{At: 20 * hour, Mode: mt.Down}, mt.Step{At: 30 * hour, Mode: mt.Serve},
			mt.Step{At: 40 * hour, Mode: mt.Down}, mt.Step{At: 60 * hour, Mode: mt.Serve})),
	}
	geo := &mt.Outlet{Host: "geo.test", Name: "Geo", Feed: mt.JSON}
	slow := article("sport", "slow-server-story", pub)
	slow.Delay = 30 * time.Millisecond
	geo.Articles = []*mt.Article{
		add("geo.test", article("politics", "boilerplate-only-story", pub)),
		add("geo.test", article("business", "boilerplate-only-second", pub)),
		add("geo.test", bodyEdit, E),
		add("geo.test", slow),
		add("geo.test", article("politics", "long-outage-story", pub, mt.Step{At: 3 * hour, Mode: mt.Reset}), U),
	}
	express := &mt.Outlet{Host: "express.test", Name: "Express", Feed: mt.Sitemap, Validators: mt.ETag}
	express.Articles = []*mt.Article{
		add("express.test", twice, E, E),
		add("express.test", article("politics", "sitemap-deleted-story", pub, mt.Step{At: 4 * day, Mode: mt.Gone}), D),
		add("express.test", article("politics", "sitemap-long-503-story", pub, mt.Step{At: 5 * hour, Mode: mt.Down}), U),
		add("express.test", article("business", "sitemap-unchanged-story", pub)),
	}
	return []*mt.Outlet{dawn, tribune, geo, express}, all
}

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
		u, _ := monitor.NormalizeURL(n.URL(s.host, s.art.Path))
		want[u] = true
		g := got[u]
		for i := 0; i < max(len(g), len(s.expect)); i++ {
			switch {
			case i < len(g) && i < len(s.expect) && g[i] == s.expect[i]:
				tp++
			case i < len(g) && i < len(s.expect):
				fp++
				fn++
			case i < len(g):
				fp++
			default:
				fn++
			}
		}
		if fmt.Sprint(g) != fmt.Sprint(s.expect) {
			t.Errorf("%s %s: got %v, want %v", s.host, s.art.Path, g, s.expect)
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
