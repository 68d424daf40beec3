package web

import (
	"net/http"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/monitor"
)

// CaptureDiffView compares the extracted texts of two captures of one URL.
type CaptureDiffView struct {
	Page
	Old, New         *domain.Capture
	OldTime, NewTime string
	Diff             monitor.TextDiff
}

func (s *Server) handleCaptureDiff(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.findCapture(w, r, "id")
	if !ok {
		return
	}
	b, _, ok := s.findCapture(w, r, "other")
	if !ok {
		return
	}
	if a.URL != b.URL {
		s.fail(w, r, domain.Errorf(domain.EINVALID, "%s", s.cat.localizer(localeOf(r)).T("capture.diff.otherurl")))
		return
	}
	if a.ID > b.ID {
		a, b = b, a
	}
	ctx := r.Context()
	texts := [2]string{}
	for i, c := range []*domain.Capture{a, b} {
		if c.WARCSHA256 == "" {
			continue
		}
		cont, err := s.opts.Captures.Open(ctx, c)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		texts[i] = cont.Text
	}
	l := s.cat.localizer(localeOf(r))
	v := CaptureDiffView{Page: s.page(r, l.T("capture.diff.title")), Old: a, New: b,
		Diff: monitor.DiffText(texts[0], texts[1])}
	if !a.FetchedAt.IsZero() {
		v.OldTime = a.FetchedAt.UTC().Format(time.RFC3339)
	}
	if !b.FetchedAt.IsZero() {
		v.NewTime = b.FetchedAt.UTC().Format(time.RFC3339)
	}
	s.render(w, r, http.StatusOK, "capture_diff", &v)
}
