package web

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/evidence"
)

// Captures is what the evidence pages need; *archive.Service implements it.
type Captures interface {
	Find(ctx context.Context, id int64) (*domain.Capture, error)
	OfURL(ctx context.Context, url string) ([]*domain.Capture, error)
	// Open reads a completed capture's WARC: manifest, body, text,
	// screenshot.
	Open(ctx context.Context, c *domain.Capture) (*evidence.Contents, error)
	OpenWARC(ctx context.Context, c *domain.Capture) (io.ReadCloser, error)
	// Queue records a queued capture and its background job; fills c.ID.
	Queue(ctx context.Context, c *domain.Capture) error
}

// captureAccess says who may see a capture.
type captureAccess struct {
	staff bool
	// public is the published incident that cites the capture, if any.
	public *domain.PublicIncident
}

// findCapture returns the capture named by the path value name when the
// request may see it: staff see every capture; readers see a capture cited
// by a public source of a published incident (by capture id, or by URL for
// a capture made for that incident). Everything else is the same 404 as a
// missing capture.
func (s *Server) findCapture(w http.ResponseWriter, r *http.Request, name string) (*domain.Capture, captureAccess, bool) {
	var acc captureAccess
	if s.opts.Captures == nil {
		s.notFound(w, r)
		return nil, acc, false
	}
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return nil, acc, false
	}
	c, err := s.opts.Captures.Find(r.Context(), id)
	if err != nil {
		s.failObject(w, r, err)
		return nil, acc, false
	}
	if u := userOf(r); u != nil && !u.Disabled && !u.MustChangePW && domain.Can(u.Role, domain.ActionRead) {
		acc.staff = true
		return c, acc, true
	}
	if pub := s.publicCiting(r.Context(), c); pub != nil {
		acc.public = pub
		return c, acc, true
	}
	s.notFound(w, r)
	return nil, acc, false
}

// publicCiting returns the published incident whose public sources cite c.
func (s *Server) publicCiting(ctx context.Context, c *domain.Capture) *domain.PublicIncident {
	if c.IncidentRef == "" || !c.Completed() {
		return nil
	}
	p, err := s.opts.Public.FindPublic(ctx, c.IncidentRef)
	if err != nil {
		return nil
	}
	for _, src := range p.Sources {
		if src.Visibility != "" && src.Visibility != domain.VisibilityPublic {
			continue
		}
		if src.CaptureID == c.ID || (src.URL != "" && src.URL == c.URL) {
			return p
		}
	}
	return nil
}

// actionCapture is the role action the capture button needs.
const actionCapture = domain.ActionCapture
