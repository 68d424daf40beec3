package web

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/presswatch/presswatch/internal/domain"
)

// maxFormBytes bounds a back-office form.
const maxFormBytes = 4 << 20

// csrfToken returns the token forms of this request must carry: the
// session's, or for a visitor without a session (the login form) a random
// token kept in a SameSite=Strict cookie, set here when missing.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if st := staffOf(r); st != nil {
		return st.sess.CSRFToken
	}
	if c, err := r.Cookie(s.csrfCookie()); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	t := randomToken()
	s.setCookie(w, s.csrfCookie(), t, 0)
	return t
}

// requireCSRF parses the form (bounded) and refuses with 403 any request
// whose "csrf" field does not match the session's token (or the login
// cookie's), before the handler runs.
func (s *Server) requireCSRF(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.fail(w, r, domain.Errorf(domain.ETOOLARGE, "The form is too large."))
				return
			}
			s.fail(w, r, domain.Errorf(domain.EINVALID, "The form could not be read."))
			return
		}
		if !s.validCSRF(r, r.PostForm.Get("csrf")) {
			s.forbidden(w, r)
			return
		}
		next(w, r)
	}
}

// validCSRF checks a posted token against the staff session's (or, before
// sign-in, the CSRF cookie's) and that the request is same-origin. Handlers
// that stream a multipart body call it with the first part.
func (s *Server) validCSRF(r *http.Request, got string) bool {
	want := ""
	if st := staffOf(r); st != nil {
		want = st.sess.CSRFToken
	} else if c, err := r.Cookie(s.csrfCookie()); err == nil {
		want = c.Value
	}
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1 && sameOrigin(r)
}
