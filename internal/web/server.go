package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/presswatch/presswatch/internal/domain"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

//go:embed i18n/*.json
var i18nFS embed.FS

// Options configure a Server. Service, Public and Sessions are required.
type Options struct {
	Service  Editorial
	Public   domain.PublicStore
	Sessions domain.SessionStore
	Logger   *slog.Logger
	// Secure means the site is served over TLS: the session cookie is then
	// named __Host-presswatch and marked Secure.
	Secure bool
	// Ping reports whether the database answers (for /healthz).
	Ping func(ctx context.Context) error
	Now  domain.Clock
	// Mounts adds handlers owned by other packages under a path prefix
	// (e.g. "/log/"). They get the security headers and panic recovery.
	Mounts map[string]http.Handler
	// CountryName returns a country's name in a locale; nil shows codes.
	CountryName func(code, locale string) string
	// Captures serves the evidence pages (/captures/…) and the capture
	// button of the back office; nil turns them off.
	Captures Captures
	// Stats serves /stats and /map; nil uses Public when it implements
	// domain.StatsStore.
	Stats domain.StatsStore

	// The public log (optional): Log feeds the /log page, LogContent serves
	// the exact public content a log entry hashes, LogProblem says why the
	// log is read-only ("" when it is not), shown as a back-office banner.
	Log        func(ctx context.Context) (*LogInfo, error)
	LogContent func(ctx context.Context, path string) ([]byte, error)
	LogProblem func() string

	// IdleTimeout and AbsoluteTimeout bound staff sessions (defaults 30
	// minutes and 12 hours).
	// Intake serves /submit and /admin/intake (anonymous intake); nil
	// turns both off.
	Intake Intake
	// Stories serves /stories, /safebox and their back office; nil turns
	// them off.
	Stories Stories
	// Mirrors is the list of the instance's mirrors and its onion address
	// (footer of public pages, /mirrors.json, /admin/mirrors); nil turns
	// them off.
	Mirrors Mirrors
	// Monitor serves /outlets, /admin/outlets and /admin/detections (the
	// monitor's pages); nil turns them off.
	Monitor Monitor

	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
}

// Server is the HTTP handler of the public site and the back office.
type Server struct {
	opts    Options
	log     *slog.Logger
	now     domain.Clock
	pages   *pages
	cat     *catalogs
	handler http.Handler
	routes  []route
	static  fs.FS
	md      goldmark.Markdown
	policy  *bluemonday.Policy
	asides  pageCache               // the list's filter form and facets per filter (list_aside.go)
	layouts map[string]*LayoutParts // by locale (layout.go)
	bodies  bodyMemo                // incident bodies rendered from markdown (present.go)
}

// New builds a Server: it parses the templates and catalogs once.
func New(o Options) (*Server, error) {
	if o.Service == nil || o.Public == nil || o.Sessions == nil {
		return nil, errors.New("web: Service, Public and Sessions are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Ping == nil {
		o.Ping = func(context.Context) error { return nil }
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 30 * time.Minute
	}
	if o.AbsoluteTimeout <= 0 {
		o.AbsoluteTimeout = 12 * time.Hour
	}
	cat, err := loadCatalogs(i18nFS)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, log: o.Logger, now: o.Now, cat: cat, static: staticSub(),
		md:     goldmark.New(goldmark.WithExtensions(extension.Linkify, extension.Strikethrough, extension.Table)),
		policy: bluemonday.UGCPolicy().RequireNoFollowOnLinks(true).AddTargetBlankToFullyQualifiedLinks(false),
	}
	s.pages, err = parsePages(templateFS)
	if err != nil {
		return nil, err
	}
	if s.layouts, err = s.renderLayouts(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		mux.Handle(rt.pattern, rt.handler)
	}
	for prefix, h := range o.Mounts {
		if !strings.HasPrefix(prefix, "/") {
			return nil, fmt.Errorf("web: mount %q must start with /", prefix)
		}
		mux.Handle(prefix, h)
	}
	s.handler = s.scrubSource(s.secureHeaders(s.recoverer(s.crossOrigin(s.localize(mux)))))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func staticSub() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded folder always exists
	}
	return sub
}
