package mirror

import (
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Files the mirror writes itself, beside the pages it renders.
const (
	ManifestFile = "mirror.json"
	AboutFile    = "mirror.html"
	NotFoundFile = "404.html"
	SearchFile   = "search/index.html"
	IndexFile    = "search/index.json"
	SearchScript = "search/search.js"
)

// fileExts are the extensions a site path keeps as its file name; any other
// path is a page and becomes <path>.html.
var fileExts = []string{".css", ".js", ".json", ".csv", ".ndjson", ".xml", ".atom", ".rss", ".svg", ".png",
	".jpg", ".jpeg", ".webp", ".gz", ".warc", ".wacz", ".txt", ".geojson", ".pdf", ".ico", ".html"}

// isFilePath reports whether a site path names a file rather than a page.
func isFilePath(p string) bool {
	if strings.HasPrefix(p, "/log/") {
		return true // checkpoint, key and tiles have no extension
	}
	base := path.Base(p)
	for _, ext := range fileExts {
		if strings.HasSuffix(base, ext) {
			return true
		}
	}
	return false
}

// target is a site URL reduced to what the mirror can hold: a path and the
// few query parameters that are pre-rendered.
type target struct {
	Path  string     // cleaned, absolute site path
	Query url.Values // only pre-rendered parameters (filter and page)
}

// key is the canonical form of t, used to de-duplicate the crawl.
func (t target) key() string {
	if len(t.Query) == 0 {
		return t.Path
	}
	return t.Path + "?" + t.Query.Encode()
}

// file is where t lives in the mirror, relative to its root, with forward
// slashes: "/" → index.html, "/incidents/PK-2024-1" →
// incidents/PK-2024/PK-2024-1.html (shardIncident), "/incidents?country=PK&page=2" →
// incidents/country/PK/page/2.html, "/static/style.css" →
// static/style.css.
//
// A page is a file named after it, not a folder holding an index.html: a
// mirror of 100,000 incidents has some 450,000 pages, and a folder for each
// cost the file system as much as the file in it (mkdir was a ninth of a
// full build's CPU). Links in the mirror name the files, so it works on
// any server and from file://; a host that serves /x from x.html (GitHub
// Pages, Netlify, Cloudflare Pages, nginx's try_files) also answers the
// site's own addresses (docs/mirror.md).
func (t target) file() string {
	p := strings.TrimPrefix(t.Path, "/")
	if len(t.Query) > 0 {
		keys := make([]string, 0, len(t.Query))
		for k := range t.Query {
			if k != "page" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		if t.Query.Get("page") != "" {
			keys = append(keys, "page")
		}
		var b strings.Builder
		b.WriteString(strings.TrimSuffix(p, "/"))
		for _, k := range keys {
			b.WriteString("/" + k + "/" + safeSegment(t.Query.Get(k)))
		}
		b.WriteString(".html")
		return strings.TrimPrefix(b.String(), "/")
	}
	if p == "" || strings.HasSuffix(p, "/") {
		return p + "index.html"
	}
	if isFilePath(t.Path) {
		return shardContent(p)
	}
	return shardIncident(p) + ".html"
}

// shardIncident puts an incident page in a folder per country and year:
// "incidents/PK-2024-0153" → "incidents/PK-2024/PK-2024-0153", and the
// same one folder down, where a locale puts it ("ur/incidents/…"). Other
// paths are returned as they are.
//
// A mirror of 100,000 incidents has 300,000 incident pages. On one VM,
// in one folder, creating a file cost the kernel up to six times as much
// once the folder had been filled and emptied before, and full builds
// swung by 40 seconds; sharded, two builds were steady (docs/bench/mirror.md
// phase 7). On another VM the builds showed no difference either way
// (phase 8). The search script and 404.html link the pages by the same
// rule (searchJS, notFoundPage).
func shardIncident(p string) string {
	dir, name := path.Split(p)
	if dir != "incidents/" && !(strings.HasSuffix(dir, "/incidents/") && strings.Count(dir, "/") == 2) {
		return p
	}
	if !isIncidentRef(name) {
		return p
	}
	return dir + name[:7] + "/" + name
}

// shardContent puts the content the public log commits to for an incident,
// "incidents/PK-2024-0153/content/HASH.json", in its country and year's
// content folder: "incidents/PK-2024/content/HASH.json" (the name is the
// content's SHA-256, so incidents cannot clash). A folder per incident,
// and one inside it, cost a real instance's full mirror two folders per
// published incident beside its file (each a few hundred µs of kernel time
// on the VM of docs/bench/mirror.md phase 8). Other paths are returned as
// they are.
func shardContent(p string) string {
	rest, name := path.Split(p)
	if rest == "" || !strings.HasSuffix(rest, "/content/") {
		return p
	}
	dir, ref := path.Split(strings.TrimSuffix(rest, "/content/"))
	if dir != "incidents/" || !isIncidentRef(ref) {
		return p
	}
	return dir + ref[:7] + "/content/" + name
}

// isIncidentRef reports whether name has the shape of an incident's
// reference, CC-YYYY-N…: two capital letters, a year, a number.
func isIncidentRef(name string) bool {
	if len(name) < 9 || name[2] != '-' || name[7] != '-' {
		return false
	}
	for i, c := range name {
		switch {
		case i < 2:
			if c < 'A' || c > 'Z' {
				return false
			}
		case i == 2 || i == 7:
		case c < '0' || c > '9':
			return false
		}
	}
	return true
}

// safeSegment keeps a query value usable as one path segment everywhere
// (object stores, FAT on a USB stick, file:// URLs).
func safeSegment(v string) string {
	var b strings.Builder
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteString("~" + strconv.FormatInt(int64(r), 16))
		}
	}
	if b.Len() == 0 {
		return "~"
	}
	return b.String()
}

// relative returns the link from the page stored at fromFile to toFile
// (both mirror-root relative, forward slashes). It runs for every link of
// every page, so it walks the two paths in place instead of splitting them
// (TestRelative holds it to the splitting version).
func relative(fromFile, toFile string) string {
	fromDir := path.Dir(fromFile)
	if fromDir == "." {
		return toFile
	}
	// Skip the folders both share; toFile's last component is its name.
	fi, ti := 0, 0
	for fi <= len(fromDir) {
		fe := strings.IndexByte(fromDir[fi:], '/')
		if fe < 0 {
			fe = len(fromDir)
		} else {
			fe += fi
		}
		te := strings.IndexByte(toFile[ti:], '/')
		if te < 0 || fromDir[fi:fe] != toFile[ti:ti+te] {
			break
		}
		fi, ti = fe+1, ti+te+1
	}
	ups := 0
	if fi <= len(fromDir) {
		ups = strings.Count(fromDir[fi:], "/") + 1
	}
	if ups == 0 {
		return toFile[ti:]
	}
	var b strings.Builder
	b.Grow(3*ups + len(toFile) - ti)
	for range ups {
		b.WriteString("../")
	}
	b.WriteString(toFile[ti:])
	return b.String()
}

// escapePath percent-encodes a relative file path for use in an href.
func escapePath(p string) string {
	if !needsEscape(p) {
		return p
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// needsEscape reports whether p has a byte url.PathEscape may change
// (anything but letters, digits, '-', '.', '_', '~' and the separator).
func needsEscape(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~', c == '/':
		default:
			return true
		}
	}
	return false
}
