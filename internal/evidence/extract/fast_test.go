package extract

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// TestShortcutAgreesWithReadability extracts every corpus page with and
// without the clearlyArticle shortcut: where the shortcut is taken, the text
// must be the one readability gives (or score at least as well).
func TestShortcutAgreesWithReadability(t *testing.T) {
	taken := 0
	for _, p := range MustLoadCorpus(t) {
		fast, err := Extract(p.html, corpusURL(p.name))
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		doc, err := html.Parse(bytes.NewReader(decode(p.html, "")))
		if err != nil {
			t.Fatal(err)
		}
		slow, err := extractDocument(doc, corpusURL(p.name), true)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if slow.Method == MethodDOM || fast.Method != MethodDOM {
			continue
		}
		taken++
		agree, _, _ := WordF1(fast.Text, slow.Text)
		fastF1, _, _ := WordF1(fast.Text, p.text)
		slowF1, _, _ := WordF1(slow.Text, p.text)
		if agree < 0.99 && fastF1 < slowF1 {
			t.Errorf("%s: shortcut text differs from readability's (F1 %.3f between them; %.3f vs %.3f against expected)", p.name, agree, fastF1, slowF1)
		}
		if fast.Title != slow.Title || fast.Byline != slow.Byline || fast.Language != slow.Language || fast.Direction != slow.Direction {
			t.Errorf("%s: metadata differs: %q/%q/%q/%q vs %q/%q/%q/%q", p.name,
				fast.Title, fast.Byline, fast.Language, fast.Direction, slow.Title, slow.Byline, slow.Language, slow.Direction)
		}
	}
	if taken == 0 {
		t.Errorf("the shortcut was never taken on the corpus")
	}
	t.Logf("shortcut taken on %d corpus pages", taken)
}

// TestShortcutNotTaken lists pages where readability must still run: the
// container leaves out a sentence beside it, or holds link lists.
func TestShortcutNotTaken(t *testing.T) {
	long := strings.Repeat("<p>Reporters in the province said officials had warned them against covering the protests, and editors removed stories.</p>", 12)
	for _, tc := range []struct{ name, page string }{
		{"note beside the body", `<html><body><div><h1>T</h1><div class="body">` + long + `</div><p>This interview was edited.</p></div></body></html>`},
		{"too short", `<html><body><article><p>One short paragraph of news that ends here.</p></article></body></html>`},
		{"link-heavy", `<html><body><article>` + strings.Repeat(`<p><a href="/a">A headline link that goes to another story on the site today</a></p>`, 20) + `</article></body></html>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := Extract([]byte(tc.page), nil)
			if a.Method == MethodDOM {
				doc, _ := html.Parse(strings.NewReader(tc.page))
				if slow, _ := extractDocument(doc, nil, true); slow.Method != MethodDOM {
					t.Errorf("shortcut taken; method %s, readability path gives %s", a.Method, slow.Method)
				}
			}
		})
	}
}

func TestProseLenMatchesTextOf(t *testing.T) {
	for _, p := range MustLoadCorpus(t) {
		doc, err := html.Parse(bytes.NewReader(decode(p.html, "")))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				if got, want := proseLen(n), utf8.RuneCountInString(textOf(n)); got != want {
					t.Errorf("%s: <%s> proseLen %d, textOf has %d runes", p.name, n.Data, got, want)
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	}
}

func TestMatchNames(t *testing.T) {
	for _, tc := range []struct {
		names string
		want  bool
	}{
		{"", false},
		{"article-body main", false},
		{"site-footer", true},
		{"Site-Footer", true},
		{"share", true},
		{"shareholders", false},
		{"post__comments", true},
		{"ad", true},
		{"adapted", false},
		{"read-next", true},
		{"read   next", true}, // pairs are adjacent words, any separator
		{"jump links", true},
		{strings.Repeat("x", 100) + " share", true},
		{"ناو share", true},
		{"sr_only", true},
	} {
		if got := matchNames(tc.names, boilerplateNames); got != tc.want {
			t.Errorf("matchNames(%q) = %v, want %v", tc.names, got, tc.want)
		}
	}
}

func TestShortBoilerplate(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"Read more: the budget", true},
		{"Related", true},
		{"Relatedness of the two cases was not clear to the court that day.", false},
		{"مزید پڑھیں: صحافی گرفتار", true},
		{"یہ بھی پڑھیں", true},
		{"यह भी पढ़ें: पत्रकार गिरफ्तार", true},
		{"और पढ़ें", true},
		{"और पढ़ेंगे लोग यह खबर", false},
		{"Watchdog groups condemned the arrest of the editor on Monday.", false},
	} {
		if got := isBoilerplateBlock(block{text: tc.text, words: countFields(tc.text)}, "", ""); got != tc.want {
			t.Errorf("isBoilerplateBlock(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestShortBoilerFirstWords(t *testing.T) {
	for _, text := range []string{"Read more: the budget", "ALSO READ", "Photo: AP", "یہ بھی پڑھیں: خبر", "यह भी पढ़ें abc", "Related"} {
		if !shortBoilerFirst[strings.ToLower(firstWord(text))] {
			t.Errorf("%q: first word %q not in the prefilter", text, firstWord(text))
		}
	}
}

// normalizeReference is the first, plain implementation of Normalize (one
// builder per paragraph, rune by rune): the fuzz target holds the fast one to it.
func normalizeReference(text string) string {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	var out, para strings.Builder
	pendingSpace := false
	newlines := 0
	flush := func() {
		if para.Len() == 0 {
			return
		}
		if out.Len() > 0 {
			out.WriteString("\n\n")
		}
		out.WriteString(para.String())
		para.Reset()
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case r == '\r':
			if i < len(text) && text[i] == '\n' {
				continue
			}
			newlines++
			pendingSpace = true
		case r == '\n' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			newlines++
			if r == '\u2029' {
				newlines++
			}
			pendingSpace = true
		case unicode.IsSpace(r):
			pendingSpace = true
		case dropRune(r):
		default:
			if newlines >= 2 {
				flush()
			} else if pendingSpace && para.Len() > 0 {
				para.WriteByte(' ')
			}
			newlines = 0
			pendingSpace = false
			para.WriteRune(r)
		}
	}
	flush()
	return norm.NFC.String(out.String())
}
