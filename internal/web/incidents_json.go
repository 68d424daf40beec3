package web

import (
	"encoding/json"
	"net/http"

	"github.com/presswatch/presswatch/internal/domain"
)

// IncidentsJSON is the body of /incidents.json: one page of the filter's
// result.
type IncidentsJSON struct {
	Total   int                      `json:"total"`
	Persons int                      `json:"persons"`
	Page    int                      `json:"page"`
	PerPage int                      `json:"per_page"`
	Next    string                   `json:"next,omitempty"`
	Items   []*domain.PublicIncident `json:"items"`
}

func (s *Server) handleIncidentsJSON(w http.ResponseWriter, r *http.Request) {
	f, err := domain.ParseIncidentFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.opts.Public.SearchPublic(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := IncidentsJSON{Total: res.Total, Persons: res.Persons, Page: f.Page, PerPage: f.PerPage, Items: res.Items}
	if out.Items == nil {
		out.Items = []*domain.PublicIncident{}
	}
	if f.Page*f.PerPage < res.Total {
		q := f.Values()
		q.Set("page", itoa(f.Page+1))
		if f.PerPage != 25 {
			q.Set("per_page", itoa(f.PerPage))
		}
		out.Next = "/incidents.json?" + q.Encode()
	}
	writeJSON(w, out)
}

func (s *Server) handleIncidentJSON(w http.ResponseWriter, r *http.Request, ref string) {
	if !domain.ValidRef(ref) {
		s.notFound(w, r)
		return
	}
	p, err := s.opts.Public.FindPublic(r.Context(), ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, p)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"Internal error."}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(append(b, '\n'))
}
