package evidence

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// defangTags are elements a replayed page must not have: each makes a
// browser open a connection before Content-Security-Policy stops the load
// (Chromium pre-connects for frame navigations), or navigates.
var defangTags = map[string]bool{
	"iframe": true, "frame": true, "frameset": true, "object": true, "embed": true,
	"portal": true, "applet": true, "fencedframe": true,
}

// DefangHTML returns page with frames, embedded objects, meta refreshes and
// link hints (preconnect, prefetch, prerender, dns-prefetch, preload)
// removed; every other byte is kept as it was. It is for replay only: the
// WARC keeps the page exactly as received.
func DefangHTML(page []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(page))
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			tag := strings.ToLower(string(name))
			if defangTags[tag] {
				continue
			}
			if (tag == "link" || tag == "meta") && hasAttr && tt != html.EndTagToken {
				drop := false
				for {
					k, v, more := z.TagAttr()
					key, val := strings.ToLower(string(k)), strings.ToLower(string(v))
					if tag == "link" && key == "rel" && containsAny(val, "preconnect", "prefetch", "prerender", "dns-prefetch", "preload", "modulepreload") {
						drop = true
					}
					if tag == "meta" && key == "http-equiv" && (strings.TrimSpace(val) == "refresh" || strings.TrimSpace(val) == "set-cookie") {
						drop = true
					}
					if !more {
						break
					}
				}
				if drop {
					continue
				}
			}
		}
		out.Write(raw)
	}
	return out.Bytes()
}

func containsAny(s string, words ...string) bool {
	for _, f := range strings.Fields(s) {
		for _, w := range words {
			if f == w {
				return true
			}
		}
	}
	return false
}
