package monitor

import (
	"mime"
	"net/url"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/evidence/extract"
)

// Snapshot is what the monitor keeps of one answer for an article: the
// status, where it ended, the article's normalised title, lede (first
// paragraph) and body with boilerplate removed, and the raw body.
type Snapshot struct {
	Status     int       `json:"status"`
	URL        string    `json:"url"`
	FinalURL   string    `json:"final_url"`
	Redirected bool      `json:"redirected,omitempty"`
	FetchedAt  time.Time `json:"fetched_at"`
	Title      string    `json:"title"`
	Lede       string    `json:"lede"`
	Body       string    `json:"body"`
	// Raw is the decoded body as received. Stores may keep it elsewhere
	// (the evidence pipeline writes it to a WARC) and leave it nil here.
	Raw []byte `json:"-"`
	// BodyHash is the hex SHA-256 of Raw: an unchanged hash needs no
	// extraction to know the text is unchanged.
	BodyHash     string `json:"body_hash"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Error is set instead of a status when no answer came.
	Error string `json:"error,omitempty"`
	// CaptureID is the evidence capture holding this answer (0 when the
	// Fetcher keeps no evidence).
	CaptureID int64 `json:"capture_id,omitempty"`
}

// Text returns title, lede and body as one text, paragraphs separated by a
// blank line.
func (s Snapshot) Text() string {
	var parts []string
	for _, p := range []string{s.Title, s.Lede, s.Body} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "\n\n")
}

// Conditional returns the validators to send on the next fetch.
func (s Snapshot) Conditional() Conditional {
	return Conditional{ETag: s.ETag, LastModified: s.LastModified}
}

// NewSnapshot builds a Snapshot from a fetch. HTML answers are extracted
// after the boilerplate is stripped; other answers keep only status, URLs
// and hash. A 304 answer is not a snapshot: callers keep the previous one.
func NewSnapshot(f *Fetched) Snapshot {
	s := Snapshot{
		Status:     f.Status,
		URL:        f.URL,
		FinalURL:   f.FinalURL,
		Redirected: f.Redirected,
		FetchedAt:  f.FetchedAt,
		Raw:        f.Body,
		CaptureID:  f.CaptureID,
	}
	s.BodyHash = NewSnapshotHash(f.Body)
	if f.Header != nil {
		s.ETag = f.Header.Get("ETag")
		s.LastModified = f.Header.Get("Last-Modified")
	}
	if len(f.Body) == 0 || !looksHTML(f) {
		return s
	}
	s.Title, s.Lede, s.Body = ExtractText(f.Body, f.FinalURL)
	return s
}

// ExtractText returns the normalised title, lede and body of an HTML page,
// boilerplate removed (the form the monitor compares).
func ExtractText(page []byte, pageURL string) (title, lede, body string) {
	u, _ := url.Parse(pageURL)
	a, _ := extract.Extract(StripBoilerplateHTML(page), u)
	title = extract.Normalize(a.Title)
	paras := a.Paragraphs
	if len(paras) == 0 && a.Text != "" {
		paras = strings.Split(extract.Normalize(a.Text), "\n\n")
	}
	for i := range paras {
		paras[i] = extract.Normalize(paras[i])
	}
	paras = CleanParagraphs(paras)
	if len(paras) > 0 && paras[0] == title {
		paras = paras[1:]
	}
	if len(paras) > 0 {
		lede = paras[0]
		body = strings.Join(paras[1:], "\n\n")
	}
	return title, lede, body
}

func looksHTML(f *Fetched) bool {
	ct := ""
	if f.Header != nil {
		ct = f.Header.Get("Content-Type")
	}
	if ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err == nil {
			return mt == "text/html" || mt == "application/xhtml+xml"
		}
	}
	head := strings.ToLower(string(f.Body[:min(len(f.Body), 512)]))
	return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html") || strings.Contains(head, "<body") || strings.Contains(head, "<p")
}
