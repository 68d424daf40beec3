package monitor

import (
	"bytes"
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
	prev, err := svc.Store.LatestCapture(ctx, url, 0)
	switch {
	case err == nil:
		if m, perr := evidence.ParseManifest(prev.Manifest); perr == nil {
			opts.Previous = m
		}
	case domain.ErrorCode(err) != domain.ENOTFOUND:
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
	ref, err := svc.Blobs.Put(ctx, bytes.NewReader(res.WARC))
	if err != nil {
		return nil, fmt.Errorf("monitor: capture %s: store WARC: %w", url, err)
	}
	c := &domain.Capture{URL: url}
	if err := svc.Store.CreateCapture(ctx, c); err != nil {
		return nil, fmt.Errorf("monitor: capture %s: %w", url, err)
	}
	c.State = domain.CaptureDone
	c.FinalURL, c.Status, c.FetchedAt = m.FinalURL, m.Status, m.FetchedAt
	c.WARCSHA256, c.WARCSize = ref.SHA256, ref.Size
	c.Manifest, c.Error = manifestBlock(res.WARC), m.Error
	c.BodySHA256, c.TextSHA256, c.Title = m.BodySHA256, m.TextSHA256, m.Title
	if m.Revisit && prev != nil {
		c.RevisitOf = prev.ID
		if prev.RevisitOf != 0 {
			c.RevisitOf = prev.RevisitOf
		}
	}
	if err := svc.Store.CompleteCapture(ctx, c); err != nil {
		return nil, fmt.Errorf("monitor: capture %s: %w", url, err)
	}
	f.DiskBytes.Add(ref.Size)
	f.Captures.Add(1)
	out.CaptureID = c.ID
	return out, nil
}

// manifestBlock returns the manifest record's block as stored in the WARC,
// so that the row and the file hold the same bytes.
func manifestBlock(warc []byte) []byte {
	var out []byte
	_ = evidence.ReadRecords(bytes.NewReader(warc), func(rec evidence.Record) error {
		if rec.Type() == evidence.TypeMetadata {
			out = rec.Block
		}
		return nil
	})
	return out
}
