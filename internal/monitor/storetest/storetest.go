// Package storetest is the contract suite of monitor.Store: every
// implementation (the in-memory MemStore, the SQL store on SQLite and
// PostgreSQL) runs it and must behave the same.
package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/monitor"
)

// Run runs the contract suite; open returns a fresh, empty store for each
// subtest.
func Run(t *testing.T, open func(t *testing.T) monitor.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s monitor.Store)
	}{
		{"Outlets", testOutlets},
		{"OutletState", testOutletState},
		{"Validators", testValidators},
		{"Articles", testArticles},
		{"Lease", testLease},
		{"Detections", testDetections},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var ctx = context.Background()

// T0 is the suite's reference time.
var T0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Outlet returns a valid outlet for slug.
func Outlet(slug string) monitor.Outlet {
	return monitor.Outlet{Slug: slug, Name: "Outlet " + slug, Country: "PK", Language: "ur",
		Homepage: "https://" + slug + ".example/", Feeds: []string{"https://" + slug + ".example/feed.xml"},
		Sitemaps: []string{"https://" + slug + ".example/sitemap.xml"}, PollEvery: 2 * time.Hour}
}

func testOutlets(t *testing.T, s monitor.Store) {
	wantCode(t, s.SaveOutlet(ctx, monitor.Outlet{Slug: "Bad Slug", Name: "x", Homepage: "https://e.com/"}), domain.EINVALID)
	_, err := s.Outlet(ctx, "none")
	wantCode(t, err, domain.ENOTFOUND)
	wantCode(t, s.RemoveOutlet(ctx, "none"), domain.ENOTFOUND)
	b, a := Outlet("bravo"), Outlet("alpha")
	a.IgnoreRobots = true
	a.Feeds = nil
	must(t, s.SaveOutlet(ctx, b))
	must(t, s.SaveOutlet(ctx, a))
	got, err := s.Outlet(ctx, "alpha")
	must(t, err)
	if got.Name != a.Name || got.Country != "PK" || got.Language != "ur" || !got.IgnoreRobots || len(got.Feeds) != 0 ||
		len(got.Sitemaps) != 1 || got.PollEvery != 2*time.Hour || got.Homepage != a.Homepage {
		t.Errorf("outlet = %+v, want %+v", got, a)
	}
	a.Name = "Renamed"
	must(t, s.SaveOutlet(ctx, a))
	all, err := s.Outlets(ctx)
	must(t, err)
	if len(all) != 2 || all[0].Slug != "alpha" || all[0].Name != "Renamed" || all[1].Slug != "bravo" {
		t.Errorf("outlets = %+v", all)
	}
	_, err = s.AddArticle(ctx, monitor.Article{URL: "https://alpha.example/a", Outlet: "alpha", FirstSeen: T0, NextCheck: T0, State: monitor.StateNew})
	must(t, err)
	must(t, s.RemoveOutlet(ctx, "alpha"))
	_, err = s.Article(ctx, "https://alpha.example/a")
	wantCode(t, err, domain.ENOTFOUND)
	all, _ = s.Outlets(ctx)
	if len(all) != 1 {
		t.Errorf("after remove: %d outlets", len(all))
	}
}

func testOutletState(t *testing.T, s monitor.Store) {
	_, err := s.OutletState(ctx, "none")
	wantCode(t, err, domain.ENOTFOUND)
	must(t, s.SaveOutlet(ctx, Outlet("alpha")))
	st, err := s.OutletState(ctx, "alpha")
	must(t, err)
	if st.Slug != "alpha" || !st.LastPoll.IsZero() || !st.ProbeAt.IsZero() {
		t.Errorf("fresh state %+v", st)
	}
	ok, err := s.ClaimPoll(ctx, "alpha", T0, time.Hour)
	must(t, err)
	if !ok {
		t.Error("first claim refused")
	}
	if ok, _ := s.ClaimPoll(ctx, "alpha", T0.Add(30*time.Minute), time.Hour); ok {
		t.Error("claim inside the interval granted")
	}
	if ok, _ := s.ClaimPoll(ctx, "alpha", T0.Add(time.Hour), time.Hour); !ok {
		t.Error("claim after the interval refused")
	}
	st.ProbeAt, st.ProbeStatus, st.ProbeText = T0, 200, "page not found"
	st.LastPoll = T0 // older than the claim: must not move back
	must(t, s.SaveOutletState(ctx, st))
	got, err := s.OutletState(ctx, "alpha")
	must(t, err)
	if !got.ProbeAt.Equal(T0) || got.ProbeStatus != 200 || got.ProbeText != "page not found" || !got.LastPoll.Equal(T0.Add(time.Hour)) {
		t.Errorf("state %+v", got)
	}
	// Concurrent claims: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimPoll(ctx, "alpha", T0.Add(3*time.Hour), time.Hour)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d concurrent claims won, want 1", wins)
	}
}

