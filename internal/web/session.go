package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// staff is the signed-in user of a back-office request and their session.
type staff struct {
	user *domain.User
	sess *domain.Session
}

func staffOf(r *http.Request) *staff {
	st, _ := r.Context().Value(staffKey).(*staff)
	return st
}

// userOf returns the fully signed-in user (password and, where required,
// TOTP done), or nil.
func userOf(r *http.Request) *domain.User {
	if st := staffOf(r); st != nil && st.sess.TOTPPassed {
		return st.user
	}
	return nil
}

func (s *Server) sessionCookie() string {
	if s.opts.Secure {
		return "__Host-presswatch"
	}
	return "presswatch_session"
}

func (s *Server) csrfCookie() string {
	if s.opts.Secure {
		return "__Host-presswatch_csrf"
	}
	return "presswatch_csrf"
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("web: crypto/rand failed: %v", err)) // never happens on a working system
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is what the store keeps of a session token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.opts.Secure, SameSite: http.SameSiteStrictMode,
	})
}

// withSession loads the staff session named by the cookie, if any, and ends
// it when it is past its idle or absolute timeout or its user is disabled.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.sessionCookie())
		if err != nil || c.Value == "" || len(c.Value) > 100 {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		hash := hashToken(c.Value)
		sess, err := s.opts.Sessions.FindSession(ctx, hash)
		if err != nil {
			if !domain.IsCode(err, domain.ENOTFOUND) {
				s.fail(w, r, err)
				return
			}
			s.setCookie(w, s.sessionCookie(), "", -1)
			next.ServeHTTP(w, r)
			return
		}
		now := s.now()
		if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.opts.IdleTimeout {
			s.dropSession(ctx, w, hash)
			next.ServeHTTP(w, r)
			return
		}
		u, err := s.opts.Service.FindUser(ctx, sess.UserID)
		if err != nil || u.Disabled {
			if err != nil && !domain.IsCode(err, domain.ENOTFOUND) {
				s.fail(w, r, err)
				return
			}
			s.dropSession(ctx, w, hash)
			next.ServeHTTP(w, r)
			return
		}
		if now.Sub(sess.LastSeenAt) > time.Minute {
			sess.LastSeenAt = now
			if err := s.opts.Sessions.UpdateSession(ctx, sess); err != nil {
				s.log.Warn("web: touch session", "err", err)
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, staffKey, &staff{user: u, sess: sess})))
	})
}

func (s *Server) dropSession(ctx context.Context, w http.ResponseWriter, hash string) {
	if err := s.opts.Sessions.DeleteSession(ctx, hash); err != nil && !domain.IsCode(err, domain.ENOTFOUND) {
		s.log.Warn("web: delete session", "err", err)
	}
	s.setCookie(w, s.sessionCookie(), "", -1)
}

// startSession ends the request's current session, if any, and starts a
// new one with a new token (rotation at login and after the second factor).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *domain.User, passed bool) (*domain.Session, error) {
	ctx := r.Context()
	now := s.now()
	expires := now.Add(s.opts.AbsoluteTimeout)
	if old := staffOf(r); old != nil {
		if old.sess.UserID == u.ID && old.sess.ExpiresAt.Before(expires) {
			expires = old.sess.ExpiresAt // rotation does not extend a login
		}
		if err := s.opts.Sessions.DeleteSession(ctx, old.sess.IDHash); err != nil && !domain.IsCode(err, domain.ENOTFOUND) {
			return nil, fmt.Errorf("web: end old session: %w", err)
		}
	} else if c, err := r.Cookie(s.sessionCookie()); err == nil && c.Value != "" && len(c.Value) <= 100 {
		_ = s.opts.Sessions.DeleteSession(ctx, hashToken(c.Value))
	}
	token := randomToken()
	sess := &domain.Session{
		IDHash: hashToken(token), UserID: u.ID, CSRFToken: randomToken(), TOTPPassed: passed,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: expires,
	}
	if err := s.opts.Sessions.CreateSession(ctx, sess); err != nil {
		return nil, fmt.Errorf("web: create session: %w", err)
	}
	s.setCookie(w, s.sessionCookie(), token, 0)
	s.setCookie(w, s.csrfCookie(), "", -1)
	return sess, nil
}
