package extract

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Boilerplate found by class, id or role: words of the class and id
// attributes (split on anything but letters and digits) and pairs of adjacent
// words joined by "-". Strong names are removed unless the element holds the
// article itself.
var boilerplateNames = setOf(
	"cookie", "cookies", "consent", "gdpr", "cmp", "onetrust", "newsletter", "newsletters",
	"subscribe", "subscription", "subscriber", "paywall", "regwall", "piano", "meter", "signup",
	"share", "shares", "sharing", "sharebar", "social", "socials", "related", "recommended",
	"recommendations", "readnext", "readmore", "alsoread", "seealso", "morestories", "morenews",
	"mostread", "mostpopular", "popular", "trending", "comment", "comments", "disqus", "respond",
	"outbrain", "taboola", "breadcrumb", "breadcrumbs", "tags", "taglist", "topics", "advert",
	"advertisement", "adverts", "ad", "ads", "adslot", "adunit", "adcontainer", "dfp", "adsbygoogle",
	"sponsored", "promo", "promoted", "promotion", "sidebar", "widget", "widgets", "modal", "popup",
	"overlay", "interstitial", "toolbar", "skiplink", "navbar", "nav", "navigation", "menu",
	"masthead", "footer", "byline", "authorbio", "authorbox", "aboutauthor", "credit", "credits",
	"photocredit", "print", "email", "whatsapp", "facebook", "twitter", "sronly", "pagination",
	"pager", "jumplink", "jumplinks",
	// pairs
	"sign-up", "follow-us", "read-next", "read-more", "also-read", "see-also", "more-stories",
	"more-news", "most-read", "most-popular", "tag-list", "ad-slot", "ad-unit", "ad-container",
	"gpt-ad", "site-header", "site-footer", "author-bio", "author-box", "about-author",
	"photo-credit", "sr-only", "visually-hidden", "screen-reader", "skip-link", "jump-links",
	"jump-link", "pop-up",
)

var commentNames = setOf("comment", "comments", "disqus", "respond", "discussion")

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// matchNames reports whether a word, or two adjacent words joined by "-", of
// names is in set. Words are runs of ASCII letters and digits, compared in
// lower case; names is read without allocating (it runs on every element).
func matchNames(names string, set map[string]bool) bool {
	var pair [2*maxNameWord + 1]byte
	var lw [maxNameWord]byte
	prevLen := 0 // the previous word, kept at the start of pair
	for i := 0; i < len(names); {
		for i < len(names) && !isNameByte(names[i]) {
			i++
		}
		j := i
		for j < len(names) && isNameByte(names[j]) {
			j++
		}
		if i == j {
			break
		}
		w := names[i:j]
		i = j
		if len(w) > maxNameWord {
			prevLen = 0 // no word of the sets is that long
			continue
		}
		low := lw[:len(w)]
		for k := 0; k < len(w); k++ {
			c := w[k]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			low[k] = c
		}
		if set[string(low)] {
			return true
		}
		if prevLen > 0 {
			p := append(pair[:prevLen], '-')
			p = append(p, low...)
			if set[string(p)] {
				return true
			}
		}
		prevLen = copy(pair[:], low)
	}
	return false
}

const maxNameWord = 64

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

var removedTags = map[atom.Atom]bool{
	atom.Nav: true, atom.Aside: true, atom.Footer: true, atom.Form: true, atom.Dialog: true,
	atom.Menu: true, atom.Iframe: true, atom.Script: true, atom.Style: true, atom.Noscript: true,
	atom.Template: true, atom.Svg: true, atom.Button: true, atom.Select: true, atom.Textarea: true,
	atom.Input: true, atom.Object: true, atom.Embed: true, atom.Link: true,
}

var removedRoles = map[string]bool{
	"navigation": true, "banner": true, "contentinfo": true, "complementary": true,
	"dialog": true, "alertdialog": true, "search": true, "menu": true, "menubar": true,
	"toolbar": true, "alert": true,
}

// cleaner removes boilerplate from a document copy before the extractors see it.
type cleaner struct {
	longText int                      // characters in long paragraphs of the whole document
	facts    map[*html.Node]nodeFacts // per element, computed once before cleaning
	pLen     paraLengths              // proseLen of every <p>, kept while the <p> is untouched
}

// paraLengths caches proseLen of <p> elements for mainContainer.
type paraLengths map[*html.Node]int

func (m paraLengths) of(p *html.Node) int {
	if l, ok := m[p]; ok {
		return l
	}
	return proseLen(p)
}

// nodeFacts describes the descendants of an element: the characters of its
// long paragraphs (longParagraphText) and whether it holds an <h1>, a <nav>
// or the schema.org articleBody. They are computed bottom-up in one pass;
// the cleaner asks about an element before it touches the element's
// subtree, so facts of the original tree are exact.
type nodeFacts struct {
	longText             int
	h1, nav, articleBody bool
}

// removeBoilerplate strips navigation, overlays, share bars, comment threads,
// ads and the like from doc in place. It returns the text lengths of the
// paragraphs left untouched, for mainContainer.
func removeBoilerplate(doc *html.Node) paraLengths {
	c := cleaner{facts: make(map[*html.Node]nodeFacts, 256), pLen: paraLengths{}}
	c.longText = c.collect(doc, 0).longText
	c.clean(doc, 0)
	return c.pLen
}

