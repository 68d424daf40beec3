package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/RadhiFadlillah/whatlanggo"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// MaxInputBytes is the most of a page Extract reads; the rest is ignored.
const MaxInputBytes = 8 << 20

// maxElements bounds the work spent on one page: beyond it only the cheap
// extractor runs.
const maxElements = 60000

// Article is the text and metadata extracted from one page.
type Article struct {
	Title      string     `json:"title"`
	Byline     string     `json:"byline"`
	Text       string     `json:"text"`
	Paragraphs []string   `json:"paragraphs"`
	Published  *time.Time `json:"published,omitempty"`
	Modified   *time.Time `json:"modified,omitempty"`
	Language   string     `json:"language"`
	Direction  string     `json:"direction"`
	SiteName   string     `json:"site_name"`
	// Method names the extractor whose text was kept: "readability",
	// "json-ld" or "dom" (the whole page's text, last resort).
	Method string `json:"method"`
}

// Methods recorded in Article.Method.
const (
	MethodReadability = "readability"
	MethodJSONLD      = "json-ld"
	MethodDOM         = "dom"
)

// ErrNoText is returned (wrapped) when a page has no readable text at all.
// The Article returned with it still carries the metadata found.
var ErrNoText = errors.New("extract: no readable text")

// Extract returns the main text and metadata of an HTML page. The encoding is
// detected from a byte order mark or <meta charset>; pageURL (may be nil)
// resolves relative references.
func Extract(content []byte, pageURL *url.URL) (Article, error) {
	return extractBytes(content, pageURL, "")
}

// ExtractReader is Extract for a response body: contentType is the
// Content-Type header, whose charset is used unless the body starts with a
// byte order mark. At most MaxInputBytes are read.
func ExtractReader(r io.Reader, pageURL *url.URL, contentType string) (Article, error) {
	content, err := io.ReadAll(io.LimitReader(r, MaxInputBytes))
	if err != nil {
		return Article{}, fmt.Errorf("extract: read: %w", err)
	}
	return extractBytes(content, pageURL, contentType)
}

func extractBytes(content []byte, pageURL *url.URL, contentType string) (Article, error) {
	if len(content) > MaxInputBytes {
		content = content[:MaxInputBytes]
	}
	decoded := decode(content, contentType)
	doc, err := html.Parse(bytes.NewReader(decoded))
	if err != nil {
		// The parser refuses pathological trees (nesting beyond its stack
		// limit); the page's text is still evidence, so keep it flat.
		return extractTokens(decoded)
	}
	return extractDocument(doc, pageURL, false)
}

// decode converts content to UTF-8. Invalid sequences become U+FFFD later,
// in Normalize; decoding never fails.
func decode(content []byte, contentType string) []byte {
	enc, name, certain := charset.DetermineEncoding(content, contentType)
	if !certain && name == "windows-1252" && mostlyUTF8(content) {
		// No declared charset and a few broken bytes in an otherwise UTF-8
		// page: reading it as Windows-1252 would garble every other letter.
		name = "utf-8"
	}
	if name == "utf-8" {
		return bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	}
	out, err := enc.NewDecoder().Bytes(content)
	if err != nil {
		return content
	}
	return out
}

// mostlyUTF8 reports whether nearly every non-ASCII sequence is valid UTF-8.
func mostlyUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			invalid++
		} else if size > 1 {
			valid++
		}
		b = b[size:]
	}
	return valid > 0 && invalid*50 < valid
}

// candidate is one extractor's proposal for the article text.
type candidate struct {
	method string
	blocks []block
	score  float64
	words  int
	// primary marks the page's own container taken in place of readability
	// (clearlyArticle): it competes as readability's text would.
	primary bool
}

