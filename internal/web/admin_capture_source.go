package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/presswatch/presswatch/internal/domain"
)

// handleAdminSourceCapture queues a capture of source n of an incident and
// links it to the source (Source.CaptureID) in a new revision. Like any
// edit, the link reaches readers with the next publication.
func (s *Server) handleAdminSourceCapture(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	n, err := strconv.Atoi(r.PathValue("n"))
	if !ok || err != nil || n < 0 || s.opts.Captures == nil {
		s.notFound(w, r)
		return
	}
	ctx := r.Context()
	u := userOf(r)
	inc, err := s.opts.Service.FindIncident(ctx, u, id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	if n >= len(inc.Sources) || inc.Sources[n].URL == "" {
		s.notFound(w, r)
		return
	}
	c := &domain.Capture{URL: inc.Sources[n].URL, IncidentID: inc.ID, IncidentRef: inc.Ref, RequestedBy: u.ID}
	if err := s.opts.Captures.Queue(ctx, c); err != nil {
		s.fail(w, r, err)
		return
	}
	inc.Sources[n].CaptureID = c.ID
	if err := s.opts.Service.UpdateIncident(ctx, u, inc, fmt.Sprintf("capture %d of source %d queued", c.ID, n+1)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/admin/incidents/"+strconv.FormatInt(inc.ID, 10)+"?ok=saved")
}
