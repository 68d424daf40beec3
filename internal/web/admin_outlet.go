package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// OutletsAdminView is /admin/outlets: every outlet with its counts and a
// form to add one.
type OutletsAdminView struct {
	Page
	Outlets  []*OutletInfo
	Form     OutletForm
	Problems map[string]string
	CanEdit  bool
}

// OutletEditView is /admin/outlets/{slug}: the outlet's settings.
type OutletEditView struct {
	Page
	Slug     string
	Form     OutletForm
	Problems map[string]string
	Outlet   *OutletInfo
}

// OutletForm is the outlet form as typed (re-rendered with its problems).
type OutletForm struct {
	Slug, Name, Homepage, Country, Language string
	Feeds, Sitemaps                         string // one URL per line
	PollEvery                               string // Go duration, "" for the default
	IgnoreRobots                            bool
}

var outletNotices = map[string]string{
	"created": "Outlet added: its feeds and sitemaps answered.",
	"saved":   "Outlet saved.",
	"removed": "Outlet removed: its articles are no longer watched; its detections stay.",
}

func outletFormOf(o *OutletInfo) OutletForm {
	f := OutletForm{Slug: o.Slug, Name: o.Name, Homepage: o.Homepage, Country: o.Country, Language: o.Language,
		Feeds: strings.Join(o.Feeds, "\n"), Sitemaps: strings.Join(o.Sitemaps, "\n"), IgnoreRobots: o.IgnoreRobots}
	if o.PollEvery > 0 {
		f.PollEvery = o.PollEvery.String()
	}
	return f
}

func readOutletForm(r *http.Request) OutletForm {
	pf := r.PostForm
	return OutletForm{Slug: strings.TrimSpace(pf.Get("slug")), Name: strings.TrimSpace(pf.Get("name")),
		Homepage: strings.TrimSpace(pf.Get("homepage")), Country: strings.ToUpper(strings.TrimSpace(pf.Get("country"))),
		Language: strings.TrimSpace(pf.Get("language")), Feeds: pf.Get("feeds"), Sitemaps: pf.Get("sitemaps"),
		PollEvery: strings.TrimSpace(pf.Get("poll_every")), IgnoreRobots: pf.Get("ignore_robots") == "1"}
}