func testValidators(t *testing.T, s monitor.Store) {
	c, err := s.Validators(ctx, "https://e.example/feed")
	must(t, err)
	if c != (monitor.Conditional{}) {
		t.Errorf("unknown validators %+v", c)
	}
	want := monitor.Conditional{ETag: `"v1"`, LastModified: "Wed, 01 May 2024 12:00:00 GMT"}
	must(t, s.SaveValidators(ctx, "https://e.example/feed", want))
	want.ETag = `"v2"`
	must(t, s.SaveValidators(ctx, "https://e.example/feed", want))
	c, err = s.Validators(ctx, "https://e.example/feed")
	must(t, err)
	if c != want {
		t.Errorf("validators %+v, want %+v", c, want)
	}
}

func testArticles(t *testing.T, s monitor.Store) {
	must(t, s.SaveOutlet(ctx, Outlet("alpha")))
	_, err := s.Article(ctx, "https://alpha.example/none")
	wantCode(t, err, domain.ENOTFOUND)
	wantCode(t, s.SaveArticle(ctx, monitor.Article{URL: "https://alpha.example/none", Outlet: "alpha", State: monitor.StateNew}), domain.ENOTFOUND)
	for i, u := range []string{"https://alpha.example/b", "https://alpha.example/a", "https://alpha.example/c"} {
		ok, err := s.AddArticle(ctx, monitor.Article{URL: u, Outlet: "alpha", Title: "T" + u, FirstSeen: T0,
			NextCheck: T0.Add(time.Duration(i) * time.Hour), State: monitor.StateNew})
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
	}
	if ok, err := s.AddArticle(ctx, monitor.Article{URL: "https://alpha.example/a", Outlet: "alpha", FirstSeen: T0, NextCheck: T0, State: monitor.StateNew}); ok || err != nil {
		t.Errorf("duplicate added: %v %v", ok, err)
	}
	due, err := s.Articles(ctx, monitor.ArticleFilter{DueBy: T0.Add(time.Hour)})
	must(t, err)
	if len(due) != 2 || due[0].URL != "https://alpha.example/b" || due[1].URL != "https://alpha.example/a" {
		t.Errorf("due %v", urls(due))
	}
	all, err := s.Articles(ctx, monitor.ArticleFilter{All: true, Limit: 2})
	must(t, err)
	if len(all) != 2 {
		t.Errorf("limit: %d", len(all))
	}
	a, err := s.Article(ctx, "https://alpha.example/c")
	must(t, err)
	a.State = monitor.StateLive
	a.Checks = 3
	a.LastCheck = T0.Add(90 * time.Minute)
	a.NextCheck = T0.Add(6 * time.Hour)
	a.DownSince = T0.Add(time.Minute)
	a.DownReported = true
	a.Baseline = monitor.Snapshot{Status: 200, URL: a.URL, FinalURL: a.URL, FetchedAt: T0, Title: "Title",
		Lede: "Lede — اردو", Body: "Body one.\n\nBody two.", BodyHash: "abc", ETag: `"e"`, CaptureID: 0}
	a.Gone = monitor.Snapshot{Status: 404, URL: a.URL, Error: ""}
	must(t, s.SaveArticle(ctx, a))
	got, err := s.Article(ctx, a.URL)
	must(t, err)
	if got.State != monitor.StateLive || got.Checks != 3 || !got.LastCheck.Equal(a.LastCheck) || !got.NextCheck.Equal(a.NextCheck) ||
		!got.DownSince.Equal(a.DownSince) || !got.DownReported || got.Baseline.Text() != a.Baseline.Text() ||
		got.Baseline.ETag != `"e"` || !got.Baseline.FetchedAt.Equal(T0) || got.Gone.Status != 404 || got.Title != a.Title || !got.FirstSeen.Equal(T0) {
		t.Errorf("article round trip:\n got %+v\nwant %+v", got, a)
	}
	a.Done = true
	must(t, s.SaveArticle(ctx, a))
	all, _ = s.Articles(ctx, monitor.ArticleFilter{All: true})
	if len(all) != 2 {
		t.Errorf("done article still selected: %v", urls(all))
	}
	b, _ := s.Article(ctx, "https://alpha.example/b")
	b.State = monitor.StateSkipped
	must(t, s.SaveArticle(ctx, b))
	all, _ = s.Articles(ctx, monitor.ArticleFilter{All: true})
	if len(all) != 1 {
		t.Errorf("skipped article still selected: %v", urls(all))
	}
}

