package web

import (
	"testing"
	"time"
)

func TestOutletFormProblems(t *testing.T) {
	ok := OutletForm{Name: "Dawn", Homepage: "https://dawn.example/", Feeds: "https://dawn.example/feed\r\n\n https://dawn.example/rss ",
		Country: "PK", PollEvery: "30m"}
	for _, tc := range []struct {
		name  string
		edit  func(f *OutletForm)
		field string // "" = no problem
	}{
		{"valid", func(f *OutletForm) {}, ""},
		{"no name", func(f *OutletForm) { f.Name = "" }, "name"},
		{"bad home page", func(f *OutletForm) { f.Homepage = "javascript:alert(1)" }, "homepage"},
		{"bad country", func(f *OutletForm) { f.Country = "PAK" }, "country"},
		{"bad feed", func(f *OutletForm) { f.Feeds = "ftp://dawn.example/feed" }, "feeds"},
		{"bad sitemap", func(f *OutletForm) { f.Sitemaps = "file:///etc/passwd" }, "sitemaps"},
		{"nothing to poll", func(f *OutletForm) { f.Feeds = "" }, "feeds"},
		{"sitemap only", func(f *OutletForm) { f.Feeds, f.Sitemaps = "", "https://dawn.example/sitemap.xml" }, ""},
		{"bad interval", func(f *OutletForm) { f.PollEvery = "soon" }, "poll_every"},
		{"too short interval", func(f *OutletForm) { f.PollEvery = "10s" }, "poll_every"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ok
			tc.edit(&f)
			o, p := f.Outlet()
			if tc.field == "" {
				if len(p) > 0 {
					t.Fatalf("problems %v", p)
				}
				if tc.name == "valid" && (len(o.Feeds) != 2 || o.PollEvery != 30*time.Minute) {
					t.Errorf("outlet %+v", o)
				}
				return
			}
			if p[tc.field] == "" {
				t.Errorf("no problem at %s: %v", tc.field, p)
			}
		})
	}
}
