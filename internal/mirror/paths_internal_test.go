package mirror

import (
	"math/rand/v2"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
)

// relativeBySplit is relative as it was first written: the reference.
func relativeBySplit(fromFile, toFile string) string {
	fromDir := path.Dir(fromFile)
	if fromDir == "." {
		return toFile
	}
	from := strings.Split(fromDir, "/")
	to := strings.Split(toFile, "/")
	i := 0
	for i < len(from) && i < len(to)-1 && from[i] == to[i] {
		i++
	}
	var b strings.Builder
	for j := i; j < len(from); j++ {
		b.WriteString("../")
	}
	b.WriteString(strings.Join(to[i:], "/"))
	return b.String()
}

// TestRelative: relative and escapePath give what splitting the paths
// gives, for the mirror's own layouts and for random paths of shared
// segments (empty ones and a trailing slash included).
func TestRelative(t *testing.T) {
	cases := [][2]string{
		{"index.html", "incidents/index.html"},
		{"incidents/PK-2024-0001/index.html", "incidents/index.html"},
		{"incidents/PK-2024-0001/index.html", "incidents/PK-2024-0002/index.html"},
		{"incidents/PK-2024-0001/index.html", "incidents/PK-2024-0001.json"},
		{"ur/incidents/country/PK/page/2/index.html", "ur/incidents/country/PK/page/3/index.html"},
		{"ur/incidents/country/PK/page/2/index.html", "incidents.csv"},
		{"a/b/index.html", "a/b"},
		{"a/b/index.html", "a/b/"},
		{"a//b/index.html", "a//c.html"},
		{"a/b/index.html", ""},
		{"incidents/PK-2024-0001.html", "incidents.html"},
		{"incidents/PK-2024/PK-2024-0001.html", "incidents/BD-2023/BD-2023-0002.html"},
		{"ur/incidents/PK-2024/PK-2024-0001.html", "static/style.css"},
		{"incidents/PK-2024/PK-2024-0001.html", "incidents/PK-2024-0001.json"},
		{"incidents/PK-2024-0001.html", "ur/incidents/PK-2024-0001.html"},
		{"incidents/country/PK/page/2.html", "incidents/country/PK.html"},
		{"incidents.html", "incidents/page/1.html"},
	}
	segs := []string{"a", "b", "incidents", "", "ur", "x y", "~7e", "é"}
	rng := rand.New(rand.NewPCG(1, 2))
	randPath := func() string {
		n := 1 + rng.IntN(5)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = segs[rng.IntN(len(segs))]
		}
		return strings.Join(parts, "/")
	}
	for range 20000 {
		cases = append(cases, [2]string{randPath(), randPath()})
	}
	for _, c := range cases {
		if got, want := relative(c[0], c[1]), relativeBySplit(c[0], c[1]); got != want {
			t.Fatalf("relative(%q, %q) = %q, want %q", c[0], c[1], got, want)
		}
		parts := strings.Split(c[1], "/")
		for i, s := range parts {
			parts[i] = url.PathEscape(s)
		}
		if got, want := escapePath(c[1]), strings.Join(parts, "/"); got != want {
			t.Fatalf("escapePath(%q) = %q, want %q", c[1], got, want)
		}
	}
}

