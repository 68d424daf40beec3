package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// pages holds one parsed template set per page: the layout, the partials
// and the page's own file. Parsed once, at New.
type pages struct {
	sets map[string]*template.Template
}

var templateFuncs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"seq": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	},
	"join": strings.Join,
	// sel marks the option whose value is cur as selected.
	"sel": func(opts []Option, cur string) []Option {
		out := make([]Option, len(opts))
		for i, o := range opts {
			o.Selected = o.Value == cur
			out[i] = o
		}
		return out
	},
	// selg does the same for grouped options.
	"selg": func(groups []OptGroup, cur string) []OptGroup {
		out := make([]OptGroup, len(groups))
		for i, g := range groups {
			opts := make([]Option, len(g.Options))
			for j, o := range g.Options {
				o.Selected = o.Value == cur
				opts[j] = o
			}
			out[i] = OptGroup{Label: g.Label, Options: opts}
		}
		return out
	},
	// errp returns the first problem whose field name is key or starts
	// with key + ".".
	"errp": func(problems map[string]string, key string) string {
		if m, ok := problems[key]; ok {
			return m
		}
		for k, m := range problems {
			if strings.HasPrefix(k, key+".") {
				return m
			}
		}
		return ""
	},
	"statuslines": func(list []domain.StatusChange) string {
		var b strings.Builder
		for _, c := range list {
			b.WriteString(c.Date + " " + c.Status + "\n")
		}
		return b.String()
	},
	"lines": func(list []string) string { return strings.Join(list, "\n") },
	"fkey":  func(format string, args ...any) string { return fmt.Sprintf(format, args...) },
}

func parsePages(fsys fs.FS) (*pages, error) {
	base, err := template.New("base").Funcs(templateFuncs).ParseFS(fsys, "templates/base.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "base" || name == "partials" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		p.sets[name] = t
	}
	return p, nil
}

// Page is what every page view carries: the localizer, the title, the
// signed-in staff member (back office), the CSRF token and the language
// links.
type Page struct {
	L      *Localizer
	Title  string
	Staff  *domain.User
	CSRF   string
	Admin  bool
	Langs  []LangLink
	Notice string
	Alert  string // back-office banner (e.g. the public log is read-only)

	// MirrorLinks is the footer's "if this site is blocked" list (public pages).
	MirrorLinks *MirrorFooter

	// Layout is the locale's pre-rendered header and footer (public
	// pages; nil: the layout renders them).
	Layout *LayoutParts
}

// LangLink is one entry of the language switch.
type LangLink struct {
	Code, Name, Href string
	Current          bool
}

// Can reports whether the signed-in user may perform action.
func (p Page) Can(action string) bool {
	return p.Staff != nil && !p.Staff.Disabled && domain.Can(p.Staff.Role, action)
}

func (s *Server) page(r *http.Request, title string) Page {
	loc := localeOf(r)
	l := s.cat.localizer(loc)
	p := Page{L: l, Title: title, Admin: strings.HasPrefix(r.URL.Path, "/admin")}
	if !p.Admin {
		p.Layout = s.layouts[loc]
	}
	if st := staffOf(r); st != nil {
		p.Staff = st.user
		p.CSRF = st.sess.CSRFToken
	}
	if p.Admin && p.Staff != nil {
		if problem := s.logProblem(r.Context()); problem != "" {
			p.Alert = l.T("admin.log.readonly") + " " + problem
		}
	}
	q := r.URL.Query()
	q.Del("lang")
	for _, code := range s.cat.locales {
		ll := s.cat.localizer(code)
		href := ll.Path(r.URL.Path)
		if len(q) > 0 {
			href += "?" + q.Encode()
		}
		p.Langs = append(p.Langs, LangLink{Code: code, Name: ll.T("lang.name"), Href: href, Current: code == loc})
	}
	s.mirrorPage(r, &p)
	return p
}

// render executes a page into a buffer, then writes it: a template error
// becomes the generic error page, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, view any) {
	t, ok := s.pages.sets[name]
	var buf bytes.Buffer
	var err error
	if !ok {
		err = fmt.Errorf("web: no template %q", name)
	} else {
		err = t.ExecuteTemplate(&buf, "base", view)
	}
	if err != nil {
		s.log.Error("web: render", "template", name, "err", err)
		if name == "error" {
			http.Error(w, "Internal error.", http.StatusInternalServerError)
			return
		}
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// redirect answers 303 See Other to a site path in the request's locale.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, p string) {
	http.Redirect(w, r, s.cat.localizer(localeOf(r)).Path(p), http.StatusSeeOther)
}

// withParam returns the query string of v with name=value added (or
// removed when remove is true), always dropping the page.
func withParam(v url.Values, name, value string, remove bool) string {
	out := url.Values{}
	for k, vals := range v {
		if k == "page" {
			continue
		}
		for _, x := range vals {
			if remove && k == name && x == value {
				continue
			}
			out.Add(k, x)
		}
	}
	if !remove {
		exists := false
		for _, x := range out[name] {
			exists = exists || x == value
		}
		if !exists {
			out.Add(name, value)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "?" + out.Encode()
}
