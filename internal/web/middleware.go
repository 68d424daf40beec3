package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
)

// contentSecurityPolicy allows nothing but the site's own stylesheet,
// images and forms: no script, no frames, no other origin.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secureHeaders sets the headers of SECURITY.md on every response before
// anything else runs, so 404s, 500s and static files carry them too.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		if s.opts.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic into the generic error page; the server keeps
// serving and the panic is logged, never shown.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("web: panic", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.fail(w, r, fmt.Errorf("web: panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests that a browser marks as coming
// from another site, whatever route they are for.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !safeMethod(r.Method) && !sameOrigin(r) {
			s.forbidden(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sameOrigin checks Sec-Fetch-Site and Origin when the browser sends them.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		// Under our own Referrer-Policy: no-referrer, browsers send
		// "Origin: null" with every form POST; the fetch metadata then
		// decides (the form token is checked as well).
		if o == "null" {
			return r.Header.Get("Sec-Fetch-Site") == "same-origin"
		}
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
			return false
		}
	}
	return true
}

type ctxKey int

const (
	localeKey ctxKey = iota
	staffKey
)

// localize reads the language from a /ur/ or /hi/ path prefix (or ?lang=),
// strips the prefix and keeps the locale in the request context.
func (s *Server) localize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loc := "en"
		p := r.URL.Path
		for _, l := range s.cat.locales {
			if l == "en" {
				continue
			}
			if p == "/"+l || strings.HasPrefix(p, "/"+l+"/") {
				loc = l
				rest := strings.TrimPrefix(p, "/"+l)
				if rest == "" {
					rest = "/"
				}
				r2 := new(http.Request)
				*r2 = *r
				u := *r.URL
				u.Path, u.RawPath = rest, ""
				r2.URL = &u
				r = r2
				break
			}
		}
		if q := r.URL.Query().Get("lang"); q != "" && s.cat.has(q) {
			loc = q
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), localeKey, loc)))
	})
}

func localeOf(r *http.Request) string {
	if l, ok := r.Context().Value(localeKey).(string); ok {
		return l
	}
	return "en"
}
