package monitor

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/presswatch/presswatch/internal/domain"
)

// DefaultPollEvery is how often an outlet's feeds and sitemaps are polled
// when Outlet.PollEvery is zero.
const DefaultPollEvery = time.Hour

// Outlet is a news site the monitor watches.
type Outlet struct {
	Slug     string
	Name     string
	Country  string // ISO 3166-1 alpha-2
	Language string // BCP 47
	Homepage string
	Feeds    []string
	Sitemaps []string
	// IgnoreRobots makes the monitor fetch pages robots.txt disallows; the
	// back office shows it on the outlet's page.
	IgnoreRobots bool
	PollEvery    time.Duration
}

// Validate checks an outlet before it is stored.
func (o Outlet) Validate() error {
	if o.Slug == "" || o.Slug != Slugify(o.Slug) {
		return domain.Errorf(domain.EINVALID, "The outlet needs a slug of lower-case letters, digits and hyphens.")
	}
	if strings.TrimSpace(o.Name) == "" {
		return domain.Errorf(domain.EINVALID, "The outlet needs a name.")
	}
	for _, raw := range append(append([]string{o.Homepage}, o.Feeds...), o.Sitemaps...) {
		if _, err := NormalizeURL(raw); err != nil {
			return domain.Errorf(domain.EINVALID, "The address %q is not an http or https URL.", raw)
		}
	}
	if o.PollEvery < 0 {
		return domain.Errorf(domain.EINVALID, "The poll interval cannot be negative.")
	}
	return nil
}

func (o Outlet) pollEvery() time.Duration {
	if o.PollEvery <= 0 {
		return DefaultPollEvery
	}
	return o.PollEvery
}

// Slugify turns a name or host into a slug: lower-case ASCII letters and
// digits separated by single hyphens ("www.Dawn.com" → "dawn-com").
func Slugify(s string) string {
	s = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "www.")
	var b strings.Builder
	hyphen := false
	for _, r := range s {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			hyphen = false
		} else {
			hyphen = true
		}
	}
	return b.String()
}

// RowError is a test-list row that could not be read.
type RowError struct {
	Line int
	Err  error
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// maxTestListRows bounds one import.
const maxTestListRows = 100000

// ReadTestList reads a Citizen Lab test list (CSV with the header
// url,category_code,category_description,date_added,source,notes) and returns
// an outlet for every row whose category_code is NEWS. Bad rows are returned
// as RowErrors with their line numbers and never stop the rest; the error is
// non-nil only when the file itself cannot be read (no header, not CSV).
// Feeds are not discovered here: see DiscoverFeeds.
func ReadTestList(r io.Reader) ([]Outlet, []RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("monitor: test list header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	urlCol, ok1 := col["url"]
	catCol, ok2 := col["category_code"]
	if !ok1 || !ok2 {
		return nil, nil, errors.New("monitor: test list: header needs url and category_code columns")
	}
	var (
		outlets []Outlet
		bad     []RowError
		seen    = map[string]bool{}
	)
	for rows := 0; rows < maxTestListRows; rows++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, RowError{Line: pe.Line, Err: pe.Err})
				continue
			}
			return outlets, bad, fmt.Errorf("monitor: test list: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) <= urlCol || len(rec) <= catCol {
			bad = append(bad, RowError{Line: line, Err: errors.New("missing columns")})
			continue
		}
		if !strings.EqualFold(strings.TrimSpace(rec[catCol]), "NEWS") {
			continue
		}
		home, err := NormalizeURL(rec[urlCol])
		if err != nil {
			bad = append(bad, RowError{Line: line, Err: err})
			continue
		}
		u, _ := url.Parse(home)
		slug := Slugify(u.Hostname())
		if slug == "" {
			bad = append(bad, RowError{Line: line, Err: errors.New("no usable host name")})
			continue
		}
		if seen[slug] {
			continue
		}
		seen[slug] = true
		outlets = append(outlets, Outlet{Slug: slug, Name: u.Hostname(), Homepage: home})
	}
	return outlets, bad, nil
}

// feedTypes are the <link rel="alternate"> types DiscoverFeeds accepts.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/json":      false,
}

// DiscoverFeeds returns the absolute URLs of the feeds a home page announces
// with <link rel="alternate" type="application/rss+xml|atom+xml|feed+json">,
// in document order, without duplicates.
func DiscoverFeeds(page []byte, base *url.URL) []string {
	z := html.NewTokenizer(bytes.NewReader(page))
	var out []string
	seen := map[string]bool{}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if tok.DataAtom == atom.Body {
			return out
		}
		if tok.DataAtom != atom.Link {
			continue
		}
		var rel, typ, href string
		for _, a := range tok.Attr {
			switch strings.ToLower(a.Key) {
			case "rel":
				rel = strings.ToLower(a.Val)
			case "type":
				typ = strings.ToLower(strings.TrimSpace(a.Val))
			case "href":
				href = strings.TrimSpace(a.Val)
			}
		}
		if !containsWord(rel, "alternate") || !feedTypes[typ] || href == "" {
			continue
		}
		ref, err := url.Parse(href)
		if err != nil {
			continue
		}
		abs := ref
		if base != nil {
			abs = base.ResolveReference(ref)
		}
		n, err := NormalizeURL(abs.String())
		if err != nil || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
}

func containsWord(list, word string) bool {
	for _, f := range strings.Fields(list) {
		if f == word {
			return true
		}
	}
	return false
}