// clearlyArticle reports whether the page's container of long paragraphs
// (mainContainer) is plainly the article: it holds nearly all the page's long
// paragraphs (share), enough words, and almost only sentence-like paragraphs
// without links. Then readability would find the same text; on the
// regression corpus the container's text is as good or better on every page
// that passes.
func clearlyArticle(c candidate, share float64) bool {
	if share < 0.97 || c.words < 150 || c.score < 0.97*float64(c.words) {
		return false
	}
	long := 0
	for _, b := range c.blocks {
		if !b.heading && b.words >= 12 {
			long++
		}
	}
	return long >= 5
}

// quietSiblings reports whether the elements beside box hold no sentence of
// text (an editor's note, a last short paragraph) that readability would add
// to the article.
func quietSiblings(box *html.Node, filter *blockFilter) bool {
	if box.Parent == nil {
		return true
	}
	for s := box.Parent.FirstChild; s != nil; s = s.NextSibling {
		if s == box {
			continue
		}
		if s.Type == html.TextNode && strings.TrimSpace(s.Data) != "" {
			return false
		}
		if s.Type != html.ElementNode {
			continue
		}
		for _, b := range renderBlocks(s) {
			if !filter.boilerplate(b) && (b.words >= 12 || endsSentence(b.text)) {
				return false
			}
		}
	}
	return true
}

// extractDocument extracts from a parsed page. alwaysReadability turns the
// shortcut of clearlyArticle off (tests compare both paths).
func extractDocument(doc *html.Node, pageURL *url.URL, alwaysReadability bool) (Article, error) {
	meta := readMetadata(doc)
	a := Article{
		Title:     meta.title,
		Byline:    meta.byline,
		Published: meta.published,
		Modified:  meta.modified,
		Language:  meta.language,
		Direction: strings.ToLower(meta.direction),
		SiteName:  meta.siteName,
	}

	// The metadata is read; the parsed tree is cleaned in place (no copy).
	clean := doc
	pLen := removeBoilerplate(clean)
	elements := countElements(clean, 0)

	var cands []candidate
	// The headline is not part of the text; extractors sometimes keep the <h1>.
	filter := newBlockFilter(a.Title+"\x00"+meta.h1, a.Byline)
	// The page's own container of long paragraphs is found cheaply; when it
	// is clearly the article, readability (the costliest step on long pages)
	// is not asked and the container's paragraphs are kept.
	box, share := mainContainer(clean, pLen)
	var boxBlocks []block
	fast := false
	if box != nil {
		boxBlocks = renderBlocks(box)
		fast = !alwaysReadability && !meta.liveBlog && clearlyArticle(newCandidate(MethodDOM, boxBlocks, filter), share) && quietSiblings(box, filter)
	}
	var rd readabilityResult
	if fast {
		cands = append(cands, newCandidate(MethodDOM, boxBlocks, filter))
		cands[0].primary = true
	} else if rd = readabilityCandidate(clean, pageURL, elements); rd.node != nil {
		cands = append(cands, newCandidate(MethodReadability, renderBlocks(rd.node), filter))
	}
	if a.Title == "" {
		a.Title = firstNonEmpty(rd.title, meta.h1, meta.docTitle)
	}
	if a.Byline == "" {
		a.Byline = cleanByline(rd.byline)
	}
	if headline := a.Title + "\x00" + meta.h1; headline != filter.title || a.Byline != filter.byline {
		filter = newBlockFilter(headline, a.Byline)
		if fast {
			cands[0] = newCandidate(MethodDOM, boxBlocks, filter)
			cands[0].primary = true
		}
	}
	if a.Direction == "" {
		a.Direction = strings.ToLower(rd.dir)
	}
	if meta.articleBody != "" {
		cands = append(cands, newCandidate(MethodJSONLD, textBlocks(meta.articleBody), filter))
	}
	if box != nil && !fast {
		cands = append(cands, newCandidate(MethodDOM, boxBlocks, filter))
	}
	best := pickCandidate(cands, meta.liveBlog)
	if best != nil && !meta.liveBlog {
		best.blocks = trimWeakEnds(best.blocks)
	}
	if best == nil || len(best.blocks) == 0 {
		// Last resort: everything the cleaned page shows.
		c := newCandidate(MethodDOM, renderBlocks(clean), newBlockFilter(a.Title, a.Byline))
		best = &c
	}
	a.Method = best.method
	for _, b := range best.blocks {
		a.Paragraphs = append(a.Paragraphs, b.text)
	}
	a.Text = strings.Join(a.Paragraphs, "\n\n")
	a.Title = strings.Join(strings.Fields(Normalize(a.Title)), " ")
	a.Byline = strings.Join(strings.Fields(Normalize(a.Byline)), " ")
	a.SiteName = strings.Join(strings.Fields(Normalize(a.SiteName)), " ")
	if a.Language == "" {
		a.Language = detectLanguage(a.Text)
	}
	a.Language = normalizeLanguage(a.Language)
	if a.Direction != "rtl" && a.Direction != "ltr" {
		a.Direction = directionOf(a.Language, a.Text)
	}
	if a.Text == "" {
		return a, fmt.Errorf("%w", ErrNoText)
	}
	return a, nil
}

