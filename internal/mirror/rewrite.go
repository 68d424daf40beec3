package mirror

import (
	"bytes"
	"html"
	"net/url"
	"path"
	"strings"
	"sync"
)

// excludedPrefixes are site paths that a static copy cannot hold (the back
// office, the submission flow, health checks, the live API); links to them
// point to the mirror's about page instead.
//
// /log/proof/N is a helper that proves an entry against the current
// checkpoint, so it changes at every signature; the mirror has the tiles
// that let any verifier compute the same proof.
var excludedPrefixes = []string{"/admin", "/healthz", "/submit", "/intake", "/api/", "/login", "/log/proof"}

func excluded(p string) bool {
	for _, x := range excludedPrefixes {
		if p == x || strings.HasPrefix(p, x+"/") || (strings.HasSuffix(x, "/") && strings.HasPrefix(p, x)) {
			return true
		}
	}
	return false
}

// linkKind says what a link on a page becomes in the mirror.
type linkKind int

const (
	linkKeep   linkKind = iota // left as it is (another site, fragment, mailto)
	linkFile                   // a file of the mirror, rendered from the site
	linkLog                    // a file of the log, written by the log
	linkSearch                 // the search page (forms, filter combinations)
	linkAbout                  // the about page (back office, API)
)

// resolved is what a link on a page resolves to.
type resolved struct {
	kind     linkKind
	t        target
	query    string // kept for the search page
	fragment string
}

// resolver turns the links of the site into links of the mirror.
type resolver struct {
	originHost string
	filters    map[string]bool
	locales    map[string]bool // path prefixes such as "ur"
	logStatic  bool            // log files come from the log, not the handler

	// memo keeps what site-absolute links resolve to: they do not depend
	// on the page, and the same few (navigation, footer, language switch)
	// are on every page.
	memoMu sync.Mutex
	memo   map[string]resolved
	// links are the shared links rewritten per folder (rewriteHTML).
	links folderLinks
}

// memoMax bounds resolver.memo; links past it are resolved every time.
// (A memo of 2^20 links, holding every incident's own links, cost as much
// in map lookups as it saved in resolving at 10,000 incidents.)
const memoMax = 1 << 16

// resolveLink is resolve with site-absolute links ("/stats") memoized.
// The resolved target is shared: callers must not change its Query.
func (rv *resolver) resolveLink(base *url.URL, raw string, form bool) resolved {
	if !form && plainPath(raw) {
		// Plain paths resolve at once: they would fill the memo (every
		// incident's own links) and leave no room for the links with a
		// query the memo is for.
		return rv.resolvePlain(raw)
	}
	if !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") {
		return rv.resolveURL(base, raw, form)
	}
	key := raw
	if form {
		key = "form " + raw
	}
	rv.memoMu.Lock()
	r, ok := rv.memo[key]
	rv.memoMu.Unlock()
	if ok {
		return r
	}
	r = rv.resolve(base, raw, form)
	rv.memoMu.Lock()
	if rv.memo == nil {
		rv.memo = map[string]resolved{}
	}
	if len(rv.memo) < memoMax {
		rv.memo[key] = r
	}
	rv.memoMu.Unlock()
	return r
}

// resolve classifies raw, a link found on the page at site URL base.
func (rv *resolver) resolve(base *url.URL, raw string, form bool) resolved {
	if !form && plainPath(raw) {
		return rv.resolvePlain(raw)
	}
	return rv.resolveURL(base, raw, form)
}

// resolvePlain is resolve for most links: a clean site path (plainPath)
// with nothing to parse.
func (rv *resolver) resolvePlain(raw string) resolved {
	switch {
	case excluded(raw):
		return resolved{kind: linkAbout}
	case rv.logStatic && isLogStatic(raw):
		return resolved{kind: linkLog, t: target{Path: raw}}
	}
	return resolved{kind: linkFile, t: target{Path: raw}}
}

