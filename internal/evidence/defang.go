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
// removed. It is for replay only: the WARC keeps the page exactly as
// received.
//
// Ordinary pages keep every other byte as it was: dangerous tags are cut out
// of the token stream. A hostile page can hide markup from a tokenizer that
// a browser's tree builder still sees (an <embed> inside an SVG <title>,
// an <iframe> inside <noscript> while scripting is off, pieces that join
// into a tag once the middle is cut), so the result is parsed as a
// browser with scripting off would parse it; when that parse still finds
// something dangerous, the page is parsed, pruned and rendered again from
// the tree instead.
func DefangHTML(page []byte) []byte {
	out := defangTokens(page)
	for range 3 {
		doc, err := html.ParseWithOptions(bytes.NewReader(out), html.ParseOptionEnableScripting(false))
		if err != nil {
			break
		}
		if !pruneDangerous(doc) {
			return out
		}
		var b bytes.Buffer
		if err := html.Render(&b, doc); err != nil {
			break
		}
		out = b.Bytes()
	}
	// Not safe after three rounds (or unparsable): show the markup as text.
	return []byte("<!doctype html><meta charset=utf-8><pre>" + html.EscapeString(string(page)) + "</pre>")
}

// defangTokens cuts dangerous tags out of page's token stream, keeping every
// other byte.
func defangTokens(page []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(page))
	z := html.NewTokenizer(bytes.NewReader(page))
	skipText := false // the raw text of a dropped <iframe>
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		if skipText {
			skipText = false
			if tt == html.TextToken {
				continue
			}
		}
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			tag := strings.ToLower(string(name))
			if tag == "noscript" && tt == html.StartTagToken {
				// Replay runs without scripts: <noscript> holds markup.
				z.NextIsNotRawText()
			}
			if defangTags[tag] {
				skipText = tt == html.StartTagToken
				// An empty comment keeps the neighbours apart: "<" and
				// "iframe>" around a dropped tag must not join into a tag.
				out.WriteString("<!---->")
				continue
			}
			if (tag == "link" || tag == "meta") && hasAttr && tt != html.EndTagToken {
				drop := false
				for {
					k, v, more := z.TagAttr()
					key, val := strings.ToLower(string(k)), strings.ToLower(string(v))
					if dangerousAttr(tag, key, val) {
						drop = true
					}
					if !more {
						break
					}
				}
				if drop {
					out.WriteString("<!---->")
					continue
				}
			}
		}
		out.Write(raw)
	}
	return out.Bytes()
}

// dangerousAttr reports a link hint or a meta refresh (attribute key=val of
// a <link> or <meta>, both lower case).
func dangerousAttr(tag, key, val string) bool {
	switch {
	case tag == "link" && key == "rel":
		return containsAny(val, "preconnect", "prefetch", "prerender", "dns-prefetch", "preload", "modulepreload")
	case tag == "meta" && key == "http-equiv":
		v := strings.TrimSpace(val)
		return v == "refresh" || v == "set-cookie"
	}
	return false
}

// pruneDangerous removes dangerous elements from a parsed page and reports
// whether it found any.
func pruneDangerous(n *html.Node) bool {
	found := false
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode && isDangerousElement(c) {
			n.RemoveChild(c)
			found = true
		} else if pruneDangerous(c) {
			found = true
		}
		c = next
	}
	return found
}

func isDangerousElement(n *html.Node) bool {
	tag := strings.ToLower(n.Data)
	if defangTags[tag] {
		return true
	}
	if tag == "link" || tag == "meta" {
		for _, a := range n.Attr {
			if dangerousAttr(tag, strings.ToLower(a.Key), strings.ToLower(a.Val)) {
				return true
			}
		}
	}
	return false
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
