package monitor

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/evidence"
	"github.com/presswatch/presswatch/internal/evidence/archive"
)

// CaptureFetcher is the article Fetcher of the product: every answer worth
// keeping is an evidence capture (WARC with request, response, extracted
// text and manifest; a row in the capture store; a log entry). Requests are
// conditional; a 304 answer keeps nothing (the page is the one already
// captured), and a 200 answer with the payload of the URL's last capture is
// written as a WARC revisit record, not a new copy. Failures with no answer
// keep nothing either: the monitor reports outages only when they last.
type CaptureFetcher struct {
	Archive *archive.Service

	// DiskBytes counts the WARC bytes written and Captures the captures
	// stored (benchmarks).
	DiskBytes atomic.Int64
	Captures  atomic.Int64
}

var _ Fetcher = (*CaptureFetcher)(nil)

// Fetch implements Fetcher.
func (f *CaptureFetcher) Fetch(ctx context.Context, url string, cond Conditional) (*Fetched, error) {
	svc := f.Archive
	opts := evidence.CaptureOptions{Header: http.Header{}}
	if cond.ETag != "" {
		opts.Header.Set("If-None-Match", cond.ETag)
	}
	if cond.LastModified != "" {
		opts.Header.Set("If-Modified-Since", cond.LastModified)
	}
	prev, err := svc.PreviousCapture(ctx, url, 0, &opts)
	if err != nil {
		return nil, fmt.Errorf("monitor: capture %s: %w", url, err)
	}
	res, err := svc.Capturer.Capture(ctx, url, opts)
	if err != nil {
		return nil, fmt.Errorf("monitor: capture %s: %w", url, err)
	}
	m := res.Manifest
	if m.Status == 0 {
		if res.FetchErr != nil {
			return nil, fmt.Errorf("monitor: fetch %s: %w", url, res.FetchErr)
		}
		return nil, fmt.Errorf("monitor: fetch %s: no answer", url)
	}
	out := &Fetched{
		URL:        url,
		FinalURL:   m.FinalURL,
		Redirected: len(m.Redirects) > 1,
		Status:     m.Status,
		Header:     http.Header(m.Headers),
		Body:       res.Body,
		Truncated:  m.Truncated,
		WireBytes:  m.BodySize,
		FetchedAt:  m.FetchedAt,
	}
	if m.Status == http.StatusNotModified {
		return out, nil
	}
	c := &domain.Capture{URL: url}
	if err := svc.Store.CreateCapture(ctx, c); err != nil {
		return nil, fmt.Errorf("monitor: capture %s: %w", url, err)
	}
	if err := svc.StoreResult(ctx, c, res, prev); err != nil {
		return nil, fmt.Errorf("monitor: capture %s: %w", url, err)
	}
	f.DiskBytes.Add(c.WARCSize)
	f.Captures.Add(1)
	out.CaptureID = c.ID
	return out, nil
}
