package mirror

import (
	"bytes"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// attrRe is the expression findAttrs stands for.
var attrRe = regexp.MustCompile(`\s(href|src|action)="([^"]*)"`)

func regexpAttrs(body []byte) [][4]int {
	var out [][4]int
	for _, m := range attrRe.FindAllSubmatchIndex(body, -1) {
		out = append(out, [4]int{m[2], m[3], m[4], m[5]})
	}
	return out
}

func TestFindAttrs(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"link", `<a href="/incidents">x</a>`},
		{"several", `<link rel="stylesheet" href="/static/style.css"><img src="/a.svg" alt=""><form action="/incidents" method="get">`},
		{"no space before", `<a x="1"href="/a">`},
		{"inside a value", `<a title="see href="/b"">`},
		{"unterminated", `<a href="/a`},
		{"other attrs", `<a data-href="/x" xsrc="/y" hreflang="en" href="/z">`},
		{"newline and tab", "<a\nhref=\"/n\"\tsrc=\"/t\">"},
		{"empty value", `<a href="">`},
		{"adjacent", `<a href="/a" src="/b">`},
		{"at start", `href="/a" src="/b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := findAttrs([]byte(tt.in)), regexpAttrs([]byte(tt.in))
			if !slices.Equal(got, want) {
				t.Errorf("findAttrs(%q) = %v, want %v", tt.in, got, want)
			}
		})
	}
}

// FuzzFindAttrs holds the byte scan to the regular expression it replaces
// (pages are the site's own, but the scan must never disagree).
func FuzzFindAttrs(f *testing.F) {
	f.Add(`<a href="/incidents">x</a> <img src="/a.svg"><form action="/q">`)
	f.Add(`<a title="x href="/b""href="/c" src="`)
	f.Fuzz(func(t *testing.T, in string) {
		got, want := findAttrs([]byte(in)), regexpAttrs([]byte(in))
		if !slices.Equal(got, want) {
			t.Fatalf("findAttrs(%q) = %v, want %v", in, got, want)
		}
	})
}

// A shared link is rewritten once per folder: the same bytes as resolving
// it every time, on pages in folders at other depths too, and found is
// told of it once per folder.
func TestFolderLinksRewriteAsResolved(t *testing.T) {
	page := []byte(`<a href="/incidents">x</a> <a href="/ur/stats">y</a> <a href="https://example.org/a">z</a>` +
		` <a href="/incidents/PK-2024-0001">own</a> <a href="/admin">staff</a> <form action="/incidents"></form> <a href="/data?x=&amp;y">q</a>`)
	shared := &resolver{filters: map[string]bool{"country": true}} // one for every page, as in a build
	folders := map[string]bool{}
	for _, file := range []string{"index.html", "incidents/PK-2024/PK-2024-0001.html", "ur/incidents/PK-2024/PK-2024-0002.html",
		"incidents/PK-2024/PK-2024-0003.html", "stats.html"} {
		base := &url.URL{Path: "/" + strings.TrimSuffix(file, ".html")}
		fresh := &resolver{filters: map[string]bool{"country": true}}
		var want bytes.Buffer
		wantBody := string(fresh.rewriteHTML(&want, page, base, file, func(resolved) {}))
		var buf bytes.Buffer
		var first, second int
		got := string(shared.rewriteHTML(&buf, page, base, file, func(resolved) { first++ }))
		again := string(shared.rewriteHTML(&buf, page, base, file, func(resolved) { second++ }))
		if got != wantBody || again != wantBody {
			t.Errorf("%s: rewritten with the folder's links\n%s\n%s\nwant\n%s", file, got, again, wantBody)
		}
		// /incidents, /ur/stats, /admin and /data?x=&y are shared: found
		// on the folder's first page only.
		wantFirst := 6
		if folders[path.Dir(file)] {
			wantFirst = 2
		}
		folders[path.Dir(file)] = true
		if first != wantFirst || second != 2 {
			t.Errorf("%s: found %d links, then %d; want %d, then 2", file, first, second, wantFirst)
		}
	}
}
