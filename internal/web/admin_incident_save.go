package web

import (
	"fmt"
	"net/http"

	"github.com/presswatch/presswatch/internal/domain"
)

// handleAdminIncidentSave creates or updates an incident from the form:
// parse → (add a row and show the form again) → validate → save → 303; or
// the form again with the problems at their fields, nothing saved.
func (s *Server) handleAdminIncidentSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userOf(r)
	inc := &domain.Incident{}
	if r.PathValue("id") != "" {
		id, ok := pathID(r)
		if !ok {
			s.notFound(w, r)
			return
		}
		found, err := s.opts.Service.FindIncident(ctx, u, id)
		if err != nil {
			s.failObject(w, r, err)
			return
		}
		inc = found
	}
	f := parseIncidentForm(r.PostForm, inc)
	if f.Add != "" {
		s.renderIncidentForm(w, r, http.StatusOK, inc, f, nil, "")
		return
	}
	vocab, _, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(f.Problems) > 0 {
		check := *inc
		check.Normalize()
		for k, msg := range domain.ErrorFields(check.Validate(vocab)) {
			if _, ok := f.Problems[k]; !ok {
				f.Problems[k] = msg
			}
		}
		s.renderIncidentForm(w, r, http.StatusBadRequest, inc, f, f.Problems, "Some fields need attention.")
		return
	}
	if inc.ID == 0 {
		err = s.opts.Service.CreateIncident(ctx, u, inc, f.Note)
	} else {
		err = s.opts.Service.UpdateIncident(ctx, u, inc, f.Note)
	}
	switch domain.ErrorCode(err) {
	case "":
		s.redirect(w, r, fmt.Sprintf("/admin/incidents/%d?ok=saved", inc.ID))
	case domain.EINVALID:
		s.renderIncidentForm(w, r, http.StatusBadRequest, inc, f, domain.ErrorFields(err), domain.ErrorMessage(err))
	case domain.ECONFLICT:
		s.renderIncidentForm(w, r, http.StatusConflict, inc, f, nil,
			domain.ErrorMessage(err)+" Someone else may have saved this incident: open it again in another tab and copy your changes over.")
	case domain.ENOTFOUND, domain.EFORBIDDEN:
		s.failObject(w, r, err)
	default:
		s.fail(w, r, err)
	}
}