func (c *cleaner) collect(n *html.Node, depth int) nodeFacts {
	var f nodeFacts
	if depth > maxDepth {
		return f
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.ElementNode {
			continue
		}
		cf := c.collect(ch, depth+1)
		c.facts[ch] = cf
		f.h1 = f.h1 || cf.h1 || ch.DataAtom == atom.H1
		f.nav = f.nav || cf.nav || ch.DataAtom == atom.Nav
		f.articleBody = f.articleBody || cf.articleBody || strings.EqualFold(attr(ch, "itemprop"), "articleBody")
		if ch.DataAtom == atom.P {
			l := proseLen(ch)
			c.pLen[ch] = l
			if l >= 80 {
				f.longText += l
			}
		} else {
			f.longText += cf.longText
		}
	}
	return f
}

func (c *cleaner) clean(n *html.Node, depth int) {
	for child := n.FirstChild; child != nil; {
		next := child.NextSibling
		if depth > maxDepth || child.Type == html.CommentNode || child.Type == html.ElementNode && c.isBoilerplate(child) {
			n.RemoveChild(child)
			for a := n; a != nil; a = a.Parent {
				if a.DataAtom == atom.P {
					delete(c.pLen, a) // its text changed
				}
			}
		} else {
			c.clean(child, depth+1)
		}
		child = next
	}
}

func (c *cleaner) isBoilerplate(n *html.Node) bool {
	if isHidden(n) {
		return true
	}
	if removedTags[n.DataAtom] {
		// <footer> and <aside> inside an article sometimes hold the end of the
		// text; keep them when they are mostly prose.
		if (n.DataAtom == atom.Footer || n.DataAtom == atom.Aside) && c.isArticle(n) {
			return false
		}
		return true
	}
	if n.DataAtom == atom.Header && c.facts[n].nav {
		return true
	}
	if removedRoles[strings.ToLower(attr(n, "role"))] && !c.isArticle(n) {
		return true
	}
	if n.DataAtom == atom.Body || n.DataAtom == atom.Html {
		return false
	}
	names := attr(n, "class")
	for _, key := range [...]string{"id", "data-component"} {
		if v := attr(n, key); v != "" {
			if names == "" {
				names = v
			} else {
				names += " " + v
			}
		}
	}
	if names == "" {
		return false
	}
	if matchNames(names, boilerplateNames) {
		if matchNames(names, commentNames) {
			f := c.facts[n]
			return !f.h1 && !f.articleBody
		}
		return !c.isArticle(n)
	}
	return false
}

// isArticle reports whether n holds the article: the page's <h1>, the
// schema.org articleBody, or most of the document's long paragraphs.
func (c *cleaner) isArticle(n *html.Node) bool {
	f := c.facts[n]
	if f.h1 || f.articleBody {
		return true
	}
	return c.longText > 0 && f.longText*2 > c.longText
}

// Paragraph-level boilerplate that survives the DOM cleaning.
var (
	rxBoilerLine = regexp.MustCompile(`(?i)^(advertisement|advert|ad|ads|sponsored|sponsored content|story continues below( this)? advertisement|article continues below( this)? advertisement|scroll to continue( with content)?|continue reading( below)?|loading\.*|share|share this( article| story| page)?|share on \w+|tweet|email|print|facebook|twitter|whatsapp|linkedin|telegram|copy link|link copied|comments?|\d+ comments?|leave a (comment|reply)|(read|view|show|see)( all)?( \d+)? comments?|skip to (main )?content|back to top|اشتہار|شیئر کریں|विज्ञापन|शेयर करें)$`)
	// The phrase ends at the end of the text or before a character that is
	// not part of a word: \b knows only ASCII words, so it never matched
	// after the Urdu and Hindi phrases.
	rxShortBoiler  = regexp.MustCompile(`(?i)^(` + strings.Join(shortBoilerPhrases, "|") + `)($|[^\pL\pN\pM_])`)
	rxCookieLine   = regexp.MustCompile(`(?i)\bcookies?\b`)
	rxConsentWords = regexp.MustCompile(`(?i)\b(accept|consent|privacy|preferences|agree)\b`)
	rxSubscribe    = regexp.MustCompile(`(?i)\b(subscribe|subscription|subscriber|sign in to continue|log in to continue|to continue reading|newsletter)\b`)
	rxDateLine     = regexp.MustCompile(`(?i)\b(published|updated|posted|last modified)\b`)
	rxTimeLike     = regexp.MustCompile(`(?i)^(\d{1,2}[:.]\d{2}( ?[ap]\.?m\.?)?( [a-z]{2,5})?|\d+ ?(min|mins|minutes?|h|hrs?|hours?) ago|(yesterday|today)( at)? \d{1,2}[:.]\d{2}.*)$`)
)

