package web

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/presswatch/presswatch/internal/evidence"
)

// replayPolicy is the CSP of a replayed page: a sandbox without scripts or
// same-origin, no requests at all except inline styles and data: images,
// no forms, no base, no framing. The page can reach nothing, live site
// included.
const replayPolicy = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

// handleCaptureReplay serves the captured body from the stored WARC, never
// from the live site. HTML is served under replayPolicy; anything else is
// a download.
func (s *Server) handleCaptureReplay(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.findCapture(w, r, "id")
	if !ok {
		return
	}
	if !c.Completed() || c.WARCSHA256 == "" {
		s.notFound(w, r)
		return
	}
	cont, err := s.opts.Captures.Open(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if cont.Body == nil {
		s.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", replayPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	mt, params, _ := mime.ParseMediaType(cont.ContentType)
	if mt == "text/html" || mt == "application/xhtml+xml" || (mt == "" && isHTMLSniff(cont.Body)) {
		ct := "text/html"
		if cs := params["charset"]; cs != "" {
			ct += "; charset=" + cs
		}
		h.Set("Content-Type", ct)
		// Frames and link hints make Chromium pre-connect before CSP stops
		// the load: they are removed from the replay (the WARC keeps them).
		cont.Body = evidence.DefangHTML(cont.Body)
	} else {
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", `attachment; filename="capture-`+strconv.FormatInt(c.ID, 10)+`.bin"`)
	}
	h.Set("Content-Length", strconv.Itoa(len(cont.Body)))
	_, _ = w.Write(cont.Body)
}

func isHTMLSniff(b []byte) bool {
	mt, _, _ := mime.ParseMediaType(http.DetectContentType(b))
	return mt == "text/html"
}

// handleCaptureScreenshot serves the screenshot PNG of a capture.
func (s *Server) handleCaptureScreenshot(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.findCapture(w, r, "id")
	if !ok {
		return
	}
	if c.WARCSHA256 == "" {
		s.notFound(w, r)
		return
	}
	cont, err := s.opts.Captures.Open(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(cont.PNG) == 0 {
		s.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Length", strconv.Itoa(len(cont.PNG)))
	_, _ = w.Write(cont.PNG)
}

// handleCaptureWARC downloads the stored WARC file, byte for byte.
func (s *Server) handleCaptureWARC(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.findCapture(w, r, "id")
	if !ok {
		return
	}
	if c.WARCSHA256 == "" {
		s.notFound(w, r)
		return
	}
	rc, err := s.opts.Captures.OpenWARC(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="capture-`+strconv.FormatInt(c.ID, 10)+`.warc.gz"`)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Length", strconv.FormatInt(c.WARCSize, 10))
	_, _ = io.Copy(w, rc)
}
