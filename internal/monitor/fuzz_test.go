package monitor

import (
	"bytes"
	"net/url"
	"testing"
)

func FuzzParseSitemap(f *testing.F) {
	f.Add([]byte(`<urlset><url><loc>https://e.com/a</loc><lastmod>2024-05-01</lastmod></url></urlset>`))
	f.Add([]byte(`<sitemapindex><sitemap><loc>https://e.com/s.xml</loc></sitemap></sitemapindex>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sm, err := ParseSitemap(data)
		if err != nil {
			return
		}
		if len(sm.URLs) > MaxSitemapURLs || len(sm.Sitemaps) > MaxSitemapURLs {
			t.Fatal("limits exceeded")
		}
		for _, u := range sm.URLs {
			if u.Loc == "" {
				t.Fatal("empty loc returned")
			}
		}
	})
}

func FuzzParseRobots(f *testing.F) {
	f.Add([]byte("User-agent: *\nDisallow: /private/\nAllow: /private/ok\nCrawl-delay: 1\n"), "/private/x?y=1")
	f.Add([]byte("User-agent: presswatch\nDisallow: /*.pdf$\n"), "/a.pdf")
	f.Fuzz(func(t *testing.T, data []byte, path string) {
		r := ParseRobots(data)
		u := "https://e.com/" + url.PathEscape(path)
		_ = r.Allowed("presswatch", u)
		if r.CrawlDelay("presswatch") < 0 {
			t.Fatal("negative crawl delay")
		}
		if !r.Allowed("presswatch", "https://e.com/robots.txt") {
			t.Fatal("robots.txt itself disallowed")
		}
	})
}

func FuzzReadTestList(f *testing.F) {
	f.Add([]byte("url,category_code,category_description,date_added,source,notes\nhttps://www.dawn.com/,NEWS,News Media,2014-04-15,citizenlab,\n"))
	f.Add([]byte("url,category_code\n\"https://a.example/,NEWS\nx,y,z\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		outlets, bad, err := ReadTestList(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, o := range outlets {
			if err := o.Validate(); err != nil {
				t.Fatalf("invalid outlet returned: %+v: %v", o, err)
			}
		}
		for _, b := range bad {
			if b.Line <= 0 {
				t.Fatalf("bad row without a line number: %v", b)
			}
		}
	})
}

func FuzzParseFeed(f *testing.F) {
	f.Add([]byte(`<rss version="2.0"><channel><item><link>https://e.com/a</link></item></channel></rss>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"url":"https://e.com/a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseFeed(data)
	})
}

func FuzzDiffText(f *testing.F) {
	f.Add("One two.\n\nThree four.", "One two!\n\nThree five.\n\nSix.")
	f.Fuzz(func(t *testing.T, a, b string) {
		d := DiffText(a, b)
		if d.OldText() != a || d.NewText() != b {
			t.Fatalf("diff does not rebuild %q / %q", a, b)
		}
	})
}
