package extract

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// metadata is what the page says about itself, before any text extraction.
type metadata struct {
	title, byline, siteName string
	published, modified     *time.Time
	language, direction     string
	articleBody             string // schema.org articleBody, when the page has one
	jsonLDTitle, metaTitle  string
	h1, docTitle            string
	liveBlog                bool // a live blog: timestamps are part of the entries
}

// articleTypes are the schema.org types whose properties describe the page's article.
var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "analysisnewsarticle": true, "askpublicnewsarticle": true,
	"backgroundnewsarticle": true, "opinionnewsarticle": true, "reportagenewsarticle": true,
	"reviewnewsarticle": true, "report": true, "satiricalarticle": true, "blogposting": true,
	"liveblogposting": true, "socialmediaposting": true, "techarticle": true, "scholarlyarticle": true,
	"webpage": false,
}

func readMetadata(doc *html.Node) metadata {
	var m metadata
	var jsonLD []string
	metas := map[string]string{}
	var timePublished, timeModified, timeAny string
	liveEntries := 0
	domByline := ""
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxDepth {
			return
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				if l := attr(n, "lang"); l != "" {
					m.language = l
				}
				if d := attr(n, "dir"); d != "" {
					m.direction = d
				}
			case atom.Body:
				if d := attr(n, "dir"); d != "" && m.direction == "" {
					m.direction = d
				}
			case atom.Meta:
				key := strings.ToLower(strings.TrimSpace(firstNonEmpty(attr(n, "property"), attr(n, "name"), attr(n, "itemprop"), attr(n, "http-equiv"))))
				content := strings.TrimSpace(firstNonEmpty(attr(n, "content"), attr(n, "datetime")))
				if key != "" && content != "" {
					if _, seen := metas[key]; !seen {
						metas[key] = content
					}
				}
			case atom.Script:
				if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && n.FirstChild != nil {
					jsonLD = append(jsonLD, n.FirstChild.Data)
				}
				return
			case atom.Time:
				dt := firstNonEmpty(attr(n, "datetime"), textOf(n))
				prop := strings.ToLower(attr(n, "itemprop") + " " + attr(n, "class"))
				switch {
				case strings.Contains(prop, "modified") || strings.Contains(prop, "updated"):
					if timeModified == "" {
						timeModified = dt
					}
				case strings.Contains(prop, "published") || hasAttr(n, "pubdate") || strings.Contains(prop, "created"):
					if timePublished == "" {
						timePublished = dt
					}
				default:
					if timeAny == "" {
						timeAny = dt
					}
				}
			case atom.H1:
				if m.h1 == "" {
					m.h1 = textOf(n)
				}
			case atom.Title:
				if _, ok := metas["<title>"]; !ok {
					metas["<title>"] = textOf(n)
				}
				return
			}
			if domByline == "" && isBylineElement(n) {
				if t := textOf(n); t != "" && len(strings.Fields(t)) <= 10 {
					domByline = bylineFromText(t)
				}
			}
			if rxLiveEntry.MatchString(attr(n, "class")) {
				liveEntries++
			}
			if ip := strings.ToLower(attr(n, "itemprop")); ip == "datepublished" || ip == "datemodified" {
				if v := firstNonEmpty(attr(n, "content"), attr(n, "datetime")); v != "" {
					if _, seen := metas[ip]; !seen {
						metas[ip] = v
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(doc, 0)

	var ld ldArticle
	for _, raw := range jsonLD {
		parseJSONLD(raw, &ld)
	}
	m.liveBlog = ld.liveBlog || liveEntries >= 3
	m.jsonLDTitle = ld.headline
	m.metaTitle = firstNonEmpty(metas["og:title"], metas["twitter:title"], metas["dc.title"])
	m.articleBody = ld.body
	m.siteName = firstNonEmpty(metas["og:site_name"], ld.publisher, metas["application-name"])
	m.byline = cleanByline(firstNonEmpty(ld.author, nonURL(metas["author"]), nonURL(metas["article:author"]),
		metas["parsely-author"], metas["dc.creator"], metas["sailthru.author"], metas["byl"], domByline))
	m.title = firstNonEmpty(ld.headline, stripSiteName(m.metaTitle, m.siteName))
	m.docTitle = stripSiteName(metas["<title>"], m.siteName)
	m.published = firstTime(ld.published, metas["article:published_time"], metas["og:article:published_time"],
		metas["article:published"], metas["datepublished"], metas["pubdate"], metas["publishdate"],
		metas["publish-date"], metas["parsely-pub-date"], metas["sailthru.date"], metas["dc.date.issued"],
		metas["dc.date"], metas["dcterms.created"], metas["date"], timePublished, timeAny)
	m.modified = firstTime(ld.modified, metas["article:modified_time"], metas["og:updated_time"],
		metas["datemodified"], metas["dcterms.modified"], metas["last-modified"], timeModified)
	if m.language == "" {
		m.language = firstNonEmpty(ld.language, metas["content-language"], metas["dc.language"], strings.ReplaceAll(metas["og:locale"], "_", "-"))
	}
	return m
}

type ldArticle struct {
	headline, author, published, modified, body, language, publisher string
	found, liveBlog                                                  bool
}

// parseJSONLD fills a from the first article-typed object of a JSON-LD block,
// looking into @graph and arrays. Broken JSON is ignored.
func parseJSONLD(raw string, a *ldArticle) {
	if a.found {
		return
	}
	raw = strings.TrimSpace(raw)
	raw = strings.TrimPrefix(raw, "<![CDATA[")
	raw = strings.TrimSuffix(raw, "]]>")
	// Raw newlines and tabs inside strings are common and invalid JSON;
	// outside strings they are whitespace, so replacing them is safe.
	raw = strings.Map(func(r rune) rune {
		if r < 0x20 {
			return ' '
		}
		return r
	}, raw)
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return
	}
	findLDArticle(v, a, 0)
}

func findLDArticle(v any, a *ldArticle, depth int) {
	if a.found || depth > 8 {
		return
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			findLDArticle(e, a, depth+1)
		}
	case map[string]any:
		if isArticleType(t["@type"]) {
			a.found = true
			a.liveBlog = isType(t["@type"], "liveblogposting")
			a.headline = firstNonEmpty(ldString(t["headline"]), ldString(t["name"]))
			a.author = ldNames(t["author"])
			a.published = ldString(t["datePublished"])
			a.modified = ldString(t["dateModified"])
			a.body = ldString(t["articleBody"])
			a.language = ldString(t["inLanguage"])
			a.publisher = ldNames(t["publisher"])
			return
		}
		if g, ok := t["@graph"]; ok {
			findLDArticle(g, a, depth+1)
		}
		if me, ok := t["mainEntity"]; ok {
			findLDArticle(me, a, depth+1)
		}
	}
}

var rxLiveEntry = regexp.MustCompile(`(?i)(^|[^a-z])live-?(blog|entry|update|post|event)`)

func isType(v any, want string) bool {
	switch t := v.(type) {
	case string:
		return strings.EqualFold(strings.TrimPrefix(strings.TrimPrefix(t, "https://schema.org/"), "http://schema.org/"), want)
	case []any:
		for _, e := range t {
			if isType(e, want) {
				return true
			}
		}
	}
	return false
}

func isArticleType(v any) bool {
	switch t := v.(type) {
	case string:
		return articleTypes[strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(t, "https://schema.org/"), "http://schema.org/"))]
	case []any:
		for _, e := range t {
			if isArticleType(e) {
				return true
			}
		}
	}
	return false
}

