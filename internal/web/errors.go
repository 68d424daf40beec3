package web

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// statusByCode is the one table from error codes to HTTP statuses.
var statusByCode = map[string]int{
	domain.EINVALID:      http.StatusBadRequest,
	domain.EUNAUTHORIZED: http.StatusUnauthorized,
	domain.EFORBIDDEN:    http.StatusForbidden,
	domain.ENOTFOUND:     http.StatusNotFound,
	domain.ECONFLICT:     http.StatusConflict,
	domain.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	domain.ETOOMANY:      http.StatusTooManyRequests,
	domain.EUNAVAILABLE:  http.StatusServiceUnavailable,
	domain.EINTERNAL:     http.StatusInternalServerError,
}

// ErrorStatus returns the HTTP status for an error's code.
func ErrorStatus(err error) int {
	if st, ok := statusByCode[domain.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// ErrorView is the generic error page.
type ErrorView struct {
	Page
	Status   int
	Message  string
	Problems []string
}

// fail answers with the error page (or a JSON error, naming the fields
// at fault, for .json, .ndjson and .csv paths). Internal errors are logged and shown only as "Internal error.".
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := domain.ErrorCode(err)
	status := ErrorStatus(err)
	l := s.cat.localizer(localeOf(r))
	msg := domain.ErrorMessage(err)
	if code == domain.EINTERNAL {
		s.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = l.T("error.internal")
	}
	if wantsData(r) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		// The same shape as the API's errors: which field, and why.
		type detail struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields,omitempty"`
		}
		_ = json.NewEncoder(w).Encode(struct {
			Error detail `json:"error"`
		}{detail{code, msg, domain.ErrorFields(err)}})
		return
	}
	v := ErrorView{Page: s.page(r, l.T("error.title")), Status: status, Message: msg}
	for _, p := range domain.ErrorFields(err) {
		v.Problems = append(v.Problems, p)
	}
	sort.Strings(v.Problems)
	s.render(w, r, status, "error", &v)
}

func wantsData(r *http.Request) bool {
	p := r.URL.Path
	return strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".ndjson") || strings.HasSuffix(p, ".csv")
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, domain.Errorf(domain.ENOTFOUND, "%s", s.cat.localizer(localeOf(r)).T("error.notfound")))
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, domain.Errorf(domain.EFORBIDDEN, "%s", s.cat.localizer(localeOf(r)).T("error.forbidden")))
}

// failObject answers for staff object routes: an object the user may not
// see is "not found", exactly as one that does not exist.
func (s *Server) failObject(w http.ResponseWriter, r *http.Request, err error) {
	switch domain.ErrorCode(err) {
	case domain.ENOTFOUND, domain.EFORBIDDEN:
		s.notFound(w, r)
	default:
		s.fail(w, r, err)
	}
}
