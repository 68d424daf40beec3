package mirror

import (
	"regexp"
	"slices"
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
