package monitor

import (
	"bytes"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// boilerplateClass matches class and id tokens of page parts that change on
// every load or do not belong to the article: related lists, ads, counters,
// timestamps, share bars.
var boilerplateClass = regexp.MustCompile(`(?i)(^|[-_])(related|recommended|recommendations|trending|popular|most-?read|more-?stories|read-?more|ads?|advert|advertisement|adslot|sponsor|sponsored|promo|promoted|views?|view-?count|counter|hit-?count|share|sharing|social|newsletter|comments?|timestamp|dateline|updated|published|time-?ago|clock|ticker|breaking-?bar|outbrain|taboola)([-_]|$)`)

// dropTags never hold article text worth comparing.
var dropTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Iframe: true,
	atom.Aside: true, atom.Nav: true, atom.Footer: true,
	atom.Time: true, atom.Template: true, atom.Svg: true,
}

// StripBoilerplateHTML removes from an HTML page the elements that change
// on every load without being part of the article (see boilerplateClass and
// dropTags) and returns the page re-rendered. It returns page unchanged when
// it cannot be parsed.
func StripBoilerplateHTML(page []byte) []byte {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return page
	}
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			if c.Type == html.ElementNode && depth < 512 && isBoilerplateNode(c) {
				n.RemoveChild(c)
			} else if depth < 512 {
				walk(c, depth+1)
			}
			c = next
		}
	}
	walk(doc, 0)
	var buf bytes.Buffer
	if err := html.Render(&buf, doc); err != nil {
		return page
	}
	return buf.Bytes()
}

func isBoilerplateNode(n *html.Node) bool {
	if dropTags[n.DataAtom] {
		return true
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "class", "id":
			for _, tok := range strings.Fields(a.Val) {
				if boilerplateClass.MatchString(tok) {
					return true
				}
			}
		case "role":
			if a.Val == "complementary" || a.Val == "banner" || a.Val == "contentinfo" || a.Val == "navigation" {
				return true
			}
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		}
	}
	return false
}

var (
	// relativeTime: "5 minutes ago", "updated 2 hours ago", "3 hrs ago".
	relativeTime = regexp.MustCompile(`(?i)\b(updated\s+|posted\s+|published\s+)?(about\s+|an?\s+|\d+\s*)(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\s+ago\b`)
	// counters: "1,234 views", "12 comments", "5.6k shares".
	counter   = regexp.MustCompile(`(?i)\b\d[\d,.]*\s*[km]?\s+(views?|reads?|comments?|shares?|likes?|readers?|visits?|times)\b`)
	clockTime = regexp.MustCompile(`(?i)\b\d{1,2}[:.]\d{2}([:.]\d{2})?\s*(am|pm|a\.m\.|p\.m\.)?(\s*(pkt|ist|utc|gmt|[a-z]{2,4}t))?\b`)
	isoDate   = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}([t ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(z|[+-]\d{2}:?\d{2})?)?\b`)
	slashDate = regexp.MustCompile(`\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b`)
	monthName = `(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\.?`
	wordDate  = regexp.MustCompile(`(?i)\b(\d{1,2}(st|nd|rd|th)?\s+` + monthName + `,?\s+\d{4}|` + monthName + `\s+\d{1,2}(st|nd|rd|th)?,?\s+\d{4})\b`)
	weekday   = regexp.MustCompile(`(?i)\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|nesday|sday|urday)?\b,?`)
	// leftover words of a date/time line: "Updated:", "Last modified", "|".
	dateFiller = regexp.MustCompile(`(?i)\b(last\s+)?(updated|modified|published|posted|on|at|by|the|\|)\b|[:|,·•–—-]`)
)

// isVolatileParagraph reports whether a paragraph is only a date, a time, a
// relative time or a counter ("Updated 5 minutes ago", "1,234 views",
// "Published: 12 May 2024 10:32 PKT"): such lines change on every load.
func isVolatileParagraph(p string) bool {
	if len(p) > 160 {
		return false
	}
	s := relativeTime.ReplaceAllString(p, " ")
	s = counter.ReplaceAllString(s, " ")
	s = isoDate.ReplaceAllString(s, " ")
	s = wordDate.ReplaceAllString(s, " ")
	s = slashDate.ReplaceAllString(s, " ")
	s = clockTime.ReplaceAllString(s, " ")
	if s == p {
		return false
	}
	s = weekday.ReplaceAllString(s, " ")
	s = dateFiller.ReplaceAllString(s, " ")
	return strings.TrimSpace(s) == ""
}

// scrubVolatile replaces, inside a content paragraph, the phrases that
// change on every load (relative times and counters) with fixed tokens.
// Absolute dates inside sentences are content and stay.
func scrubVolatile(p string) string {
	p = relativeTime.ReplaceAllString(p, "(time ago)")
	p = counter.ReplaceAllString(p, "(count)")
	return p
}

// relatedHeading matches a paragraph that starts a list of links to other
// articles; it and the short paragraphs after it are dropped.
var relatedHeading = regexp.MustCompile(`(?i)^(related( articles| stories| news| coverage)?|read (more|also)|also read|more (from|on|stories)|you may (also )?like|recommended( for you)?|trending( now)?|most (read|popular|viewed)|advertisement|sponsored( content)?)\s*:?$`)

// CleanParagraphs removes volatile paragraphs, "related articles" blocks
// and ad labels from extracted paragraphs, and scrubs relative times and
// counters inside the rest.
func CleanParagraphs(paras []string) []string {
	var out []string
	skipping := false
	for _, p := range paras {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if relatedHeading.MatchString(p) {
			skipping = true
			continue
		}
		if skipping {
			if len(p) < 120 && !endsLikeSentence(p) {
				continue
			}
			skipping = false
		}
		if isVolatileParagraph(p) {
			continue
		}
		out = append(out, scrubVolatile(p))
	}
	return out
}

func endsLikeSentence(p string) bool {
	p = strings.TrimRight(p, `"'”’)» `)
	return strings.HasSuffix(p, ".") || strings.HasSuffix(p, "!") || strings.HasSuffix(p, "?") || strings.HasSuffix(p, "۔") || strings.HasSuffix(p, "।")
}
