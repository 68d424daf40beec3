package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// DetectionsView is /admin/detections: the queue of detections with a
// filter by kind, outlet and review state; open ones first by default.
type DetectionsView struct {
	Page
	Items   []*DetectionInfo
	Kinds   []Option
	Outlets []Option
	States  []Option
	Filter  DetectionFilter
	CanAct  bool
}

// DetectionView is /admin/detections/{id}: the diff side by side, links to
// both captures and to the draft incident, and the confirm and dismiss
// buttons.
type DetectionView struct {
	Page
	D        *DetectionInfo
	CanAct   bool
	Problems map[string]string
	Note     string
}

var detectionNotices = map[string]string{
	"confirmed": "Detection confirmed: the draft incident goes on in the normal workflow.",
	"dismissed": "Detection dismissed; its draft incident is marked as dismissed.",
}

func (s *Server) handleAdminDetections(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := DetectionFilter{Kind: q.Get("kind"), Outlet: q.Get("outlet"), Review: q.Get("review"), Limit: 200}
	if !q.Has("review") {
		f.Review = DetectionOpen
	}
	if f.Review == "any" {
		f.Review = ""
	}
	if f.Kind != "" && !oneOfStrings(f.Kind, DetectionKinds) {
		f.Kind = ""
	}
	if f.Review != "" && !oneOfStrings(f.Review, []string{DetectionOpen, DetectionConfirmed, DetectionDismissed}) {
		f.Review = DetectionOpen
	}
	items, err := s.opts.Monitor.Detections(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	outlets, err := s.opts.Monitor.Outlets(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := DetectionsView{Page: s.page(r, "Detections"), Items: items, Filter: f}
	v.CanAct = v.Can(actionEdit)
	v.Notice = detectionNotices[q.Get("ok")]
	v.Kinds = options(DetectionKinds, []string{f.Kind}, func(k string) string { return k })
	for _, o := range outlets {
		v.Outlets = append(v.Outlets, Option{Value: o.Slug, Label: o.Name, Selected: o.Slug == f.Outlet})
	}
	review := f.Review
	if review == "" {
		review = "any"
	}
	v.States = options([]string{DetectionOpen, DetectionConfirmed, DetectionDismissed, "any"}, []string{review}, func(k string) string { return k })
	s.render(w, r, http.StatusOK, "admin_detections", &v)
}

func (s *Server) handleAdminDetection(w http.ResponseWriter, r *http.Request) {
	s.renderDetection(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderDetection(w http.ResponseWriter, r *http.Request, status int, problems map[string]string, note string) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	d, err := s.opts.Monitor.Detection(r.Context(), id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	v := DetectionView{Page: s.page(r, "Detection "+strconv.FormatInt(d.ID, 10)), D: d, Problems: problems, Note: note}
	v.CanAct = v.Can(actionEdit)
	v.Notice = detectionNotices[r.URL.Query().Get("ok")]
	s.render(w, r, status, "admin_detection", &v)
}

// handleAdminDetectionReview confirms (/confirm) or dismisses (/dismiss) a
// detection in one POST.
func (s *Server) handleAdminDetectionReview(confirm bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			s.notFound(w, r)
			return
		}
		note := strings.TrimSpace(r.PostForm.Get("note"))
		if len(note) > 2000 {
			s.renderDetection(w, r, http.StatusUnprocessableEntity, map[string]string{"note": "At most 2,000 characters."}, note)
			return
		}
		err := s.opts.Monitor.ReviewDetection(r.Context(), userOf(r), id, confirm, note)
		switch {
		case err == nil:
		case domain.IsCode(err, domain.ENOTFOUND):
			s.notFound(w, r)
			return
		case domain.IsCode(err, domain.ECONFLICT), domain.IsCode(err, domain.EINVALID):
			s.renderDetection(w, r, http.StatusConflict, map[string]string{"review": domain.ErrorMessage(err)}, note)
			return
		default:
			s.fail(w, r, err)
			return
		}
		ok2 := "dismissed"
		if confirm {
			ok2 = "confirmed"
			if d, err := s.opts.Monitor.Detection(r.Context(), id); err == nil && d.IncidentID != 0 {
				s.redirect(w, r, "/admin/incidents/"+strconv.FormatInt(d.IncidentID, 10)+"?ok=detection")
				return
			}
		}
		s.redirect(w, r, "/admin/detections?ok="+ok2)
	}
}

func oneOfStrings(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