// Outlet checks the form's syntax and returns the outlet with its problems
// by field. Addresses are normalised and the feeds fetched by the Monitor.
func (f OutletForm) Outlet() (*OutletInfo, map[string]string) {
	p := map[string]string{}
	o := &OutletInfo{Slug: f.Slug, Name: f.Name, Homepage: f.Homepage, Country: f.Country, Language: f.Language,
		Feeds: splitLines(f.Feeds), Sitemaps: splitLines(f.Sitemaps), IgnoreRobots: f.IgnoreRobots}
	if o.Name == "" {
		p["name"] = "Give the outlet's name."
	} else if len(o.Name) > 200 {
		p["name"] = "At most 200 characters."
	}
	if o.Homepage == "" {
		p["homepage"] = "Give the home page's address."
	} else if !domain.ValidWebURL(o.Homepage) {
		p["homepage"] = "Not an http or https address."
	}
	if o.Country != "" && (len(o.Country) != 2 || strings.Trim(o.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		p["country"] = "A two-letter ISO 3166-1 code, e.g. PK."
	}
	if len(o.Language) > 35 {
		p["language"] = "A BCP 47 tag, e.g. ur."
	}
	for _, l := range []struct {
		field string
		list  []string
	}{{"feeds", o.Feeds}, {"sitemaps", o.Sitemaps}} {
		if len(l.list) > 20 {
			p[l.field] = "At most 20 addresses."
		}
		for _, u := range l.list {
			if !domain.ValidWebURL(u) {
				p[l.field] = "Not an http or https address: " + u
				break
			}
		}
	}
	if len(o.Feeds)+len(o.Sitemaps) == 0 && p["feeds"] == "" {
		p["feeds"] = "Give at least one feed or sitemap: the monitor discovers articles there."
	}
	if f.PollEvery != "" {
		d, err := time.ParseDuration(f.PollEvery)
		switch {
		case err != nil:
			p["poll_every"] = "A duration such as 30m or 2h."
		case d < 5*time.Minute || d > 7*24*time.Hour:
			p["poll_every"] = "Between 5m and 168h."
		default:
			o.PollEvery = d
		}
	}
	return o, p
}

func (s *Server) handleAdminOutlets(w http.ResponseWriter, r *http.Request) {
	s.renderAdminOutlets(w, r, http.StatusOK, OutletForm{}, nil)
}

func (s *Server) renderAdminOutlets(w http.ResponseWriter, r *http.Request, status int, f OutletForm, problems map[string]string) {
	list, err := s.opts.Monitor.Outlets(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := OutletsAdminView{Page: s.page(r, "Outlets"), Outlets: list, Form: f, Problems: problems}
	v.CanEdit = v.Can(actionEdit)
	v.Notice = outletNotices[r.URL.Query().Get("ok")]
	s.render(w, r, status, "admin_outlets", &v)
}

// saveOutlet validates the form, fetches the feeds and sitemaps, and
// saves; it returns the problems to re-render the form with.
func (s *Server) saveOutlet(r *http.Request, f OutletForm, create bool) (*OutletInfo, map[string]string, error) {
	o, problems := f.Outlet()
	if len(problems) > 0 {
		return o, problems, nil
	}
	if p := s.opts.Monitor.CheckOutlet(r.Context(), o); len(p) > 0 {
		return o, p, nil
	}
	err := s.opts.Monitor.SaveOutlet(r.Context(), userOf(r), o, create)
	if err != nil && (domain.IsCode(err, domain.EINVALID) || domain.IsCode(err, domain.ECONFLICT)) {
		p := domain.ErrorFields(err)
		if len(p) == 0 {
			field := "name"
			if domain.IsCode(err, domain.ECONFLICT) {
				field = "slug"
			}
			p = map[string]string{field: domain.ErrorMessage(err)}
		}
		return o, p, nil
	}
	return o, nil, err
}

func (s *Server) handleAdminOutletCreate(w http.ResponseWriter, r *http.Request) {
	f := readOutletForm(r)
	_, problems, err := s.saveOutlet(r, f, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(problems) > 0 {
		s.renderAdminOutlets(w, r, http.StatusBadRequest, f, problems)
		return
	}
	s.redirect(w, r, "/admin/outlets?ok=created")
}

func (s *Server) handleAdminOutletEdit(w http.ResponseWriter, r *http.Request) {
	o, err := s.opts.Monitor.Outlet(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	s.renderOutletEdit(w, r, http.StatusOK, o, outletFormOf(o), nil)
}

func (s *Server) renderOutletEdit(w http.ResponseWriter, r *http.Request, status int, o *OutletInfo, f OutletForm, problems map[string]string) {
	v := OutletEditView{Page: s.page(r, "Outlet "+o.Name), Slug: o.Slug, Outlet: o, Form: f, Problems: problems}
	v.Notice = outletNotices[r.URL.Query().Get("ok")]
	s.render(w, r, status, "admin_outlet_edit", &v)
}

func (s *Server) handleAdminOutletUpdate(w http.ResponseWriter, r *http.Request) {
	cur, err := s.opts.Monitor.Outlet(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	f := readOutletForm(r)
	f.Slug = cur.Slug // the slug is the outlet's key: it does not change
	_, problems, err := s.saveOutlet(r, f, false)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	if len(problems) > 0 {
		s.renderOutletEdit(w, r, http.StatusBadRequest, cur, f, problems)
		return
	}
	s.redirect(w, r, "/admin/outlets/"+cur.Slug+"?ok=saved")
}

func (s *Server) handleAdminOutletRemove(w http.ResponseWriter, r *http.Request) {
	if err := s.opts.Monitor.RemoveOutlet(r.Context(), userOf(r), r.PathValue("slug")); err != nil {
		s.failObject(w, r, err)
		return
	}
	s.redirect(w, r, "/admin/outlets?ok=removed")
}
