// Package archive owns presswatch's captures as a whole: it runs a capture
// (evidence.Capturer), keeps its WARC in the blob store and its row in the
// capture store, queues captures as background jobs, reads them back for the
// evidence pages and packages them as WACZ.
package archive

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/presswatch/presswatch/internal/blob"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/evidence"
	"github.com/presswatch/presswatch/internal/safehttp"
)

// Store is what the archive needs of the database: the capture store, and
// creating a capture together with its job in one transaction.
type Store interface {
	domain.CaptureStore
	CreateCaptureWith(ctx context.Context, c *domain.Capture, also func(ctx context.Context, tx *sql.Tx) error) error
}

// Blobs is the content-addressed store holding WARC files (*blob.Store).
type Blobs interface {
	Put(ctx context.Context, r io.Reader) (blob.Ref, error)
	Open(ctx context.Context, sha string) (io.ReadCloser, error)
}

// Enqueuer inserts the job that performs capture id in tx.
type Enqueuer func(ctx context.Context, tx *sql.Tx, id int64) error

// Service runs and reads captures. Store, Blobs and Capturer are required;
// Enqueue is needed only to queue captures.
type Service struct {
	Store    Store
	Blobs    Blobs
	Capturer *evidence.Capturer
	Enqueue  Enqueuer
	// Screenshot asks the Capturer's renderer for a screenshot and DOM.
	Screenshot bool
	Logger     *slog.Logger
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Queue records a queued capture of c.URL and inserts its job in the same
// transaction. It fills c.ID.
func (s *Service) Queue(ctx context.Context, c *domain.Capture) error {
	if s.Enqueue == nil {
		return errors.New("archive: queue: no job queue configured")
	}
	if err := s.checkURL(c.URL); err != nil {
		return err
	}
	return s.Store.CreateCaptureWith(ctx, c, func(ctx context.Context, tx *sql.Tx) error {
		return s.Enqueue(ctx, tx, c.ID)
	})
}

// CaptureNow records and performs a capture in the foreground (the command
// line).
func (s *Service) CaptureNow(ctx context.Context, c *domain.Capture) (*domain.Capture, error) {
	if err := s.checkURL(c.URL); err != nil {
		return nil, err
	}
	if err := s.Store.CreateCapture(ctx, c); err != nil {
		return nil, err
	}
	return s.Perform(ctx, c.ID, true)
}

func (s *Service) checkURL(raw string) error {
	if err := evidence.CheckURL(raw); err != nil {
		return err
	}
	return nil
}

// ErrRetry marks a capture that failed in a way worth trying again
// (network); Perform returns it wrapped when final is false.
var ErrRetry = errors.New("archive: transient capture failure")

// Perform runs the queued capture id: fetch, write the WARC blob, complete
// the row. A capture already complete is returned as it is (a job run
// twice). When the fetch fails for a reason that may pass (a time-out, a
// refused connection) and final is false, nothing is stored and the error
// wraps ErrRetry; otherwise the failure is stored as a failed capture with
// its WARC and manifest.
func (s *Service) Perform(ctx context.Context, id int64, final bool) (*domain.Capture, error) {
	c, err := s.Store.FindCapture(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Completed() {
		return c, nil
	}
	opts := evidence.CaptureOptions{Screenshot: s.Screenshot}
	prev, err := s.PreviousCapture(ctx, c.URL, c.ID, &opts)
	if err != nil {
		return nil, err
	}
	res, err := s.Capturer.Capture(ctx, c.URL, opts)
	if err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			c.State, c.Error = domain.CaptureFailed, domain.ErrorMessage(err)
			return c, s.complete(ctx, c)
		}
		return nil, fmt.Errorf("archive: capture %d: %w", id, err)
	}
	if res.FetchErr != nil && !final && retryable(res.FetchErr) && ctx.Err() == nil {
		return nil, fmt.Errorf("archive: capture %d: %w: %w", id, ErrRetry, res.FetchErr)
	}
	if err := s.StoreResult(ctx, c, res, prev); err != nil {
		return nil, err
	}
	s.log().Info("capture complete", "id", c.ID, "url", c.URL, "state", c.State, "status", c.Status, "warc", c.WARCSHA256)
	return c, nil
}

// PreviousCapture finds the latest capture of url other than except and,
// when its manifest parses, sets opts.Previous so that an unchanged payload
// is written as a revisit record. It returns that capture (nil when the URL
// has none).
func (s *Service) PreviousCapture(ctx context.Context, url string, except int64, opts *evidence.CaptureOptions) (*domain.Capture, error) {
	prev, err := s.Store.LatestCapture(ctx, url, except)
	switch {
	case err == nil:
		if m, perr := evidence.ParseManifest(prev.Manifest); perr == nil {
			opts.Previous = m
		}
		return prev, nil
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		return nil, nil
	}
	return nil, fmt.Errorf("archive: previous capture of %s: %w", url, err)
}

