package monitor

import (
	"bytes"
	"compress/gzip"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

func MustReadFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		name, in, want string
		err            bool
	}{
		{"tracking", "https://WWW.Dawn.com/news/1?utm_source=tw&utm_medium=x&id=5&fbclid=abc&gclid=1#comments", "https://www.dawn.com/news/1?id=5", false},
		{"default port", "http://example.com:80/a", "http://example.com/a", false},
		{"other port", "http://example.com:8080/a", "http://example.com:8080/a", false},
		{"empty path", "https://example.com", "https://example.com/", false},
		{"sorted query", "https://e.com/a?b=2&a=1", "https://e.com/a?a=1&b=2", false},
		{"only tracking", "https://e.com/a?utm_campaign=z", "https://e.com/a", false},
		{"trailing dot", "https://e.com./a", "https://e.com/a", false},
		{"scheme", "ftp://e.com/a", "", true},
		{"no host", "https:///a", "", true},
		{"garbage", "::", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeURL(tt.in)
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("NormalizeURL(%q) = %q, %v; want %q (err %v)", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestReadTestList(t *testing.T) {
	f, err := os.Open("testdata/testlist.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	outlets, bad, err := ReadTestList(f)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, o := range outlets {
		slugs = append(slugs, o.Slug)
		if err := o.Validate(); err != nil {
			t.Errorf("outlet %s invalid: %v", o.Slug, err)
		}
	}
	if got, want := strings.Join(slugs, " "), "dawn-com tribune-com-pk geo-tv express-pk"; got != want {
		t.Errorf("outlets %q, want %q", got, want)
	}
	lines := map[int]bool{}
	for _, b := range bad {
		lines[b.Line] = true
	}
	for _, l := range []int{5, 8, 10} {
		if !lines[l] {
			t.Errorf("line %d not reported; bad rows: %v", l, bad)
		}
	}
	if outlets[1].Homepage != "https://tribune.com.pk/" {
		t.Errorf("homepage not normalised: %s", outlets[1].Homepage)
	}
	if _, _, err := ReadTestList(strings.NewReader("a,b\n1,2\n")); err == nil {
		t.Error("a file without url/category_code columns was accepted")
	}
}

func TestDiscoverFeeds(t *testing.T) {
	page := []byte(`<html><head>
<link rel="alternate" type="application/rss+xml" href="/feed.xml?utm_source=x">
<link rel="Alternate home" type="application/atom+xml" href="https://other.example/atom">
<link rel="alternate" type="application/feed+json" href="feed.json">
<link rel="alternate" type="text/html" hreflang="ur" href="/ur/">
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
</head><body><link rel="alternate" type="application/rss+xml" href="/late.xml"></body></html>`)
	base, _ := url.Parse("https://www.dawn.com/section/")
	got := strings.Join(DiscoverFeeds(page, base), " ")
	want := "https://www.dawn.com/feed.xml https://other.example/atom https://www.dawn.com/section/feed.json"
	if got != want {
		t.Errorf("DiscoverFeeds = %q, want %q", got, want)
	}
}

func TestRobots(t *testing.T) {
	r := ParseRobots(MustReadFile(t, "testdata/robots.txt"))
	tests := []struct {
		agent, url string
		want       bool
	}{
		{"presswatch", "https://e.com/search?q=x", false},
		{"presswatch", "https://e.com/search/about", true},
		{"presswatch", "https://e.com/private/x", true}, // its own group replaces *
		{"Presswatch/1.0", "https://e.com/search", false},
		{"archiver", "https://e.com/search", false},
		{"otherbot", "https://e.com/private/x", false},
		{"otherbot", "https://e.com/private/public-note", true},
		{"otherbot", "https://e.com/files/a.pdf", false},
		{"otherbot", "https://e.com/files/a.pdf?x=1", true},
		{"otherbot", "https://e.com/news", true},
		{"badbot", "https://e.com/anything", false},
		{"badbot", "https://e.com/robots.txt", true},
	}
	for _, tt := range tests {
		if got := r.Allowed(tt.agent, tt.url); got != tt.want {
			t.Errorf("Allowed(%q, %q) = %v, want %v", tt.agent, tt.url, got, tt.want)
		}
	}
	if d := r.CrawlDelay("presswatch"); d != 5*time.Second {
		t.Errorf("crawl delay %v", d)
	}
	if d := r.CrawlDelay("otherbot"); d != 2*time.Second {
		t.Errorf("crawl delay for * %v", d)
	}
	var none *Robots
	if !none.Allowed("x", "https://e.com/") || ParseRobots(nil).Allowed("x", "https://e.com/a") != true {
		t.Error("no robots.txt must allow everything")
	}
	if !robotsMatch("/a*b*c$", "/axxbyyc") || robotsMatch("/a*b*c$", "/axxbyycd") || !robotsMatch("/", "/x") {
		t.Error("robotsMatch wildcards")
	}
}

func TestParseSitemap(t *testing.T) {
	urlset := `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc> https://e.com/a </loc><lastmod>2024-05-01</lastmod></url>
 <url><loc>https://e.com/b</loc><news:news><news:publication><news:name>E</news:name></news:publication>
  <news:publication_date>2024-05-02T10:00:00+05:00</news:publication_date><news:title>B title</news:title></news:news></url>
 <url><lastmod>2024-05-01</lastmod></url>
</urlset>`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(urlset))
	zw.Close()
	for name, data := range map[string][]byte{"plain": []byte(urlset), "gzip": gz.Bytes()} {
		t.Run(name, func(t *testing.T) {
			sm, err := ParseSitemap(data)
			if err != nil {
				t.Fatal(err)
			}
			if sm.IsIndex || len(sm.URLs) != 2 {
				t.Fatalf("got %+v", sm)
			}
			if sm.URLs[0].Loc != "https://e.com/a" || !sm.URLs[0].LastMod.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("first %+v", sm.URLs[0])
			}
			b := sm.URLs[1]
			if b.NewsTitle != "B title" || !b.NewsPublished.Equal(time.Date(2024, 5, 2, 5, 0, 0, 0, time.UTC)) {
				t.Errorf("news %+v", b)
			}
		})
	}
	idx, err := ParseSitemap([]byte(`<sitemapindex><sitemap><loc>https://e.com/s1.xml</loc><lastmod>2024-01-01</lastmod></sitemap><sitemap><loc>/s2.xml.gz</loc></sitemap></sitemapindex>`))
	if err != nil || !idx.IsIndex || strings.Join(idx.Sitemaps, " ") != "https://e.com/s1.xml /s2.xml.gz" {
		t.Errorf("index %+v %v", idx, err)
	}
	for _, bad := range []string{"", "<html><body>x</body></html>", "\x1f\x8bnot gzip"} {
		if _, err := ParseSitemap([]byte(bad)); err == nil {
			t.Errorf("ParseSitemap(%q) accepted", bad)
		}
	}
}

func TestParseFeed(t *testing.T) {
	tests := []struct{ name, doc, first string }{
		{"rss", `<rss version="2.0"><channel><item><title>A</title><link>https://e.com/a?utm_source=rss</link><pubDate>Wed, 01 May 2024 10:00:00 +0000</pubDate></item></channel></rss>`, "https://e.com/a?utm_source=rss"},
		{"atom", `<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title><link rel="alternate" href="https://e.com/a"/><updated>2024-05-01T10:00:00Z</updated></entry></feed>`, "https://e.com/a"},
		{"json", `{"version":"https://jsonfeed.org/version/1.1","title":"E","items":[{"id":"1","url":"https://e.com/a","date_published":"2024-05-01T10:00:00Z"}]}`, "https://e.com/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := ParseFeed([]byte(tt.doc))
			if err != nil || len(es) != 1 || es[0].URL != tt.first || es[0].Published.IsZero() {
				t.Errorf("ParseFeed = %+v, %v", es, err)
			}
		})
	}
	if _, err := ParseFeed([]byte("not a feed")); err == nil {
		t.Error("garbage accepted")
	}
}

