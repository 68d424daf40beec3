package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sort"

	"github.com/presswatch/presswatch/internal/domain"
)

// VocabReader lists vocabulary terms (e.g. the store's Terms).
type VocabReader interface {
	Terms(ctx context.Context) ([]domain.Term, error)
}

// Options configure the API handler. Public, Stats, Vocab and Status are
// required.
type Options struct {
	Public domain.PublicStore
	Stats  domain.StatsStore
	Vocab  VocabReader
	// Status maps an error to its HTTP status: web.ErrorStatus, the one
	// code→status table of the site.
	Status func(error) int
	Logger *slog.Logger
}

// Handler serves /api/v1/… and /api/openapi.json. Mount it at "/api/".
type Handler struct {
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux
	doc  []byte
}

// Prefix is the path of API version 1.
const Prefix = "/api/v1"

// New builds the handler and its OpenAPI document.
func New(o Options) (*Handler, error) {
	if o.Public == nil || o.Stats == nil || o.Vocab == nil || o.Status == nil {
		return nil, errors.New("api: Public, Stats, Vocab and Status are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	doc, err := json.MarshalIndent(OpenAPI(), "", "  ")
	if err != nil {
		return nil, err
	}
	h := &Handler{opts: o, log: o.Logger, mux: http.NewServeMux(), doc: doc}
	h.mux.HandleFunc("GET "+Prefix+"/incidents", h.incidents)
	h.mux.HandleFunc("GET "+Prefix+"/incidents/{ref}", h.incident)
	h.mux.HandleFunc("GET "+Prefix+"/vocabularies", h.vocabularies)
	h.mux.HandleFunc("GET "+Prefix+"/stats", h.stats)
	h.mux.HandleFunc("GET /api/openapi.json", h.openapi)
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, r, http.StatusMethodNotAllowed, domain.EINVALID, "Only GET is allowed.", nil)
			return
		}
		writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "No such API path.", nil)
	})
	return h, nil
}

// ServeHTTP implements http.Handler. GET and HEAD answers may be read from
// any origin; no other method is served.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}
	h.mux.ServeHTTP(w, r)
}

// IncidentList is the body of GET /api/v1/incidents.
type IncidentList struct {
	Total      int    `json:"total"`
	Persons    int    `json:"persons"`
	NextCursor string `json:"next_cursor,omitempty"`
	Next       string `json:"next,omitempty"`
	// Unranked: sorted by relevance was asked for, but the match is too
	// large to rank; the items are newest first.
	Unranked bool                     `json:"unranked,omitempty"`
	Items    []*domain.PublicIncident `json:"items"`
}

func (h *Handler) incidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := domain.ParseIncidentFilter(q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if q.Get("page") != "" {
		h.fail(w, r, domain.InvalidFields(map[string]string{"page": "The API pages with the after cursor, not page numbers."}))
		return
	}
	res, err := h.opts.Public.SearchPublic(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := IncidentList{Total: res.Total, Persons: res.Persons, NextCursor: res.NextCursor, Unranked: res.Unranked, Items: res.Items}
	if out.Items == nil {
		out.Items = []*domain.PublicIncident{}
	}
	if res.NextCursor != "" {
		v := f.Values()
		if f.PerPage != 25 {
			v.Set("per_page", itoa(f.PerPage))
		}
		if f.Sort != "" && v.Get("sort") == "" && f.Sort != "date" && !(f.Sort == "relevance" && f.Q != "") {
			v.Set("sort", f.Sort)
		}
		v.Set("after", res.NextCursor)
		out.Next = Prefix + "/incidents?" + v.Encode()
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) incident(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	if !domain.ValidRef(ref) {
		h.fail(w, r, domain.Errorf(domain.ENOTFOUND, "No published incident %s.", ref))
		return
	}
	p, err := h.opts.Public.FindPublic(r.Context(), ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// Vocabularies is the body of GET /api/v1/vocabularies: every code with its
// labels per language, for the vocabularies and the fixed lists.
type Vocabularies struct {
	Vocabularies map[string][]VocabTerm `json:"vocabularies"`
}

// VocabTerm is one code of a vocabulary.
type VocabTerm struct {
	Code   string            `json:"code"`
	Family string            `json:"family,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

func (h *Handler) vocabularies(w http.ResponseWriter, r *http.Request) {
	terms, err := h.opts.Vocab.Terms(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sort.SliceStable(terms, func(i, j int) bool {
		a, b := terms[i], terms[j]
		return a.Vocab < b.Vocab || a.Vocab == b.Vocab && (a.Sort < b.Sort || a.Sort == b.Sort && a.Code < b.Code)
	})
	out := Vocabularies{Vocabularies: map[string][]VocabTerm{}}
	for _, t := range terms {
		if t.Active {
			out.Vocabularies[t.Vocab] = append(out.Vocabularies[t.Vocab], VocabTerm{Code: t.Code, Family: t.Family, Labels: t.Labels})
		}
	}
	for _, p := range domain.FilterParams {
		if len(p.Enum) > 0 {
			for _, c := range p.Enum {
				out.Vocabularies[p.Name] = append(out.Vocabularies[p.Name], VocabTerm{Code: c})
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) stats(w http.ResponseWriter, r *http.Request) {
	f, err := domain.ParseIncidentFilter(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st, err := h.opts.Stats.Stats(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *Handler) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(h.doc)
}

// ErrorBody is every error answer of the API.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code, the message for people and, for EINVALID, the
// message of each parameter at fault.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := domain.ErrorCode(err)
	status := h.opts.Status(err)
	msg := domain.ErrorMessage(err)
	if status >= 500 {
		h.log.Error("api: request failed", "path", r.URL.Path, "err", err)
		code, msg = domain.EINTERNAL, "Internal error."
	}
	writeError(w, r, status, code, msg, domain.ErrorFields(err))
}

func writeError(w http.ResponseWriter, _ *http.Request, status int, code, msg string, fields map[string]string) {
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: msg, Fields: fields}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"Internal error."}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
