package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

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
// names is in set.
func matchNames(names string, set map[string]bool) bool {
	prev := ""
	var pair strings.Builder
	for _, w := range strings.FieldsFunc(strings.ToLower(names), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		if set[w] {
			return true
		}
		if prev != "" {
			pair.Reset()
			pair.WriteString(prev)
			pair.WriteByte('-')
			pair.WriteString(w)
			if set[pair.String()] {
				return true
			}
		}
		prev = w
	}
	return false
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
	longText int // characters in long paragraphs of the whole document
}

// removeBoilerplate strips navigation, overlays, share bars, comment threads,
// ads and the like from doc in place.
func removeBoilerplate(doc *html.Node) {
	c := cleaner{longText: longParagraphText(doc, 0)}
	c.clean(doc, 0)
}

func (c *cleaner) clean(n *html.Node, depth int) {
	for child := n.FirstChild; child != nil; {
		next := child.NextSibling
		if depth > maxDepth {
			n.RemoveChild(child)
		} else if child.Type == html.CommentNode {
			n.RemoveChild(child)
		} else if child.Type == html.ElementNode && c.isBoilerplate(child) {
			n.RemoveChild(child)
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
	if n.DataAtom == atom.Header && containsTag(n, atom.Nav, 0) {
		return true
	}
	if removedRoles[strings.ToLower(attr(n, "role"))] && !c.isArticle(n) {
		return true
	}
	names := attr(n, "class") + " " + attr(n, "id")
	if v := attr(n, "data-component"); v != "" {
		names += " " + v
	}
	if strings.TrimSpace(names) == "" || n.DataAtom == atom.Body || n.DataAtom == atom.Html {
		return false
	}
	if matchNames(names, boilerplateNames) {
		if matchNames(names, commentNames) {
			return !containsTag(n, atom.H1, 0) && !hasArticleBody(n, 0)
		}
		return !c.isArticle(n)
	}
	return false
}

// isArticle reports whether n holds the article: the page's <h1>, the
// schema.org articleBody, or most of the document's long paragraphs.
func (c *cleaner) isArticle(n *html.Node) bool {
	if containsTag(n, atom.H1, 0) || hasArticleBody(n, 0) {
		return true
	}
	t := longParagraphText(n, 0)
	return c.longText > 0 && t*2 > c.longText
}

func containsTag(n *html.Node, a atom.Atom, depth int) bool {
	if depth > maxDepth {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.DataAtom == a || containsTag(c, a, depth+1)) {
			return true
		}
	}
	return false
}

func hasArticleBody(n *html.Node, depth int) bool {
	if depth > maxDepth {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if strings.EqualFold(attr(c, "itemprop"), "articleBody") || hasArticleBody(c, depth+1) {
			return true
		}
	}
	return false
}

// longParagraphText counts the characters of <p> elements of 80 characters or
// more under n: a cheap measure of where the prose is.
func longParagraphText(n *html.Node, depth int) int {
	if depth > maxDepth {
		return 0
	}
	total := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if c.DataAtom == atom.P {
			if l := utf8.RuneCountInString(strings.TrimSpace(textOf(c))); l >= 80 {
				total += l
			}
			continue
		}
		total += longParagraphText(c, depth+1)
	}
	return total
}

// Paragraph-level boilerplate that survives the DOM cleaning.
var (
	rxBoilerLine   = regexp.MustCompile(`(?i)^(advertisement|advert|ad|ads|sponsored|sponsored content|story continues below( this)? advertisement|article continues below( this)? advertisement|scroll to continue( with content)?|continue reading( below)?|loading\.*|share|share this( article| story| page)?|share on \w+|tweet|email|print|facebook|twitter|whatsapp|linkedin|telegram|copy link|link copied|comments?|\d+ comments?|leave a (comment|reply)|(read|view|show|see)( all)?( \d+)? comments?|skip to (main )?content|back to top|اشتہار|شیئر کریں|विज्ञापन|शेयर करें)$`)
	rxShortBoiler  = regexp.MustCompile(`(?i)^(read more|also read|read also|see also|related|recommended|more on this( story)?|more from|watch|listen|follow us|click here|subscribe|sign up|newsletter|already a subscriber|a version of this article appears in print|get the latest|download (our|the) app|join our|published|updated|posted|last updated|first published|photo|image|file photo|credit|مزید پڑھیں|یہ بھی پڑھیں|مزید خبریں|यह भी पढ़ें|ये भी पढ़ें|और पढ़ें|इसे भी पढ़ें)\b`)
	rxCookieLine   = regexp.MustCompile(`(?i)\bcookies?\b`)
	rxConsentWords = regexp.MustCompile(`(?i)\b(accept|consent|privacy|preferences|agree)\b`)
	rxSubscribe    = regexp.MustCompile(`(?i)\b(subscribe|subscription|subscriber|sign in to continue|log in to continue|to continue reading|newsletter)\b`)
	rxCopyright    = regexp.MustCompile(`(?i)(©|\(c\)|copyright|all rights reserved)`)
	rxDateLine     = regexp.MustCompile(`(?i)\b(published|updated|posted|last modified)\b`)
	rxTimeLike     = regexp.MustCompile(`(?i)^(\d{1,2}[:.]\d{2}( ?[ap]\.?m\.?)?( [a-z]{2,5})?|\d+ ?(min|mins|minutes?|h|hrs?|hours?) ago|(yesterday|today)( at)? \d{1,2}[:.]\d{2}.*)$`)
)

// isBoilerplateBlock reports paragraphs that are page furniture rather than
// article text. byline and title are the article's own metadata, which the
// text does not repeat.
func isBoilerplateBlock(b block, title, byline string) bool {
	text := b.text
	words := len(strings.Fields(text))
	if words > 60 {
		return false
	}
	if words <= 8 && rxBoilerLine.MatchString(strings.Trim(text, " .:|·•-–—")) {
		return true
	}
	if words <= 25 && rxShortBoiler.MatchString(text) {
		return true
	}
	if words <= 60 && rxCookieLine.MatchString(text) && rxConsentWords.MatchString(text) {
		return true
	}
	if words <= 30 && rxSubscribe.MatchString(text) {
		return true
	}
	if words <= 30 && rxCopyright.MatchString(text) {
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
	for _, t := range strings.Split(title, "\x00") {
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
// long paragraphs of the page, or nil when the page has none.
func mainContainer(doc *html.Node) *html.Node {
	counts := map[*html.Node]int{}
	total := countLongText(doc, counts, 0)
	if total == 0 {
		return nil
	}
	n := doc
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
	return n
}

// countLongText is longParagraphText for every element at once, in one pass.
func countLongText(n *html.Node, counts map[*html.Node]int, depth int) int {
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
			if l := utf8.RuneCountInString(textOf(c)); l >= 80 {
				t = l
			}
		} else {
			t = countLongText(c, counts, depth+1)
		}
		if t > 0 {
			counts[c] = t
		}
		total += t
	}
	return total
}