func TestNextCheck(t *testing.T) {
	first := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	s := DefaultSchedule()
	var got []time.Duration
	last := time.Time{}
	for {
		next, ok := NextCheck(first, last, s)
		if !ok {
			break
		}
		got = append(got, next.Sub(first))
		last = next
		if len(got) > 100 {
			t.Fatal("schedule does not end")
		}
	}
	d := 24 * time.Hour
	want := []time.Duration{time.Hour, 6 * time.Hour, d, 3 * d, 7 * d, 30 * d, 60 * d, 90 * d, 120 * d, 150 * d, 180 * d, 210 * d, 240 * d, 270 * d, 300 * d, 330 * d, 360 * d}
	if len(got) != len(want) {
		t.Fatalf("schedule %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("step %d = %v, want %v", i, got[i], want[i])
		}
	}
	// A late round: the next check is the first step after it.
	if next, _ := NextCheck(first, first.Add(2*d), s); next.Sub(first) != 3*d {
		t.Errorf("after 2d: %v", next.Sub(first))
	}
	if next, _ := NextCheck(first, first.Add(45*d), s); next.Sub(first) != 60*d {
		t.Errorf("after 45d: %v", next.Sub(first))
	}
	ps, err := ParseSchedule("1h,6h,24h,3d,7d,30d every 30d until 365d")
	if err != nil || len(ps.Steps) != 6 || ps.Every != 30*d || ps.Until != 365*d {
		t.Errorf("ParseSchedule = %+v, %v", ps, err)
	}
	for _, bad := range []string{"", "6h,1h", "1h every 1d", "x"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
}

func TestFrontPageKind(t *testing.T) {
	home := "https://e.com/"
	tests := []struct{ final, article, want string }{
		{"https://e.com/", "https://e.com/politics/2024/05/story-of-the-day", "the home page"},
		{"https://e.com/?ref=x", "https://e.com/politics/a-b-c", "the home page"},
		{"https://e.com/politics/", "https://e.com/politics/2024/05/story-of-the-day", "a section front"},
		{"https://e.com/category/business", "https://e.com/2024/05/story-of-the-day", "a section front"},
		{"https://e.com/sport", "https://e.com/2024/05/story-of-the-day", "a section front"},
		{"https://e.com/politics/2024/05/story-of-the-day-updated", "https://e.com/politics/2024/05/story-of-the-day", ""},
		{"https://e.com/news/1234567", "https://e.com/story/1234567", ""},
		{"https://e.com/a-new-slug-here", "https://e.com/old-slug-here", ""},
	}
	for _, tt := range tests {
		if got := frontPageKind(tt.final, tt.article, home); got != tt.want {
			t.Errorf("frontPageKind(%q) = %q, want %q", tt.final, got, tt.want)
		}
	}
}

func TestCleanParagraphs(t *testing.T) {
	in := []string{
		"The minister resigned on 5 May 2024 after the report.",
		"Updated 5 minutes ago",
		"Published: 12 May 2024 10:32 PKT",
		"1,234 views",
		"Monday, 2024-05-06 10:00",
		"Advertisement",
		"Read more:",
		"Prices of flour rise again",
		"Court adjourns hearing",
		"The inquiry, which has been read 5,000 times, continues.",
		"Related articles",
		"Other headline",
	}
	got := CleanParagraphs(in)
	want := []string{
		"The minister resigned on 5 May 2024 after the report.",
		"The inquiry, which has been read (count), continues.",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("CleanParagraphs = %q, want %q", got, want)
	}
}

func TestStripBoilerplateHTML(t *testing.T) {
	page := []byte(`<html><body><article><h1>T</h1><p>Keep this.</p><div class="related-posts"><p>Drop 1</p></div>
<div id="ad_slot_3">Drop 2</div><span class="view-count">Drop 3</span><time>Drop 4</time><aside>Drop 5</aside><div class="header-main"><p>Keep too.</p></div></article></body></html>`)
	out := string(StripBoilerplateHTML(page))
	for _, s := range []string{"Keep this.", "Keep too."} {
		if !strings.Contains(out, s) {
			t.Errorf("%q removed", s)
		}
	}
	for _, s := range []string{"Drop 1", "Drop 2", "Drop 3", "Drop 4", "Drop 5"} {
		if strings.Contains(out, s) {
			t.Errorf("%q kept", s)
		}
	}
}
