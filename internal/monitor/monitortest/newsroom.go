package monitortest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// FeedKind is how an outlet announces its articles.
type FeedKind string

// Feed kinds.
const (
	RSS     FeedKind = "rss"     // /feed.xml
	Atom    FeedKind = "atom"    // /atom.xml
	JSON    FeedKind = "json"    // /feed.json
	Sitemap FeedKind = "sitemap" // /sitemap_index.xml → /sitemap-news.xml, /sitemap-posts.xml.gz
)

// Validators are the conditional-GET validators an outlet sends.
type Validators string

// Validator kinds.
const (
	NoValidators Validators = ""
	ETag         Validators = "etag"
	LastModified Validators = "last-modified"
)

// Mode is how an article's URL answers from a step on.
type Mode string

// Modes.
const (
	Serve           Mode = "serve"            // the article
	NotFound        Mode = "404"              // 404
	Gone            Mode = "410"              // 410
	Legal           Mode = "451"              // 451 Unavailable For Legal Reasons
	RedirectHome    Mode = "redirect-home"    // 302 to /
	RedirectSection Mode = "redirect-section" // 301 to the article's section front
	Soft404         Mode = "soft-404"         // 200 with the site's not-found page
	Moved           Mode = "moved"            // 301 to MovedTo, which serves the article
	Down            Mode = "503"              // 503
	Reset           Mode = "reset"            // the connection is closed without an answer
	Flap404         Mode = "flap-404"         // every other request answers 404
)

// Step changes an article at At (an offset from the newsroom's start).
// Empty fields leave the article as it was.
type Step struct {
	At    time.Duration
	Mode  Mode
	Title string
	Lede  string
	// Body replaces the paragraphs after the lede.
	Body    []string
	MovedTo string
}

// Article is a scripted article of an outlet.
type Article struct {
	Path      string // "/politics/2024/05/some-slug"
	Section   string // "politics"
	Title     string
	Lede      string
	Body      []string
	Published time.Duration // offset from the newsroom's start
	// Delay slows every answer (real time).
	Delay  time.Duration
	Script []Step
}

// Outlet is a simulated news site on a virtual host.
type Outlet struct {
	Host       string // "dawn.test"
	Name       string
	Feed       FeedKind
	Validators Validators
	// SoftNotFound makes unknown paths answer 200 with a "not found" page.
	SoftNotFound bool
	Robots       string
	Articles     []*Article
}

// Newsroom serves outlets on 127.0.0.1, by Host header.
type Newsroom struct {
	Server *httptest.Server
	Clock  *Clock
	Start  time.Time

	mu       sync.Mutex
	outlets  map[string]*Outlet
	requests map[string]int // "host path" → count
}

// NewNewsroom starts a newsroom serving outlets; it is closed with tb.
func NewNewsroom(tb testing.TB, clock *Clock, outlets ...*Outlet) *Newsroom {
	tb.Helper()
	n := &Newsroom{Clock: clock, Start: clock.Now(), outlets: map[string]*Outlet{}, requests: map[string]int{}}
	for _, o := range outlets {
		n.outlets[o.Host] = o
	}
	n.Server = httptest.NewServer(n)
	tb.Cleanup(n.Server.Close)
	return n
}

// URL returns the absolute URL of path on an outlet's host.
func (n *Newsroom) URL(host, path string) string {
	return URL(n.Server.Listener.Addr().String(), host, path)
}

// Requests returns how many times host+path was requested.
func (n *Newsroom) Requests(host, path string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.requests[host+" "+path]
}

