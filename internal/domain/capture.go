package domain

import (
	"context"
	"time"
)

// Capture states. A capture is queued when asked for, then completed once
// (done or failed) by the worker that fetched it; after that it never
// changes. A re-capture is a new capture.
const (
	CaptureQueued = "queued"
	CaptureDone   = "done"
	CaptureFailed = "failed"
)

// Capture is one capture of a URL as evidence: its WARC file is a blob named
// by its SHA-256; the manifest (evidence.Manifest as JSON) says what was
// fetched, when and from where.
type Capture struct {
	ID    int64
	URL   string
	State string
	// Filled when the capture completes.
	FinalURL   string
	Status     int // HTTP status of the final response; 0 when none
	FetchedAt  time.Time
	WARCSHA256 string
	WARCSize   int64
	Manifest   []byte // JSON
	BodySHA256 string
	TextSHA256 string
	// ScreenshotSHA256 is the hex SHA-256 of the PNG in the WARC, if any.
	ScreenshotSHA256 string
	Title            string
	// Error is why the capture failed (no response), empty otherwise.
	Error string
	// RevisitOf is the earlier capture whose payload this one repeats
	// (written as a WARC revisit record), 0 when none.
	RevisitOf int64
	// IncidentID and IncidentRef name the incident the capture was made
	// for (0 and "" when none).
	IncidentID  int64
	IncidentRef string
	// RequestedBy is the staff user who asked for it; 0 for the command line.
	RequestedBy int64
	CreatedAt   time.Time
	CompletedAt *time.Time
	// LogIndex is the capture's leaf in the public log, once integrated.
	LogIndex *int64
}

// Completed reports whether the capture has its result.
func (c *Capture) Completed() bool { return c.State == CaptureDone || c.State == CaptureFailed }

// CaptureStore keeps captures. Errors: ENOTFOUND for a missing id, ECONFLICT
// when completing a capture that is already complete, EINVALID for bad
// input.
type CaptureStore interface {
	// CreateCapture records a queued capture and fills ID and CreatedAt.
	CreateCapture(ctx context.Context, c *Capture) error
	// CompleteCapture records the result of the queued capture c.ID once,
	// with an audit row and a log entry of its manifest.
	CompleteCapture(ctx context.Context, c *Capture) error
	FindCapture(ctx context.Context, id int64) (*Capture, error)
	// LatestCapture returns the newest done capture of url with an id
	// below before (0: any), or ENOTFOUND.
	LatestCapture(ctx context.Context, url string, before int64) (*Capture, error)
	// CapturesOfURL lists the captures of url, newest first (at most 100).
	CapturesOfURL(ctx context.Context, url string) ([]*Capture, error)
	// CapturesOfIncident lists the captures made for an incident, newest
	// first (at most 500).
	CapturesOfIncident(ctx context.Context, incidentID int64) ([]*Capture, error)
}