func testLease(t *testing.T, s monitor.Store) {
	must(t, s.SaveOutlet(ctx, Outlet("alpha")))
	for i := 0; i < 40; i++ {
		_, err := s.AddArticle(ctx, monitor.Article{URL: "https://alpha.example/" + string(rune('a'+i%26)) + string(rune('a'+i/26)),
			Outlet: "alpha", FirstSeen: T0, NextCheck: T0, State: monitor.StateNew})
		must(t, err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]int{}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				arts, err := s.Articles(ctx, monitor.ArticleFilter{DueBy: T0, Limit: 3, Lease: time.Hour})
				if err != nil {
					t.Error(err)
					return
				}
				if len(arts) == 0 {
					return
				}
				mu.Lock()
				for _, a := range arts {
					seen[a.URL]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Errorf("%d articles claimed, want 40", len(seen))
	}
	for u, n := range seen {
		if n != 1 {
			t.Errorf("%s claimed %d times", u, n)
		}
	}
	again, _ := s.Articles(ctx, monitor.ArticleFilter{DueBy: T0.Add(time.Hour)})
	if len(again) != 40 {
		t.Errorf("after the lease: %d due, want 40", len(again))
	}
}

func testDetections(t *testing.T, s monitor.Store) {
	must(t, s.SaveOutlet(ctx, Outlet("alpha")))
	must(t, s.SaveOutlet(ctx, Outlet("bravo")))
	mk := func(kind monitor.Kind, outlet, u string, at time.Time) monitor.Detection {
		d := monitor.DiffText("Old title\n\nOld lede.", "New title\n\nOld lede.")
		return monitor.Detection{Kind: kind, URL: u, Outlet: outlet, At: at, Reason: "because", Parts: []string{"title"},
			Before: monitor.Snapshot{Status: 200, Title: "Old title", Lede: "Old lede."},
			After:  monitor.Snapshot{Status: 200, Title: "New title", Lede: "Old lede."}, Diff: d}
	}
	d1, err := s.AddDetection(ctx, mk(monitor.KindEdited, "alpha", "https://alpha.example/x", T0))
	must(t, err)
	d2, err := s.AddDetection(ctx, mk(monitor.KindDeleted, "bravo", "https://bravo.example/y", T0.Add(time.Hour)))
	must(t, err)
	if d1.ID == 0 || d2.ID == d1.ID || d1.Review != monitor.ReviewOpen {
		t.Errorf("ids %d %d review %q", d1.ID, d2.ID, d1.Review)
	}
	all, err := s.Detections(ctx, monitor.DetectionFilter{})
	must(t, err)
	if len(all) != 2 || all[0].ID != d1.ID {
		t.Fatalf("detections %+v", all)
	}
	g := all[0]
	if g.Kind != monitor.KindEdited || g.Reason != "because" || len(g.Parts) != 1 || g.Before.Title != "Old title" ||
		g.After.Title != "New title" || g.Diff.OldText() != g.Before.Text() || g.Diff.NewText() != g.After.Text() || !g.At.Equal(T0) {
		t.Errorf("detection round trip %+v", g)
	}
	for _, tc := range []struct {
		name string
		f    monitor.DetectionFilter
		want int
	}{
		{"kind", monitor.DetectionFilter{Kind: monitor.KindDeleted}, 1},
		{"outlet", monitor.DetectionFilter{Outlet: "alpha"}, 1},
		{"url", monitor.DetectionFilter{URL: "https://bravo.example/y"}, 1},
		{"since", monitor.DetectionFilter{Since: T0.Add(time.Minute)}, 1},
		{"none", monitor.DetectionFilter{Kind: monitor.KindRestored}, 0},
	} {
		got, err := s.Detections(ctx, tc.f)
		must(t, err)
		if len(got) != tc.want {
			t.Errorf("%s: %d detections, want %d", tc.name, len(got), tc.want)
		}
	}
}

func urls(as []monitor.Article) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.URL)
	}
	return out
}
