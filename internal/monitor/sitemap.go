package monitor

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Sitemap limits from sitemaps.org: 50,000 URLs and 50 MB uncompressed.
const (
	MaxSitemapURLs  = 50000
	MaxSitemapBytes = 50 << 20
)

// SitemapURL is one <url> of a urlset.
type SitemapURL struct {
	Loc     string
	LastMod time.Time
	// NewsPublished and NewsTitle come from a Google News sitemap
	// (<news:news><news:publication_date>, <news:title>).
	NewsPublished time.Time
	NewsTitle     string
}

// Sitemap is a parsed sitemap file: a urlset (URLs) or a sitemap index
// (Sitemaps, the child sitemaps' locations).
type Sitemap struct {
	URLs     []SitemapURL
	Sitemaps []string
	IsIndex  bool
}

// ErrNotSitemap is returned (wrapped) for XML whose root is neither urlset
// nor sitemapindex.
var ErrNotSitemap = errors.New("monitor: not a sitemap")

// ParseSitemap parses a sitemap or sitemap index, gzip-compressed or not.
// Entries beyond MaxSitemapURLs are dropped; locations are returned as found
// (trimmed), callers normalise them.
func ParseSitemap(data []byte) (*Sitemap, error) {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("monitor: sitemap gzip: %w", err)
		}
		plain, err := io.ReadAll(io.LimitReader(zr, MaxSitemapBytes+1))
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("monitor: sitemap gzip: %w", err)
		}
		data = plain
	}
	if len(data) > MaxSitemapBytes {
		data = data[:MaxSitemapBytes]
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		// Sitemaps must be UTF-8; read other labels as UTF-8 too.
		return r, nil
	}
	sm := &Sitemap{}
	var (
		root     string
		stack    []string
		cur      *SitemapURL
		curIndex bool
		text     strings.Builder
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if root == "" {
				return nil, fmt.Errorf("monitor: sitemap: %w", err)
			}
			break // keep what was read before the damage
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if root == "" {
				root = name
				if root != "urlset" && root != "sitemapindex" {
					return nil, fmt.Errorf("%w: root element <%s>", ErrNotSitemap, t.Name.Local)
				}
				sm.IsIndex = root == "sitemapindex"
			}
			stack = append(stack, name)
			text.Reset()
			switch {
			case name == "url" && root == "urlset" && len(stack) == 2:
				cur = &SitemapURL{}
			case name == "sitemap" && root == "sitemapindex" && len(stack) == 2:
				cur = &SitemapURL{}
				curIndex = true
			}
		case xml.CharData:
			if text.Len() < 8192 {
				text.Write(t)
			}
		case xml.EndElement:
			name := strings.ToLower(t.Name.Local)
			val := strings.TrimSpace(text.String())
			text.Reset()
			if cur != nil {
				switch name {
				case "loc":
					if len(stack) == 3 {
						cur.Loc = val
					}
				case "lastmod":
					cur.LastMod = parseW3CDate(val)
				case "publication_date":
					cur.NewsPublished = parseW3CDate(val)
				case "title":
					if len(stack) >= 4 && stack[len(stack)-2] == "news" {
						cur.NewsTitle = val
					}
				case "url", "sitemap":
					if len(stack) == 2 && cur.Loc != "" {
						if curIndex {
							if len(sm.Sitemaps) < MaxSitemapURLs {
								sm.Sitemaps = append(sm.Sitemaps, cur.Loc)
							}
						} else if len(sm.URLs) < MaxSitemapURLs {
							sm.URLs = append(sm.URLs, *cur)
						}
					}
					if len(stack) == 2 {
						cur, curIndex = nil, false
					}
				}
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if root == "" {
		return nil, fmt.Errorf("%w: empty document", ErrNotSitemap)
	}
	return sm, nil
}

// parseW3CDate reads the W3C datetime forms sitemaps use; zero on failure.
func parseW3CDate(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
