package web

import (
	"context"
	"crypto/subtle"
	"io"
	"net/http"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
)

// Intake is what the server needs of anonymous intake; it is implemented
// by *intake.Service. Nil Options.Intake turns /submit and /admin/intake off.
type Intake interface {
	MaxBytes() int64
	NewReport(ctx context.Context, sess *intake.SourceSession) (*intake.Upload, error)
	NewMessage(ctx context.Context, sess *intake.SourceSession, reportID int64) (*intake.Upload, error)
	SourceLogin(ctx context.Context, codename string) (string, error)
	SourceSession(token string) *intake.SourceSession
	SourceLogout(token string)
	SourceReports(ctx context.Context, sess *intake.SourceSession) ([]*intake.SourceReport, error)

	Unlock(ctx context.Context, sessKey string, u *domain.User, password string) error
	Lock(sessKey string)
	Unlocked(sessKey string, u *domain.User) bool
	HasKey(ctx context.Context, u *domain.User) (bool, error)
	EnsureEditorKey(ctx context.Context, u *domain.User, oldPW, newPW string) error
	Inbox(ctx context.Context, u *domain.User, f domain.IntakeFilter) ([]*domain.IntakeReport, error)
	Report(ctx context.Context, u *domain.User, sessKey string, id int64) (*intake.ReportView, error)
	SetStatus(ctx context.Context, u *domain.User, id int64, status string) error
	Assign(ctx context.Context, u *domain.User, id, to int64) error
	Reply(ctx context.Context, u *domain.User, id int64, text string) error
	OpenAttachment(ctx context.Context, u *domain.User, sessKey string, reportID, attID int64) (io.ReadCloser, *intake.AttachmentView, error)
	PublishCopy(ctx context.Context, u *domain.User, sessKey string, reportID, attID int64, confirm bool) (*domain.IntakeDerivation, error)
	OpenPublished(ctx context.Context, u *domain.User, reportID, derivationID int64) (io.ReadCloser, *domain.IntakeDerivation, error)
	Facts(ctx context.Context, u *domain.User, sessKey string, id int64) (*intake.Content, error)
	MarkConverted(ctx context.Context, u *domain.User, id, incidentID int64) error
	Rewrap(ctx context.Context, admin *domain.User, sessKey string) (done, skipped int, err error)
	Export(ctx context.Context, by *domain.User, w io.Writer) (int, error)
}

var _ Intake = (*intake.Service)(nil)

// sourceCookie names the source session cookie: separate from the staff
// session, HttpOnly, SameSite=Strict, no expiry (ends with the browser),
// idle timeout enforced by the server.
func (s *Server) sourceCookie() string {
	if s.opts.Secure {
		return "__Host-presswatch_source"
	}
	return "presswatch_source"
}

func (s *Server) sourceCSRFCookie() string {
	if s.opts.Secure {
		return "__Host-presswatch_source_csrf"
	}
	return "presswatch_source_csrf"
}

// isSourcePath reports whether p (with or without a locale prefix) is on
// the submission path.
func isSourcePath(p string) bool {
	for _, pre := range []string{"", "/ur", "/hi"} {
		if p == pre+"/submit" || strings.HasPrefix(p, pre+"/submit/") {
			return true
		}
	}
	return false
}

// scrubSource removes from requests on the submission path everything that
// could identify a source before any other layer (logging included) sees
// it: the peer address, and every header but those the handlers need.
// Over Tor the address is 127.0.0.1 anyway; behind a proxy it is not.
func (s *Server) scrubSource(next http.Handler) http.Handler {
	keep := map[string]bool{"Content-Type": true, "Content-Length": true, "Cookie": true, "Origin": true, "Sec-Fetch-Site": true, "Host": true}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isSourcePath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		r2.RemoteAddr = "0.0.0.0:0"
		for k := range r2.Header {
			if !keep[k] {
				delete(r2.Header, k)
			}
		}
		next.ServeHTTP(w, r2)
	})
}

// sourceOf returns the logged-in source of the request, or nil.
func (s *Server) sourceOf(r *http.Request) *intake.SourceSession {
	c, err := r.Cookie(s.sourceCookie())
	if err != nil || c.Value == "" {
		return nil
	}
	return s.opts.Intake.SourceSession(c.Value)
}

// sourceCSRF returns the token a source form must carry: the session's,
// or before login a random token in its own SameSite=Strict cookie.
func (s *Server) sourceCSRF(w http.ResponseWriter, r *http.Request, sess *intake.SourceSession) string {
	if sess != nil {
		return sess.CSRFToken
	}
	if c, err := r.Cookie(s.sourceCSRFCookie()); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	t := randomToken()
	s.setCookie(w, s.sourceCSRFCookie(), t, 0)
	return t
}

func (s *Server) checkSourceCSRF(r *http.Request, sess *intake.SourceSession, got string) bool {
	want := ""
	if sess != nil {
		want = sess.CSRFToken
	} else if c, err := r.Cookie(s.sourceCSRFCookie()); err == nil {
		want = c.Value
	}
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1 && sameOrigin(r)
}

// sourceOnly wraps the submission routes: off without intake.
func (s *Server) sourceOnly(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Intake == nil {
			if r.Method == http.MethodPost {
				s.forbidden(w, r) // no token can be valid: intake is off
				return
			}
			s.notFound(w, r)
			return
		}
		h(w, r)
	})
}

// sourcePost parses a small urlencoded form and checks the source CSRF
// token before the handler runs.
func (s *Server) sourcePost(h http.HandlerFunc) http.Handler {
	return s.sourceOnly(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			s.fail(w, r, domain.Errorf(domain.EINVALID, "The form could not be read."))
			return
		}
		if !s.checkSourceCSRF(r, s.sourceOf(r), r.PostForm.Get("csrf")) {
			s.forbidden(w, r)
			return
		}
		h(w, r)
	})
}
