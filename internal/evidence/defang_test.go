package evidence

import (
	"strings"
	"testing"
)

func TestDefangHTML(t *testing.T) {
	cases := []struct{ name, in, gone, kept string }{
		{"iframe", `<p>a</p><iframe src="http://x/"></iframe><p>b</p>`, "iframe", "<p>b</p>"},
		{"frameset", `<frameset><frame src="http://x/"></frameset>`, "frame", ""},
		{"object and embed", `<object data="http://x/"></object><EMBED src="http://x/">`, "http://x/", ""},
		{"preconnect", `<link rel="preconnect" href="http://x/"><link rel=stylesheet href="s.css">`, "preconnect", `rel=stylesheet`},
		{"meta refresh", `<meta http-equiv="Refresh" content="0;url=http://x/"><meta charset="utf-8">`, "Refresh", `charset="utf-8"`},
		{"text kept byte for byte", `<p class=a>Ünïcode &amp; <b>bold</b></p>`, "", `<p class=a>Ünïcode &amp; <b>bold</b></p>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := string(DefangHTML([]byte(tc.in)))
			if tc.gone != "" && strings.Contains(got, tc.gone) {
				t.Errorf("%q still in %q", tc.gone, got)
			}
			if !strings.Contains(got, tc.kept) {
				t.Errorf("%q lost from %q", tc.kept, got)
			}
		})
	}
}