// RequestedPaths returns every "host path" requested so far.
func (n *Newsroom) RequestedPaths() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for k := range n.requests {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// state is an article as it stands at a time.
type state struct {
	mode               Mode
	title, lede        string
	body               []string
	movedTo            string
	changedAt          time.Time
	published, visible bool
}

func (n *Newsroom) stateOf(a *Article, now time.Time) state {
	st := state{mode: Serve, title: a.Title, lede: a.Lede, body: a.Body, changedAt: n.Start.Add(a.Published)}
	st.visible = !now.Before(n.Start.Add(a.Published))
	for _, s := range a.Script {
		at := n.Start.Add(s.At)
		if now.Before(at) {
			break
		}
		if s.Mode != "" {
			st.mode = s.Mode
		}
		if s.Title != "" {
			st.title = s.Title
		}
		if s.Lede != "" {
			st.lede = s.Lede
		}
		if s.Body != nil {
			st.body = s.Body
		}
		if s.MovedTo != "" {
			st.movedTo = s.MovedTo
		}
		st.changedAt = at
	}
	return st
}

func (n *Newsroom) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	n.mu.Lock()
	o := n.outlets[host]
	n.requests[host+" "+r.URL.Path]++
	count := n.requests[host+" "+r.URL.Path]
	n.mu.Unlock()
	if o == nil {
		http.Error(w, "no such outlet", http.StatusMisdirectedRequest)
		return
	}
	now := n.Clock.Now()
	switch r.URL.Path {
	case "/robots.txt":
		if o.Robots == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, o.Robots)
		return
	case "/":
		n.writePage(w, r, o, nil, now, homePage(o, n.visible(o, now)), count)
		return
	case "/feed.xml", "/atom.xml", "/feed.json", "/sitemap_index.xml", "/sitemap-news.xml", "/sitemap-posts.xml.gz":
		n.serveFeed(w, r, o, now)
		return
	}
	for _, a := range o.Articles {
		st := n.stateOf(a, now)
		if st.movedTo != "" && r.URL.Path == st.movedTo && st.visible {
			n.serveArticle(w, r, o, a, st, Serve, count)
			return
		}
		if a.Path == r.URL.Path && st.visible {
			if a.Delay > 0 {
				time.Sleep(a.Delay)
			}
			n.serveArticle(w, r, o, a, st, st.mode, count)
			return
		}
	}
	if strings.HasSuffix(r.URL.Path, "/") && len(strings.Trim(r.URL.Path, "/")) > 0 && !strings.Contains(strings.Trim(r.URL.Path, "/"), "/") {
		n.writePage(w, r, o, nil, now, sectionPage(o, strings.Trim(r.URL.Path, "/"), n.visible(o, now)), count)
		return
	}
	n.notFound(w, r, o, now, count)
}

func (n *Newsroom) visible(o *Outlet, now time.Time) []*Article {
	var out []*Article
	for _, a := range o.Articles {
		if !now.Before(n.Start.Add(a.Published)) {
			out = append(out, a)
		}
	}
	return out
}

func (n *Newsroom) notFound(w http.ResponseWriter, r *http.Request, o *Outlet, now time.Time, count int) {
	body := `<h1>Page not found</h1><p>Sorry, the page you are looking for does not exist, or it has been moved somewhere else on our website. Please use the search box above or return to the home page to find the latest news.</p>`
	if o.SoftNotFound {
		n.writePage(w, r, o, nil, now, body, count)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, page(o, "Not found", body, now, count))
}

func (n *Newsroom) serveArticle(w http.ResponseWriter, r *http.Request, o *Outlet, a *Article, st state, mode Mode, count int) {
	now := n.Clock.Now()
	switch mode {
	case NotFound:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, page(o, "Not found", "<h1>404</h1><p>Not found.</p>", now, count))
		return
	case Gone:
		w.WriteHeader(http.StatusGone)
		fmt.Fprint(w, page(o, "Gone", "<h1>410</h1><p>This article was removed.</p>", now, count))
		return
	case Legal:
		w.WriteHeader(http.StatusUnavailableForLegalReasons)
		fmt.Fprint(w, page(o, "Unavailable", "<h1>451</h1><p>Unavailable in your country.</p>", now, count))
		return
	case RedirectHome:
		http.Redirect(w, r, "/", http.StatusFound)
		return
	case RedirectSection:
		http.Redirect(w, r, "/"+a.Section+"/", http.StatusMovedPermanently)
		return
	case Moved:
		http.Redirect(w, r, st.movedTo, http.StatusMovedPermanently)
		return
	case Soft404:
		so := *o
		so.SoftNotFound = true
		n.notFound(w, r, &so, now, count)
		return
	case Down:
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	case Reset:
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		http.Error(w, "reset", http.StatusServiceUnavailable)
		return
	case Flap404:
		if count%2 == 0 {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, page(o, "Not found", "<h1>404</h1><p>Not found.</p>", now, count))
			return
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<article><h1>%s</h1>\n", html.EscapeString(st.title))
	fmt.Fprintf(&b, "<p class=\"byline\">By Staff Reporter</p>\n<p>Updated %d minutes ago</p>\n", count%57+1)
	fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(st.lede))
	for i, p := range st.body {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
		if i == 1 {
			fmt.Fprintf(&b, "<div class=\"ad-slot\"><p>Advertisement: buy product number %d today, limited offer.</p></div>\n", count)
		}
	}
	fmt.Fprintf(&b, "<p>%d views</p>\n", 1000+count*7)
	fmt.Fprintf(&b, "<p>Published: %s</p>\n", now.Format("2 January 2006 15:04"))
	b.WriteString("<p><strong>Read more:</strong></p>\n")
	for i := 0; i < 3; i++ {
		fmt.Fprintf(&b, "<p><a href=\"/other/%d\">%s</a></p>\n", count+i, related[(count+i)%len(related)])
	}
	fmt.Fprintf(&b, "<section class=\"related-articles\"><h2>Related articles</h2><ul><li><a href=\"/x/%d\">%s</a></li></ul></section>\n", count, related[count%len(related)])
	b.WriteString("</article>")
	n.writePage(w, r, o, &st, now, b.String(), count)
}

