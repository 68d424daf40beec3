package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// Mirrors is the instance's list of mirrors and its onion address
// (*mirror.Directory has it): the store plus a cached read for the footer of
// every public page.
type Mirrors interface {
	domain.MirrorStore
	// Cached returns every mirror and the onion address, possibly a few
	// seconds old; the caller must not modify them.
	Cached(ctx context.Context) ([]*domain.Mirror, string, error)
}

// MirrorFooter is the "if this site is blocked, use …" line of public
// pages.
type MirrorFooter struct {
	Links []MirrorLink
	Onion string
}

// MirrorLink is one public mirror in the footer; Href is empty for a note.
type MirrorLink struct {
	Href, Label, Kind string
}

// mirrorPage fills the footer's mirrors on public pages and, on back-office
// pages, adds an alert when a watched mirror is stale, altered or out of
// reach.
func (s *Server) mirrorPage(r *http.Request, p *Page) {
	if s.opts.Mirrors == nil {
		return
	}
	if p.Admin && p.Staff == nil {
		return
	}
	list, onion, err := s.opts.Mirrors.Cached(r.Context())
	if err != nil {
		s.log.Warn("web: mirrors", "err", err)
		return
	}
	if p.Admin {
		var bad []string
		for _, m := range list {
			if m.Alerting() {
				bad = append(bad, mirrorName(m)+" ("+m.State+")")
			}
		}
		if len(bad) > 0 {
			alert := p.L.T("admin.mirrors.alert") + " " + strings.Join(bad, ", ") + "."
			if p.Alert != "" {
				alert = p.Alert + " " + alert
			}
			p.Alert = alert
		}
		return
	}
	f := &MirrorFooter{Onion: onion}
	for _, m := range list {
		if !m.Public {
			continue
		}
		f.Links = append(f.Links, MirrorLink{Href: m.URL, Label: mirrorName(m), Kind: m.Kind})
	}
	if len(f.Links) > 0 || f.Onion != "" {
		p.MirrorLinks = f
	}
}

func mirrorName(m *domain.Mirror) string {
	if m.Label != "" {
		return m.Label
	}
	return m.URL
}

// MirrorsView is /admin/mirrors: the list with each mirror's last watch, a
// form to add one and the onion address.
type MirrorsView struct {
	Page
	Mirrors  []*domain.Mirror
	Kinds    []Option
	Form     domain.Mirror
	Problems map[string]string
	Onion    string
	OnionErr string
	CanEdit  bool
}

// MirrorEditView is /admin/mirrors/{id}.
type MirrorEditView struct {
	Page
	Form     domain.Mirror
	Kinds    []Option
	Problems map[string]string
}

var mirrorNotices = map[string]string{
	"created": "Mirror added.",
	"saved":   "Mirror saved.",
	"deleted": "Mirror removed.",
	"onion":   "Onion address saved.",
}

func (s *Server) mirrorsOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Mirrors == nil {
			s.notFound(w, r)
			return
		}
		h(w, r)
	}
}

func mirrorKinds() []Option {
	return options(domain.MirrorKinds, nil, func(c string) string { return c })
}

func (s *Server) handleAdminMirrors(w http.ResponseWriter, r *http.Request) {
	s.renderMirrors(w, r, http.StatusOK, domain.Mirror{Kind: domain.MirrorCDN, Public: true}, nil, "", nil)
}

func (s *Server) renderMirrors(w http.ResponseWriter, r *http.Request, status int, form domain.Mirror, problems map[string]string, onionErr string, onion *string) {
	list, err := s.opts.Mirrors.ListMirrors(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := MirrorsView{Page: s.page(r, "Mirrors"), Mirrors: list, Kinds: mirrorKinds(), Form: form, Problems: problems,
		OnionErr: onionErr}
	v.CanEdit = v.Can(actionManageUsers)
	v.Notice = mirrorNotices[r.URL.Query().Get("ok")]
	if onion != nil {
		v.Onion = *onion
	} else if v.Onion, err = s.opts.Mirrors.OnionAddress(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "admin_mirrors", &v)
}

func mirrorForm(r *http.Request) domain.Mirror {
	pf := r.PostForm
	return domain.Mirror{URL: strings.TrimSpace(pf.Get("url")), Kind: pf.Get("kind"), Label: strings.TrimSpace(pf.Get("label")),
		Public: pf.Get("public") != ""}
}

func (s *Server) handleAdminMirrorCreate(w http.ResponseWriter, r *http.Request) {
	m := mirrorForm(r)
	err := s.opts.Mirrors.CreateMirror(r.Context(), userOf(r), &m)
	switch domain.ErrorCode(err) {
	case "":
		s.redirect(w, r, "/admin/mirrors?ok=created")
	case domain.EINVALID:
		s.renderMirrors(w, r, http.StatusBadRequest, m, domain.ErrorFields(err), "", nil)
	default:
		s.fail(w, r, err)
	}
}

func mirrorID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.ENOTFOUND, "Mirror not found.")
	}
	return id, nil
}

func (s *Server) handleAdminMirrorEdit(w http.ResponseWriter, r *http.Request) {
	id, err := mirrorID(r)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	m, err := s.opts.Mirrors.FindMirror(r.Context(), id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_mirror_edit", &MirrorEditView{Page: s.page(r, "Edit mirror"), Form: *m, Kinds: mirrorKinds()})
}

func (s *Server) handleAdminMirrorUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := mirrorID(r)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	m := mirrorForm(r)
	m.ID = id
	err = s.opts.Mirrors.UpdateMirror(r.Context(), userOf(r), &m)
	switch domain.ErrorCode(err) {
	case "":
		s.redirect(w, r, "/admin/mirrors?ok=saved")
	case domain.EINVALID:
		s.render(w, r, http.StatusBadRequest, "admin_mirror_edit", &MirrorEditView{Page: s.page(r, "Edit mirror"), Form: m,
			Kinds: mirrorKinds(), Problems: domain.ErrorFields(err)})
	default:
		s.failObject(w, r, err)
	}
}

func (s *Server) handleAdminMirrorDelete(w http.ResponseWriter, r *http.Request) {
	id, err := mirrorID(r)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	if err := s.opts.Mirrors.DeleteMirror(r.Context(), userOf(r), id); err != nil {
		s.failObject(w, r, err)
		return
	}
	s.redirect(w, r, "/admin/mirrors?ok=deleted")
}

func (s *Server) handleAdminMirrorOnion(w http.ResponseWriter, r *http.Request) {
	addr := strings.TrimSpace(r.PostForm.Get("onion"))
	err := s.opts.Mirrors.SetOnionAddress(r.Context(), userOf(r), addr)
	switch domain.ErrorCode(err) {
	case "":
		s.redirect(w, r, "/admin/mirrors?ok=onion")
	case domain.EINVALID:
		s.renderMirrors(w, r, http.StatusBadRequest, domain.Mirror{Kind: domain.MirrorCDN, Public: true}, nil,
			domain.ErrorFields(err)["onion"], &addr)
	default:
		s.fail(w, r, err)
	}
}