// TestTargetFile: where each kind of site address lives in the mirror
// (docs/mirror.md has the same table).
func TestTargetFile(t *testing.T) {
	for _, tc := range []struct {
		path, query, want string
	}{
		{"/", "", "index.html"},
		{"/ur/", "", "ur/index.html"},
		{"/incidents", "", "incidents.html"},
		{"/incidents/PK-2024-0001", "", "incidents/PK-2024/PK-2024-0001.html"},
		{"/ur/incidents/PK-2024-0001", "", "ur/incidents/PK-2024/PK-2024-0001.html"},
		{"/incidents/IN-2026-123456", "", "incidents/IN-2026/IN-2026-123456.html"},
		{"/incidents/pk-2024-0001", "", "incidents/pk-2024-0001.html"},
		{"/incidents/PK-2024-", "", "incidents/PK-2024-.html"},
		{"/incidents/PK-20x4-0001", "", "incidents/PK-20x4-0001.html"},
		{"/incidents/PK-2024-00a1", "", "incidents/PK-2024-00a1.html"},
		{"/xx/incidents/PK-2024-0001", "", "xx/incidents/PK-2024/PK-2024-0001.html"},
		{"/a/b/incidents/PK-2024-0001", "", "a/b/incidents/PK-2024-0001.html"},
		{"/outlets/PK-2024-0001", "", "outlets/PK-2024-0001.html"},
		{"/incidents/PK-2024-0001/content/5fa4277ca59deac8a49aef86b92acb2568ea5f3f9f1f4cbb183995e6681e5ce9.json", "", "incidents/PK-2024/content/5fa4277ca59deac8a49aef86b92acb2568ea5f3f9f1f4cbb183995e6681e5ce9.json"},
		{"/incidents/pk-2024-0001/content/5fa4277ca59deac8a49aef86b92acb2568ea5f3f9f1f4cbb183995e6681e5ce9.json", "", "incidents/pk-2024-0001/content/5fa4277ca59deac8a49aef86b92acb2568ea5f3f9f1f4cbb183995e6681e5ce9.json"},
		{"/stories/PK-2024-0001/content/5fa4277ca59deac8a49aef86b92acb2568ea5f3f9f1f4cbb183995e6681e5ce9.json", "", "stories/PK-2024-0001/content/5fa4277ca59deac8a49aef86b92acb2568ea5f3f9f1f4cbb183995e6681e5ce9.json"},
		{"/incidents/PK-2024-0001/other/5fa4277ca59deac8a49aef86b92acb2568ea5f3f9f1f4cbb183995e6681e5ce9.json", "", "incidents/PK-2024-0001/other/5fa4277ca59deac8a49aef86b92acb2568ea5f3f9f1f4cbb183995e6681e5ce9.json"},
		{"/incidents/PK-2024-0001.json", "", "incidents/PK-2024-0001.json"},
		{"/incidents", "page=1", "incidents/page/1.html"},
		{"/ur/incidents", "country=PK&page=2", "ur/incidents/country/PK/page/2.html"},
		{"/incidents", "category=arrest%2Fdetention", "incidents/category/arrest~2fdetention.html"},
		{"/static/style.css", "", "static/style.css"},
		{"/log/tile/0/001", "", "log/tile/0/001"},
	} {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) == 0 {
			q = nil
		}
		if got := (target{Path: tc.path, Query: q}).file(); got != tc.want {
			t.Errorf("%s?%s is at %s, want %s", tc.path, tc.query, got, tc.want)
		}
	}
}

// TestSearchScriptLinksIncidentPages: the search script builds the links
// to incident pages itself; they must be where the build puts the pages,
// sharded by the same rule (shardIncident).
func TestSearchScriptLinksIncidentPages(t *testing.T) {
	const link = `a.href="../incidents/"+(/^[A-Z]{2}-\d{4}-\d+$/.test(it.r)?it.r.slice(0,7)+"/":"")+encodeURIComponent(it.r)+".html"`
	if !strings.Contains(searchJS, link) {
		t.Fatalf("the search script does not link incident pages as %s", link)
	}
	// What the script computes, for refs it shards and names it does not.
	js := regexp.MustCompile(`^[A-Z]{2}-\d{4}-\d+$`)
	for _, ref := range []string{"PK-2024-0001", "BD-1999-7", "pk-2024-0001", "PK-2024-", "XPK-2024-1", "PK-2024-1a"} {
		want := "incidents/" + url.PathEscape(ref) + ".html"
		if js.MatchString(ref) {
			want = "incidents/" + ref[:7] + "/" + url.PathEscape(ref) + ".html"
		}
		file := target{Path: "/incidents/" + ref}.file()
		if file != want || relative(SearchFile, file) != "../"+file {
			t.Errorf("%s: the build writes %s, the search script links ../%s", ref, file, want)
		}
	}
}

// TestPlainPathsResolveAsParsed: the fast path for plain site paths gives
// what parsing them gives, and links it does not take still resolve.
func TestPlainPathsResolveAsParsed(t *testing.T) {
	rv := &resolver{filters: map[string]bool{"country": true}, logStatic: true, originHost: "news.example"}
	base := &url.URL{Path: "/ur/incidents/PK-2024-0001"}
	links := []string{"/", "/incidents", "/incidents/PK-2024-0001", "/ur/incidents/PK-2024-0001.json", "/static/style.css",
		"/log/checkpoint", "/log/tile/0/001", "/log/proof/12", "/admin", "/admin/x", "/api/v1/incidents", "/submit",
		"/a.b/c", "/x_y-z", "/ur/", "/a//b", "/a/./b", "/a/../b", "/a/.", "/a?country=PK", "/a#top", "/a%20b",
		"/incidents?country=PK&page=2", "relative", "../up", "https://news.example/stats", "//news.example/x", " /x"}
	segs := []string{"a", "incidents", "log", "tile", "admin", ".", "..", "", "x.json", "PK-1", "é", "a b", "?q=1", "#f"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			b.WriteString("/" + segs[rng.IntN(len(segs))])
		}
		links = append(links, b.String())
	}
	plain := 0
	for _, raw := range links {
		if plainPath(raw) {
			plain++
		}
		for _, form := range []bool{false, true} {
			got, want := rv.resolve(base, raw, form), rv.resolveURL(base, raw, form)
			if got.kind != want.kind || got.t.key() != want.t.key() || got.query != want.query || got.fragment != want.fragment {
				t.Errorf("%q (form %v): resolve gives %+v, parsing gives %+v", raw, form, got, want)
			}
		}
	}
	if plain < 100 {
		t.Errorf("only %d of %d links took the fast path", plain, len(links))
	}
}
