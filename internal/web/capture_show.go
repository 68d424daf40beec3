package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// CaptureView is the evidence page of one capture.
type CaptureView struct {
	Page
	C            *domain.Capture
	FetchedAt    string
	ManifestJSON string
	Paragraphs   []string
	HasPNG       bool
	HasBody      bool
	Revisit      bool
	Missing      string // why there is no screenshot
	Others       []CaptureLink
	IncidentHref string
	Base         string // "/captures/ID"
	InLog        bool   // the capture is a leaf of the public log
	LogIndex     int64
}

// CaptureLink is another capture of the same URL.
type CaptureLink struct {
	ID        int64
	FetchedAt string
	State     string
	DiffHref  string
}

func (s *Server) handleCaptureShow(w http.ResponseWriter, r *http.Request) {
	c, acc, ok := s.findCapture(w, r, "id")
	if !ok {
		return
	}
	ctx := r.Context()
	l := s.cat.localizer(localeOf(r))
	base := "/captures/" + strconv.FormatInt(c.ID, 10)
	v := CaptureView{Page: s.page(r, l.T("capture.title")+" "+strconv.FormatInt(c.ID, 10)), C: c, Base: base}
	if c.LogIndex != nil {
		v.InLog, v.LogIndex = true, *c.LogIndex
	}
	if !c.FetchedAt.IsZero() {
		v.FetchedAt = c.FetchedAt.UTC().Format(time.RFC3339)
	}
	switch {
	case acc.staff && c.IncidentID != 0:
		v.IncidentHref = "/admin/incidents/" + strconv.FormatInt(c.IncidentID, 10)
	case acc.public != nil:
		v.IncidentHref = l.Path("/incidents/" + acc.public.Ref)
	}
	if c.Completed() && c.WARCSHA256 != "" {
		cont, err := s.opts.Captures.Open(ctx, c)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var pretty bytes.Buffer
		if json.Indent(&pretty, cont.ManifestJSON, "", "  ") == nil {
			v.ManifestJSON = pretty.String()
		} else {
			v.ManifestJSON = string(cont.ManifestJSON)
		}
		for _, p := range strings.Split(cont.Text, "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				v.Paragraphs = append(v.Paragraphs, p)
			}
		}
		v.HasPNG = len(cont.PNG) > 0
		v.HasBody = len(cont.Body) > 0
		v.Revisit = cont.Revisit
		v.Missing = cont.Manifest.ScreenshotMissing
	}
	others, err := s.opts.Captures.OfURL(ctx, c.URL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, o := range others {
		if o.ID == c.ID || !o.Completed() {
			continue
		}
		if !acc.staff && s.publicCiting(ctx, o) == nil {
			continue
		}
		link := CaptureLink{ID: o.ID, State: o.State}
		if !o.FetchedAt.IsZero() {
			link.FetchedAt = o.FetchedAt.UTC().Format(time.RFC3339)
		}
		a, b := o.ID, c.ID
		if a > b {
			a, b = b, a
		}
		link.DiffHref = "/captures/" + strconv.FormatInt(a, 10) + "/diff/" + strconv.FormatInt(b, 10)
		v.Others = append(v.Others, link)
	}
	s.render(w, r, http.StatusOK, "capture_show", &v)
}
