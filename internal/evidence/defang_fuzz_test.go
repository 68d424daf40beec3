package evidence

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// defangSeeds are hostile pages that hide a frame, an object or a link hint
// from a tokenizer; FuzzDefangHTML starts from them (and from the committed
// corpus in testdata/fuzz/FuzzDefangHTML).
var defangSeeds = map[string]string{
	"plain":              `<!doctype html><html><head><title>T</title></head><body><p class=a>Text &amp; more</p></body></html>`,
	"iframe":             `<p>a</p><iframe src="http://canary.test/"></iframe><p>b</p>`,
	"joined-by-cut":      `<<iframe>iframe src=http://canary.test/>`,
	"iframe-in-iframe":   `<iframe><iframe src="http://canary.test/"></iframe>`,
	"noscript":           `<noscript><iframe src="http://canary.test/"></iframe></noscript>`,
	"svg-title-embed":    `<svg><title><embed src="http://canary.test/"></title></svg>`,
	"math-style-embed":   `<math><style><embed src="http://canary.test/"></style></math>`,
	"meta-refresh":       `<meta http-equiv=" Refresh " content="0;url=http://canary.test/">`,
	"link-hint":          `<link rel="stylesheet preconnect" href="http://canary.test/"><link rel=dns-prefetch href=//canary.test>`,
	"frameset":           `<frameset><frame src="http://canary.test/"></frameset>`,
	"object-embed":       `<object data="http://canary.test/"><embed src="http://canary.test/"></object>`,
	"script-with-iframe": `<script>document.write("<iframe src=http://canary.test/>")</script><p>x</p>`,
	"unclosed":           `<p><ifr` + `ame src=http://canary.test/`,
	"select-textarea":    `<select><textarea><iframe src=http://canary.test/></textarea></select>`,
}

func FuzzDefangHTML(f *testing.F) {
	for _, s := range defangSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, page []byte) {
		out := DefangHTML(page)
		if what := liveDangers(out); what != "" {
			t.Fatalf("DefangHTML(%q) = %q still has %s", page, out, what)
		}
		if !mentionsDanger(page) && !bytes.Equal(out, page) && bytes.Equal(defangTokens(page), page) {
			// A harmless page the tokenizer pass left alone is kept byte
			// for byte unless the parse found a danger the tokens hid.
			if doc, err := html.ParseWithOptions(bytes.NewReader(page), html.ParseOptionEnableScripting(false)); err == nil && !pruneDangerous(doc) {
				t.Fatalf("harmless page changed: %q -> %q", page, out)
			}
		}
	})
}

// liveDangers parses page as a browser with scripting off does (and
// tokenizes it) and names the first frame, object, link hint or meta
// refresh it finds; "" when there is none.
func liveDangers(page []byte) string {
	doc, err := html.ParseWithOptions(bytes.NewReader(page), html.ParseOptionEnableScripting(false))
	if err != nil {
		return ""
	}
	var found string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if found != "" {
			return
		}
		if n.Type == html.ElementNode && isDangerousElement(n) {
			found = fmt.Sprintf("element <%s %v>", n.Data, n.Attr)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found != "" {
		return found
	}
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return ""
		}
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			if tok := z.Token(); isDangerousElement(&html.Node{Type: html.ElementNode, Data: tok.Data, Attr: tok.Attr}) {
				return "token " + tok.String()
			}
		}
	}
}

// mentionsDanger reports whether page names any defanged tag or attribute:
// pages without these words must come back unchanged.
func mentionsDanger(page []byte) bool {
	low := strings.ToLower(string(page))
	for _, w := range []string{"frame", "object", "embed", "portal", "applet", "link", "meta"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// TestDefangHostile runs the seeds as regular tests: nothing dangerous is
// left, and the text around it survives.
func TestDefangHostile(t *testing.T) {
	for name, s := range defangSeeds {
		t.Run(name, func(t *testing.T) {
			out := DefangHTML([]byte(s))
			if what := liveDangers(out); what != "" {
				t.Errorf("%q -> %q still has %s", s, out, what)
			}
			if strings.Contains(s, "<p>x</p>") && !strings.Contains(string(out), "<p>x</p>") {
				t.Errorf("text lost: %q", out)
			}
		})
	}
	if got := DefangHTML([]byte(defangSeeds["plain"])); string(got) != defangSeeds["plain"] {
		t.Errorf("plain page changed: %q", got)
	}
}

// TestWriteDefangSeeds writes the seeds to testdata/fuzz/FuzzDefangHTML when
// PRESSWATCH_WRITE_FUZZ_SEEDS=1; otherwise it checks they are committed.
func TestWriteDefangSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDefangHTML")
	if os.Getenv("PRESSWATCH_WRITE_FUZZ_SEEDS") != "1" {
		if entries, _ := os.ReadDir(dir); len(entries) < len(defangSeeds) {
			t.Fatalf("committed seed corpus missing in %s (PRESSWATCH_WRITE_FUZZ_SEEDS=1 writes it)", dir)
		}
		return
	}
	os.MkdirAll(dir, 0o755)
	for name, s := range defangSeeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(s))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