type readabilityResult struct {
	node               *html.Node
	title, byline, dir string
}

func readabilityCandidate(clean *html.Node, pageURL *url.URL, elements int) (res readabilityResult) {
	defer func() {
		// A bug in a third-party extractor must not take a capture down.
		if recover() != nil {
			res = readabilityResult{}
		}
	}()
	if elements > 4*maxElements {
		return res
	}
	p := readability.NewParser()
	p.DisableJSONLD = true
	art, err := p.ParseDocument(clean, pageURL)
	if err != nil {
		return res
	}
	return readabilityResult{node: art.Node, title: art.Title(), byline: art.Byline()}
}

// textBlocks splits plain text (JSON-LD articleBody) into paragraphs.
func textBlocks(text string) []block {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []block
	for _, p := range strings.Split(text, "\n") {
		if p = Normalize(p); p != "" {
			out = append(out, block{text: p, words: len(strings.Fields(p))})
		}
	}
	return out
}

// extractTokens is the fallback for documents the HTML parser refuses: the
// visible text, one paragraph per block element.
func extractTokens(content []byte) (Article, error) {
	z := html.NewTokenizer(bytes.NewReader(content))
	var r blockRenderer
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			r.flush()
			a := Article{Method: MethodDOM, Direction: "ltr"}
			for _, b := range r.blocks {
				a.Paragraphs = append(a.Paragraphs, b.text)
			}
			a.Text = strings.Join(a.Paragraphs, "\n\n")
			a.Direction = directionOf("", a.Text)
			if a.Text == "" {
				return a, fmt.Errorf("%w", ErrNoText)
			}
			return a, nil
		case html.TextToken:
			if skip == 0 {
				r.buf.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skippedTags[a] && tt != html.SelfClosingTagToken && a != atom.Img && a != atom.Input && a != atom.Source {
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
			if blockTags[a] {
				r.flush()
			}
		}
	}
}

func newCandidate(method string, blocks []block, filter *blockFilter) candidate {
	c := candidate{method: method}
	seen := map[string]bool{}
	for _, b := range blocks {
		if filter.boilerplate(b) {
			continue
		}
		// Some extractors repeat content; an article rarely repeats a
		// sentence-long paragraph word for word.
		if b.words >= 5 {
			if seen[b.text] {
				continue
			}
			seen[b.text] = true
		}
		c.blocks = append(c.blocks, b)
	}
	c.words, c.score = scoreBlocks(c.blocks)
	return c
}

// scoreBlocks rates a candidate: words in sentence-like paragraphs count
// fully, short link-heavy fragments count against it.
func scoreBlocks(blocks []block) (words int, score float64) {
	for _, b := range blocks {
		n := countWords(b.text)
		words += n
		switch {
		case b.heading:
			score += 0.5 * float64(n)
		case n >= 12 || endsSentence(b.text):
			score += float64(n)
		case rxTimeLike.MatchString(b.text):
		case n <= 3:
			score -= 2
		default:
			score -= 0.2 * float64(n)
		}
		if b.words > 0 {
			score -= 2 * float64(n) * float64(b.linkWords) / float64(b.words)
		}
	}
	return words, score
}