var related = []string{
	"Prices of flour rise again in the capital",
	"Cricket board names new selection committee",
	"Heatwave expected to continue through the week",
	"Court adjourns hearing in land dispute case",
	"Traffic plan announced for the festival",
	"New metro line opens to passengers",
	"Exams postponed after paper leak",
}

// writePage writes a page with the outlet's validators: a content version
// (not the volatile boilerplate) gives the ETag, the last change the
// Last-Modified.
func (n *Newsroom) writePage(w http.ResponseWriter, r *http.Request, o *Outlet, st *state, now time.Time, content string, count int) {
	title := o.Name
	version := content
	if st != nil {
		title = st.title + " | " + o.Name
		version = st.title + "\x00" + st.lede + "\x00" + strings.Join(st.body, "\x00")
	}
	if st != nil && n.conditional(w, r, o, version, st.changedAt) {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, page(o, title, content, now, count))
}

// conditional sets validators and answers 304 when the client's match.
func (n *Newsroom) conditional(w http.ResponseWriter, r *http.Request, o *Outlet, version string, changed time.Time) bool {
	switch o.Validators {
	case ETag:
		sum := sha256.Sum256([]byte(version))
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	case LastModified:
		w.Header().Set("Last-Modified", changed.UTC().Format(http.TimeFormat))
		if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !changed.Truncate(time.Second).After(ims) {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

func page(o *Outlet, title, content string, now time.Time, count int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>\n", html.EscapeString(title))
	switch o.Feed {
	case RSS:
		b.WriteString(`<link rel="alternate" type="application/rss+xml" href="/feed.xml">` + "\n")
	case Atom:
		b.WriteString(`<link rel="alternate" type="application/atom+xml" href="/atom.xml">` + "\n")
	case JSON:
		b.WriteString(`<link rel="alternate" type="application/feed+json" href="/feed.json">` + "\n")
	}
	b.WriteString("</head><body>\n<header><nav><a href=\"/\">Home</a> <a href=\"/politics/\">Politics</a> <a href=\"/business/\">Business</a> <a href=\"/sport/\">Sport</a></nav>\n")
	fmt.Fprintf(&b, "<div class=\"ticker\">Breaking at %s: markets update number %d</div></header>\n", now.Format("15:04"), count)
	fmt.Fprintf(&b, "<main>\n%s\n</main>\n", content)
	fmt.Fprintf(&b, "<footer><p>© %d %s. All rights reserved.</p></footer>\n</body></html>\n", now.Year(), html.EscapeString(o.Name))
	return b.String()
}

func homePage(o *Outlet, arts []*Article) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p>The latest news from %s, updated around the clock by our reporters across the country.</p>\n<ul>", html.EscapeString(o.Name), html.EscapeString(o.Name))
	for _, a := range arts {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", a.Path, html.EscapeString(a.Title))
	}
	b.WriteString("</ul>")
	return b.String()
}

func sectionPage(o *Outlet, section string, arts []*Article) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p>All the latest %s stories from %s in one place, with analysis and opinion.</p>\n<ul>", html.EscapeString(strings.ToUpper(section[:1])+section[1:]), section, html.EscapeString(o.Name))
	for _, a := range arts {
		if a.Section == section {
			fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", a.Path, html.EscapeString(a.Title))
		}
	}
	b.WriteString("</ul>")
	return b.String()
}

// serveFeed writes the outlet's feed or sitemap listing the published
// articles (links carry tracking parameters), with an ETag.
func (n *Newsroom) serveFeed(w http.ResponseWriter, r *http.Request, o *Outlet, now time.Time) {
	arts := n.visible(o, now)
	var listed []*Article
	for _, a := range arts {
		listed = append(listed, a)
	}
	link := func(a *Article) string {
		return n.URL(o.Host, a.Path) + "?utm_source=feed&utm_medium=rss#top"
	}
	pub := func(a *Article) time.Time { return n.Start.Add(a.Published) }
	var body []byte
	ctype := "application/xml"
	var b bytes.Buffer
	switch r.URL.Path {
	case "/feed.xml":
		if o.Feed != RSS {
			http.NotFound(w, r)
			return
		}
		ctype = "application/rss+xml"
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>%s</link>`, xmlEsc(o.Name), n.URL(o.Host, "/"))
		for _, a := range listed {
			fmt.Fprintf(&b, `<item><title>%s</title><link>%s</link><pubDate>%s</pubDate></item>`, xmlEsc(a.Title), xmlEsc(link(a)), pub(a).Format(time.RFC1123Z))
		}
		b.WriteString(`</channel></rss>`)
	case "/atom.xml":
		if o.Feed != Atom {
			http.NotFound(w, r)
			return
		}
		ctype = "application/atom+xml"
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>%s</title><id>%s</id><updated>%s</updated>`, xmlEsc(o.Name), n.URL(o.Host, "/"), now.Format(time.RFC3339))
		for _, a := range listed {
			fmt.Fprintf(&b, `<entry><title>%s</title><link rel="alternate" href="%s"/><id>%s</id><published>%s</published><updated>%s</updated></entry>`, xmlEsc(a.Title), xmlEsc(link(a)), xmlEsc(a.Path), pub(a).Format(time.RFC3339), pub(a).Format(time.RFC3339))
		}
		b.WriteString(`</feed>`)
	case "/feed.json":
		if o.Feed != JSON {
			http.NotFound(w, r)
			return
		}
		ctype = "application/feed+json"
		type item struct {
			ID            string `json:"id"`
			URL           string `json:"url"`
			Title         string `json:"title"`
			DatePublished string `json:"date_published"`
		}
		feed := struct {
			Version string `json:"version"`
			Title   string `json:"title"`
			Items   []item `json:"items"`
		}{Version: "https://jsonfeed.org/version/1.1", Title: o.Name, Items: []item{}}
		for _, a := range listed {
			feed.Items = append(feed.Items, item{ID: a.Path, URL: link(a), Title: a.Title, DatePublished: pub(a).Format(time.RFC3339)})
		}
		_ = json.NewEncoder(&b).Encode(feed)
	case "/sitemap_index.xml":
		if o.Feed != Sitemap {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>%s</loc></sitemap><sitemap><loc>%s</loc></sitemap></sitemapindex>`,
			n.URL(o.Host, "/sitemap-news.xml"), n.URL(o.Host, "/sitemap-posts.xml.gz"))
	case "/sitemap-news.xml":
		if o.Feed != Sitemap {
			http.NotFound(w, r)
			return
		}
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">`)
		for i, a := range listed {
			if i%2 == 0 {
				fmt.Fprintf(&b, `<url><loc>%s</loc><news:news><news:publication><news:name>%s</news:name><news:language>en</news:language></news:publication><news:publication_date>%s</news:publication_date><news:title>%s</news:title></news:news></url>`,
					xmlEsc(link(a)), xmlEsc(o.Name), pub(a).Format(time.RFC3339), xmlEsc(a.Title))
			}
		}
		b.WriteString(`</urlset>`)
	case "/sitemap-posts.xml.gz":
		if o.Feed != Sitemap {
			http.NotFound(w, r)
			return
		}
		var plain bytes.Buffer
		plain.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for i, a := range listed {
			if i%2 == 1 {
				fmt.Fprintf(&plain, `<url><loc>%s</loc><lastmod>%s</lastmod></url>`, xmlEsc(link(a)), pub(a).Format("2006-01-02"))
			}
		}
		plain.WriteString(`</urlset>`)
		zw := gzip.NewWriter(&b)
		zw.Write(plain.Bytes())
		zw.Close()
		ctype = "application/gzip"
	}
	body = b.Bytes()
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Write(body)
}

func xmlEsc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