// resolveURL is resolve for any link: parsed, resolved against base and
// cleaned.
func (rv *resolver) resolveURL(base *url.URL, raw string, form bool) resolved {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.HasPrefix(raw, "#") {
		return resolved{kind: linkKeep}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return resolved{kind: linkKeep}
	}
	if u.Scheme != "" || u.Host != "" {
		if (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "") || rv.originHost == "" || !strings.EqualFold(u.Host, rv.originHost) {
			return resolved{kind: linkKeep}
		}
	}
	u = base.ResolveReference(u)
	p := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && p != "/" {
		p += "/"
	}
	r := resolved{fragment: u.Fragment}
	q := u.Query()
	q.Del("lang")
	switch {
	case excluded(p):
		r.kind = linkAbout
		return r
	case form:
		r.kind = linkSearch
		return r
	case rv.logStatic && isLogStatic(p):
		r.kind, r.t = linkLog, target{Path: p}
		return r
	}
	if len(q) == 0 || isFilePath(p) {
		// Exports with a filter are mirrored whole.
		r.kind, r.t = linkFile, target{Path: p}
		return r
	}
	keep := url.Values{}
	filters := 0
	for k, vs := range q {
		nonEmpty := vs[:0:0]
		for _, v := range vs {
			if v != "" {
				nonEmpty = append(nonEmpty, v)
			}
		}
		switch {
		case len(nonEmpty) == 0:
		case k == "page" && len(nonEmpty) == 1:
			// Page 1 is the first page, except on the incident list,
			// whose page 1 is its oldest block (internal/web/list_window.go).
			if nonEmpty[0] != "1" || strings.HasSuffix(p, "/incidents") {
				keep.Set("page", nonEmpty[0])
			}
		case rv.filters[k] && len(nonEmpty) == 1:
			filters++
			keep.Set(k, nonEmpty[0])
		default:
			filters += 2 // anything else needs the search page
		}
	}
	if filters > 1 {
		r.kind, r.query = linkSearch, q.Encode()
		return r
	}
	r.kind, r.t = linkFile, target{Path: p, Query: keep}
	return r
}