// shortBoilerPhrases start short paragraphs that are page furniture ("Read
// more: …"); alternatives of a regular expression.
var shortBoilerPhrases = []string{
	`read more`, `also read`, `read also`, `see also`, `related`, `recommended`, `more on this( story)?`,
	`more from`, `watch`, `listen`, `follow us`, `click here`, `subscribe`, `sign up`, `newsletter`,
	`already a subscriber`, `a version of this article appears in print`, `get the latest`,
	`download (our|the) app`, `join our`, `published`, `updated`, `posted`, `last updated`,
	`first published`, `photo`, `image`, `file photo`, `credit`, `مزید پڑھیں`, `یہ بھی پڑھیں`,
	`مزید خبریں`, `यह भी पढ़ें`, `ये भी पढ़ें`, `और पढ़ें`, `इसे भी पढ़ें`,
}

// shortBoilerFirst holds the first word of every short boilerplate phrase:
// rxShortBoiler runs only on paragraphs that start with one.
var shortBoilerFirst = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range shortBoilerPhrases {
		m[strings.ToLower(firstWord(p))] = true
	}
	return m
}()

// firstWord returns the leading run of letters, marks and digits of s.
func firstWord(s string) string {
	for i, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)) {
			return s[:i]
		}
	}
	return s
}

// containsFold reports whether s contains sub, ignoring ASCII case; sub is
// lower case.
func containsFold(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

func containsAnyFold(s string, subs ...string) bool {
	for _, sub := range subs {
		if containsFold(s, sub) {
			return true
		}
	}
	return false
}

// blockFilter is isBoilerplateBlock for one page's title and byline, with
// its answers kept: the candidates of one page share most paragraphs.
type blockFilter struct {
	title, byline string
	memo          map[blockKey]bool
}

type blockKey struct {
	text             string
	words, linkWords int
}

func newBlockFilter(title, byline string) *blockFilter {
	return &blockFilter{title: title, byline: byline, memo: map[blockKey]bool{}}
}

func (f *blockFilter) boilerplate(b block) bool {
	k := blockKey{b.text, b.words, b.linkWords}
	v, ok := f.memo[k]
	if !ok {
		v = isBoilerplateBlock(b, f.title, f.byline)
		f.memo[k] = v
	}
	return v
}

// isBoilerplateBlock reports paragraphs that are page furniture rather than
// article text. byline and title are the article's own metadata, which the
// text does not repeat.
func isBoilerplateBlock(b block, title, byline string) bool {
	text := b.text
	words := countFields(text)
	if words > 60 {
		return false
	}
	// Cheap tests guard the regular expressions: most paragraphs are prose.
	if words <= 8 && rxBoilerLine.MatchString(strings.Trim(text, " .:|·•-–—")) {
		return true
	}
	if words <= 25 && shortBoilerFirst[strings.ToLower(firstWord(text))] && rxShortBoiler.MatchString(text) {
		return true
	}
	if containsFold(text, "cookie") && rxCookieLine.MatchString(text) && rxConsentWords.MatchString(text) {
		return true
	}
	if words <= 30 && containsAnyFold(text, "subscri", "sign in", "log in", "to continue", "newsletter") && rxSubscribe.MatchString(text) {
		return true
	}
	if words <= 30 && containsAnyFold(text, "©", "(c)", "copyright", "all rights reserved") {
		return true
	}
	if words <= 12 && rxDateLine.MatchString(text) {
		return true
	}
	if !hasLetter(text) && !rxTimeLike.MatchString(text) {
		return true
	}
	if b.words > 0 && words < 40 && float64(b.linkWords) > 0.6*float64(b.words) {
		return true
	}
	for t := range strings.SplitSeq(title, "\x00") {
		if t != "" && strings.EqualFold(text, t) {
			return true
		}
	}
	if byline != "" && words <= 12 {
		t := strings.ToLower(text)
		bl := strings.ToLower(byline)
		if t == bl || strings.TrimPrefix(t, "by ") == bl || (strings.HasPrefix(t, "by ") && strings.Contains(t, bl)) {
			return true
		}
	}
	return false
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// mainContainer returns the smallest element that still holds nearly all the
// long paragraphs of the page, or nil when the page has none, and the share
// of the page's long-paragraph text it holds.
func mainContainer(doc *html.Node, pLen paraLengths) (*html.Node, float64) {
	counts := map[*html.Node]int{}
	all := countLongText(doc, counts, pLen, 0)
	if all == 0 {
		return nil, 0
	}
	n, total := doc, all
	for depth := 0; depth < maxDepth; depth++ {
		var next *html.Node
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if t := counts[c]; c.Type == html.ElementNode && t*100 >= total*85 {
				next, total = c, t
				break
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return n, float64(total) / float64(all)
}

// countLongText is longParagraphText for every element at once, in one pass.
func countLongText(n *html.Node, counts map[*html.Node]int, pLen paraLengths, depth int) int {
	if depth > maxDepth {
		return 0
	}
	total := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		var t int
		if c.DataAtom == atom.P {
			if l := pLen.of(c); l >= 80 {
				t = l
			}
		} else {
			t = countLongText(c, counts, pLen, depth+1)
		}
		if t > 0 {
			counts[c] = t
		}
		total += t
	}
	return total
}