func endsSentence(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s, " \"'”’»)"))
	return strings.ContainsRune(".!?۔؟।", r)
}

// pickCandidate keeps the best-scoring text. Readability's paragraphs win
// ties: its structure is the most faithful. JSON-LD articleBody is the text
// the publisher declared; when the page body agrees with it, the page's own
// paragraphs are kept, when the page shows far less (client-side rendering),
// the declared body is used.
//
// The whole-container candidate ("dom") is the last choice, except on live
// blogs, where the extractors drop the entries' timestamps and headings: there
// it wins whenever it holds most of the text.
func pickCandidate(cands []candidate, liveBlog bool) *candidate {
	var best *candidate
	for i := range cands {
		c := &cands[i]
		if len(c.blocks) == 0 || c.method == MethodDOM && !c.primary {
			continue
		}
		if best == nil || c.score > best.score*1.2 || (best.words < 50 && c.words > best.words) {
			best = c
		}
	}
	for i := range cands {
		c := &cands[i]
		if c.method != MethodDOM || c.primary || len(c.blocks) == 0 {
			continue
		}
		switch {
		case best == nil:
			best = c
		case liveBlog && float64(c.words) >= 0.7*float64(best.words):
			best = c
		case c.score > best.score*1.5:
			best = c
		}
	}
	return best
}

// trimWeakEnds drops short fragments (a weather box, "Top stories", a date)
// before the first and after the last real paragraph.
func trimWeakEnds(blocks []block) []block {
	weak := func(b block) bool {
		return !b.heading && countWords(b.text) <= 6 && !endsSentence(b.text)
	}
	for len(blocks) > 0 && weak(blocks[0]) {
		blocks = blocks[1:]
	}
	for len(blocks) > 0 && weak(blocks[len(blocks)-1]) {
		blocks = blocks[:len(blocks)-1]
	}
	return blocks
}

func countElements(n *html.Node, depth int) int {
	if depth > maxDepth {
		return 0
	}
	count := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			count += 1 + countElements(c, depth+1)
		}
	}
	return count
}

// normalizeLanguage turns "en_US", "EN-us" into BCP 47 style "en-US".
func normalizeLanguage(l string) string {
	l = strings.TrimSpace(strings.ReplaceAll(l, "_", "-"))
	if i := strings.IndexAny(l, ",; "); i >= 0 {
		l = l[:i]
	}
	parts := strings.Split(l, "-")
	for i, p := range parts {
		if i == 0 {
			parts[i] = strings.ToLower(p)
		} else if len(p) == 2 {
			parts[i] = strings.ToUpper(p)
		}
	}
	return strings.Join(parts, "-")
}

var rtlLanguages = map[string]bool{
	"ar": true, "ur": true, "fa": true, "he": true, "iw": true, "ps": true, "sd": true,
	"ug": true, "yi": true, "dv": true, "ckb": true, "ku-Arab": true, "pa-Arab": true,
}

// directionOf derives the text direction from the language, or from the
// script of the text when no language is declared.
func directionOf(lang, text string) string {
	if lang != "" {
		base, _, _ := strings.Cut(lang, "-")
		if rtlLanguages[base] || strings.Contains(lang, "-Arab") {
			return "rtl"
		}
		return "ltr"
	}
	rtl, ltr := 0, 0
	for _, r := range text {
		switch {
		case unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana):
			rtl++
		case unicode.IsLetter(r):
			ltr++
		}
	}
	if rtl > ltr {
		return "rtl"
	}
	return "ltr"
}

// detectLanguage guesses the language of a text when the page declares none.
func detectLanguage(text string) string {
	if len(text) > 4096 {
		text = text[:4096]
	}
	info := whatlanggo.Detect(text)
	if !info.IsReliable() {
		return ""
	}
	return info.Lang.Iso6391()
}