func ldString(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case []any:
		if len(t) > 0 {
			return ldString(t[0])
		}
	case map[string]any:
		return firstNonEmpty(ldString(t["@value"]), ldString(t["name"]))
	}
	return ""
}

// ldNames joins the names of a JSON-LD person or organisation value, which may
// be a string, an object or a list of either.
func ldNames(v any) string {
	switch t := v.(type) {
	case string:
		return nonURL(strings.TrimSpace(t))
	case map[string]any:
		return ldString(t["name"])
	case []any:
		var names []string
		for _, e := range t {
			if n := ldNames(e); n != "" {
				names = append(names, n)
			}
		}
		return joinNames(names)
	}
	return ""
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func nonURL(s string) string {
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return ""
	}
	return s
}

func cleanByline(s string) string {
	s = strings.Join(strings.Fields(Normalize(s)), " ")
	for _, p := range []string{"By ", "by ", "BY "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

// stripSiteName removes " | Site" style suffixes and prefixes from a title.
func stripSiteName(title, site string) string {
	title = strings.Join(strings.Fields(title), " ")
	if site == "" {
		return title
	}
	for _, sep := range []string{" | ", " - ", " – ", " — ", " :: ", " · "} {
		if t, ok := strings.CutSuffix(title, sep+site); ok && t != "" {
			return t
		}
		if t, ok := strings.CutPrefix(title, site+sep); ok && t != "" {
			return t
		}
	}
	return title
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 Z0700",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"20060102T150405Z0700",
	"20060102",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"January 2, 2006 15:04 MST",
	"January 2, 2006 3:04 PM",
	"January 2, 2006",
	"Jan 2, 2006",
	"2 January 2006",
	"2 Jan 2006",
	"02/01/2006",
}

// parseDate reads the date formats news pages use in metadata.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return time.Time{}, false
			}
			return t, true
		}
	}
	return time.Time{}, false
}

func firstTime(vals ...string) *time.Time {
	for _, v := range vals {
		if t, ok := parseDate(v); ok {
			return &t
		}
	}
	return nil
}

var (
	rxBylineClass = regexp.MustCompile(`(?i)(byline|author|writer|contributor|reporter)`)
	rxBylineCut   = regexp.MustCompile(`\s+[|·•—–]\s+|,\s+(published|updated)|\s+(published|updated)\b`)
)

// isBylineElement reports elements that name the article's author.
func isBylineElement(n *html.Node) bool {
	if strings.EqualFold(attr(n, "rel"), "author") || strings.EqualFold(attr(n, "itemprop"), "author") {
		return true
	}
	names := attr(n, "class") + " " + attr(n, "id") + " " + attr(n, "data-testid")
	if strings.Contains(strings.ToLower(names), "comment") || strings.Contains(strings.ToLower(names), "bio") {
		return false
	}
	return rxBylineClass.MatchString(names)
}

// bylineFromText keeps the name part of "By Jane Doe | March 3, 2024".
func bylineFromText(t string) string {
	if loc := rxBylineCut.FindStringIndex(t); loc != nil {
		t = t[:loc[0]]
	}
	return cleanByline(t)
}
