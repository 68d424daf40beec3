package monitor

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/presswatch/presswatch/internal/safehttp"
)

// Conditional holds the validators of a previous answer, sent back as
// If-None-Match and If-Modified-Since.
type Conditional struct {
	ETag         string
	LastModified string
}

// Fetched is the outcome of one fetch that got an HTTP answer.
type Fetched struct {
	URL      string // as requested
	FinalURL string // after redirects
	// Redirected is true when at least one redirect was followed.
	Redirected bool
	Status     int
	Header     http.Header
	Body       []byte // decoded body of the final answer
	Truncated  bool
	// WireBytes counts the bytes read from the network for every hop.
	WireBytes int64
	FetchedAt time.Time
	// CaptureID is the evidence capture of this answer, when the Fetcher
	// keeps evidence (0 otherwise).
	CaptureID int64
}

// Fetcher makes the monitor's requests. An error means no HTTP answer came
// (DNS, refused, reset, timeout, blocked address); HTTP error statuses are
// answers, not errors. The evidence pipeline implements it later to keep a
// WARC of every fetch.
type Fetcher interface {
	Fetch(ctx context.Context, url string, cond Conditional) (*Fetched, error)
}

// SafeFetcher is the phase-1 Fetcher: a plain safehttp client.
type SafeFetcher struct {
	Client *safehttp.Client
}

var _ Fetcher = SafeFetcher{}

// Fetch implements Fetcher.
func (f SafeFetcher) Fetch(ctx context.Context, url string, cond Conditional) (*Fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("monitor: fetch %s: %w", url, err)
	}
	if cond.ETag != "" {
		req.Header.Set("If-None-Match", cond.ETag)
	}
	if cond.LastModified != "" {
		req.Header.Set("If-Modified-Since", cond.LastModified)
	}
	res, err := f.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("monitor: fetch %s: %w", url, err)
	}
	final := res.Final()
	if final == nil {
		return nil, fmt.Errorf("monitor: fetch %s: no exchange", url)
	}
	out := &Fetched{
		URL:        url,
		FinalURL:   final.URL,
		Redirected: len(res.Exchanges) > 1,
		Status:     final.StatusCode,
		Header:     final.Header,
		Body:       final.Body,
		Truncated:  final.Truncated,
		FetchedAt:  final.StartedAt,
	}
	for _, ex := range res.Exchanges {
		out.WireBytes += int64(len(ex.RawResponse))
	}
	return out, nil
}