// StoreResult keeps a capture's result: the WARC in the blob store, the
// row's fields from the manifest (failed when no answer came; a revisit
// points at the first full copy, prev being the capture PreviousCapture
// returned) and the row completed. The row c must exist (CreateCapture).
// Both Perform and the monitor's article fetcher use it.
func (s *Service) StoreResult(ctx context.Context, c *domain.Capture, res *evidence.Result, prev *domain.Capture) error {
	ref, err := s.Blobs.Put(ctx, bytes.NewReader(res.WARC))
	if err != nil {
		return fmt.Errorf("archive: capture %d: store WARC: %w", c.ID, err)
	}
	m := res.Manifest
	c.State = domain.CaptureDone
	if m.Status == 0 {
		c.State = domain.CaptureFailed
	}
	c.FinalURL, c.Status, c.FetchedAt = m.FinalURL, m.Status, m.FetchedAt
	c.WARCSHA256, c.WARCSize = ref.SHA256, ref.Size
	c.Manifest, c.Error = manifestJSON(res.WARC), m.Error
	c.BodySHA256, c.TextSHA256, c.ScreenshotSHA256, c.Title = m.BodySHA256, m.TextSHA256, m.ScreenshotSHA256, m.Title
	c.RevisitOf = 0
	if m.Revisit && prev != nil {
		c.RevisitOf = prev.ID
		if prev.RevisitOf != 0 {
			c.RevisitOf = prev.RevisitOf
		}
	}
	return s.complete(ctx, c)
}

func (s *Service) complete(ctx context.Context, c *domain.Capture) error {
	err := s.Store.CompleteCapture(ctx, c)
	if domain.ErrorCode(err) == domain.ECONFLICT {
		// Another worker finished it first: its result stands.
		done, ferr := s.Store.FindCapture(ctx, c.ID)
		if ferr != nil {
			return ferr
		}
		*c = *done
		return nil
	}
	return err
}

// retryable reports whether a fetch failure may pass on its own.
func retryable(err error) bool {
	for _, permanent := range []error{safehttp.ErrBlockedAddress, safehttp.ErrBlockedScheme, safehttp.ErrTooManyRedirects} {
		if errors.Is(err, permanent) {
			return false
		}
	}
	return true
}

// manifestJSON returns the manifest record's block as stored in the WARC,
// so that the row and the file hold the same bytes.
func manifestJSON(warc []byte) []byte {
	var out []byte
	_ = evidence.ReadRecords(bytes.NewReader(warc), func(rec evidence.Record) error {
		if rec.Type() == evidence.TypeMetadata {
			out = rec.Block
		}
		return nil
	})
	return out
}

// Open reads the WARC of a completed capture. For a revisit, Body comes
// from the capture it repeats.
func (s *Service) Open(ctx context.Context, c *domain.Capture) (*evidence.Contents, error) {
	if c.WARCSHA256 == "" {
		return nil, domain.Errorf(domain.ENOTFOUND, "Capture %d has no WARC file.", c.ID)
	}
	warc, err := s.readBlob(ctx, c.WARCSHA256)
	if err != nil {
		return nil, err
	}
	cont, err := evidence.ReadContents(bytes.NewReader(warc))
	if err != nil {
		return nil, fmt.Errorf("archive: capture %d: %w", c.ID, err)
	}
	if cont.Revisit && c.RevisitOf != 0 && c.RevisitOf != c.ID {
		orig, err := s.Store.FindCapture(ctx, c.RevisitOf)
		if err == nil && orig.WARCSHA256 != "" {
			if w, err := s.readBlob(ctx, orig.WARCSHA256); err == nil {
				if oc, err := evidence.ReadContents(bytes.NewReader(w)); err == nil {
					cont.Body = oc.Body
				}
			}
		}
	}
	return cont, nil
}

// OpenWARC opens the stored WARC file of a capture.
func (s *Service) OpenWARC(ctx context.Context, c *domain.Capture) (io.ReadCloser, error) {
	if c.WARCSHA256 == "" {
		return nil, domain.Errorf(domain.ENOTFOUND, "Capture %d has no WARC file.", c.ID)
	}
	return s.Blobs.Open(ctx, c.WARCSHA256)
}

func (s *Service) readBlob(ctx context.Context, sha string) ([]byte, error) {
	rc, err := s.Blobs.Open(ctx, sha)
	if err != nil {
		return nil, fmt.Errorf("archive: open WARC %s: %w", sha, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("archive: read WARC %s: %w", sha, err)
	}
	return b, nil
}

// WriteWACZ packages the WARC files of captures (completed ones; others are
// skipped) as one WACZ to w. It returns how many were packaged.
func (s *Service) WriteWACZ(ctx context.Context, w io.Writer, captures []*domain.Capture) (int, error) {
	var in []evidence.WACZInput
	for _, c := range captures {
		if c.WARCSHA256 == "" {
			continue
		}
		b, err := s.readBlob(ctx, c.WARCSHA256)
		if err != nil {
			return 0, err
		}
		in = append(in, evidence.WACZInput{Name: fmt.Sprintf("capture-%d.warc.gz", c.ID), WARC: b, Title: c.Title})
	}
	if len(in) == 0 {
		return 0, domain.Errorf(domain.ENOTFOUND, "None of these captures has a WARC file to export.")
	}
	if err := evidence.WriteWACZ(w, in); err != nil {
		return 0, fmt.Errorf("archive: wacz: %w", err)
	}
	return len(in), nil
}

// Find returns one capture.
func (s *Service) Find(ctx context.Context, id int64) (*domain.Capture, error) {
	return s.Store.FindCapture(ctx, id)
}

// OfURL lists the captures of a URL, newest first.
func (s *Service) OfURL(ctx context.Context, url string) ([]*domain.Capture, error) {
	return s.Store.CapturesOfURL(ctx, url)
}

// OfIncident lists the captures made for an incident, newest first.
func (s *Service) OfIncident(ctx context.Context, incidentID int64) ([]*domain.Capture, error) {
	return s.Store.CapturesOfIncident(ctx, incidentID)
}