// plainPath reports whether raw is a site path that parsing, resolving
// and cleaning leave as it is: "/", or "/" and segments of letters, digits,
// '-', '_' and '.' (no segment "." or "..", none empty), with no query or
// fragment.
func plainPath(raw string) bool {
	if raw == "/" {
		return true
	}
	if len(raw) < 2 || raw[0] != '/' {
		return false
	}
	segStart := 1
	for i := 1; i <= len(raw); i++ {
		if i == len(raw) || raw[i] == '/' {
			seg := raw[segStart:i]
			if seg == "" || seg == "." || seg == ".." {
				return false
			}
			segStart = i + 1
			continue
		}
		c := raw[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// isLogStatic reports whether p is one of the files Log.WriteStatic writes.
func isLogStatic(p string) bool {
	return p == "/log/checkpoint" || p == "/log/key" || strings.HasPrefix(p, "/log/tile/")
}

// findAttrs returns the URL attributes html/template writes (always
// quoted): for each, the offsets of the attribute name and of its value —
// the matches, in order, of the expression \s(href|src|action)="([^"]*)",
// found with a byte scan because the page is long and the regexp engine was
// most of a build's time.
func findAttrs(body []byte) [][4]int {
	var out [][4]int
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte(`="`))
		if j < 0 {
			return out
		}
		eq := i + j
		nameStart := -1
		for _, name := range [...]string{"href", "src", "action"} {
			s := eq - len(name)
			if s >= i+1 && string(body[s:eq]) == name && isSpace(body[s-1]) {
				nameStart = s
				break
			}
		}
		if nameStart < 0 {
			i = eq + 1
			continue
		}
		end := bytes.IndexByte(body[eq+2:], '"')
		if end < 0 {
			return out
		}
		out = append(out, [4]int{nameStart, eq, eq + 2, eq + 2 + end})
		i = eq + 2 + end + 1
	}
}

// isSpace is the regexp class \s: [\t\n\f\r ].
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// rewriteHTML rewrites every link of an HTML page stored at file (site URL
// base) into out and calls found for each mirror file it links to. It
// returns the rewritten page: out's bytes, or body when it has no link.
//
// A link that is the same on many pages (the navigation, the footer, the
// language switch: site paths without a digit, where an incident's own
// links all have one) is rewritten once per folder (folderLinks), and
// found is called for it the first time only: the crawl already has it.
func (rv *resolver) rewriteHTML(out *bytes.Buffer, body []byte, base *url.URL, file string, found func(resolved)) []byte {
	idx := findAttrs(body)
	if len(idx) == 0 {
		return body
	}
	out.Reset()
	out.Grow(len(body) + len(body)/8)
	dir := path.Dir(file)
	last := 0
	for _, m := range idx {
		form := string(body[m[0]:m[1]]) == "action"
		escaped := body[m[2]:m[3]]
		shared := !form && sharedLink(escaped)
		if shared {
			if href, keep, ok := rv.folderLink(dir, escaped); ok {
				if !keep {
					out.Write(body[last:m[2]])
					out.WriteString(href)
					last = m[3]
				}
				continue
			}
		}
		raw := html.UnescapeString(string(escaped))
		r := rv.resolveLink(base, raw, form)
		if r.kind == linkKeep {
			if shared {
				rv.rememberFolderLink(dir, escaped, "", true)
			}
			continue
		}
		found(r)
		href := html.EscapeString(rv.href(file, r))
		if shared {
			rv.rememberFolderLink(dir, escaped, href, false)
		}
		out.Write(body[last:m[2]])
		out.WriteString(href)
		last = m[3]
	}
	out.Write(body[last:])
	return out.Bytes()
}

// sharedLink reports whether a link, as the page has it, is one
// folderLinks keeps: a site path ("/…", not "//…") without a digit.
func sharedLink(escaped []byte) bool {
	if len(escaped) == 0 || escaped[0] != '/' || len(escaped) > 1 && escaped[1] == '/' {
		return false
	}
	for _, c := range escaped {
		if c >= '0' && c <= '9' {
			return false
		}
	}
	return true
}

// folderLinksMax bounds the links folderLinks keeps.
const folderLinksMax = 1 << 18

// folderLinks are the links sharedLink keeps, rewritten, by the folder of
// the page (the relative link depends on nothing else).
type folderLinks struct {
	mu sync.Mutex
	n  int
	m  map[string]map[string]folderLink
}

type folderLink struct {
	href string // escaped for the attribute
	keep bool   // left as it is
}

// folderLink returns the link escaped as rewritten for a page in dir.
func (rv *resolver) folderLink(dir string, escaped []byte) (href string, keep, ok bool) {
	rv.links.mu.Lock()
	defer rv.links.mu.Unlock()
	l, ok := rv.links.m[dir][string(escaped)]
	return l.href, l.keep, ok
}

func (rv *resolver) rememberFolderLink(dir string, escaped []byte, href string, keep bool) {
	rv.links.mu.Lock()
	defer rv.links.mu.Unlock()
	if rv.links.n >= folderLinksMax {
		return
	}
	if rv.links.m == nil {
		rv.links.m = map[string]map[string]folderLink{}
	}
	d := rv.links.m[dir]
	if d == nil {
		d = map[string]folderLink{}
		rv.links.m[strings.Clone(dir)] = d
	}
	if _, had := d[string(escaped)]; !had {
		d[string(escaped)] = folderLink{href: href, keep: keep}
		rv.links.n++
	}
}

// href is the relative link from the page stored at file to r.
func (rv *resolver) href(file string, r resolved) string {
	var to, suffix string
	switch r.kind {
	case linkSearch:
		to = SearchFile
		if r.query != "" {
			suffix = "?" + r.query
		}
	case linkAbout:
		to = AboutFile
	case linkLog:
		to = strings.TrimPrefix(r.t.Path, "/")
	default:
		to = r.t.file()
	}
	if r.fragment != "" {
		suffix += "#" + r.fragment
	}
	return escapePath(relative(file, to)) + suffix
}
