package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/demo"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/web"
)

// Server is a running presswatch instance: the store, the use cases, the
// web handler and its listener. Tests start the real thing on port 0.
type Server struct {
	DB      *store.DB
	Service *editorial.Service
	Logger  *slog.Logger

	http     *http.Server
	listener net.Listener
	stops    []func() // background work to stop before the database closes
}

// serveOptions are serve's own flags.
type serveOptions struct {
	addr          string
	demo          bool
	migrate       bool
	secureCookies bool
	log           logOptions
	intake        intakeOptions
	mirror        mirrorOptions
	// noJobs leaves the job workers stopped: the process only renders
	// pages (mirror build), and must not poll outlets or capture pages
	// meanwhile.
	noJobs bool
}

func runServe(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	var opt serveOptions
	fs := newFlags(env, "serve", "serve [--addr 127.0.0.1:8080] [--data DIR] [--database URL] [--demo] [--migrate]")
	cfg.Register(fs, env.Getenv)
	cfg.RegisterNetwork(fs, env.Getenv)
	fs.StringVar(&opt.addr, "addr", envOr(env.Getenv, "PRESSWATCH_ADDR", "127.0.0.1:8080"), "address to listen on (env PRESSWATCH_ADDR)")
	fs.BoolVar(&opt.demo, "demo", false, "fill an empty database with fictional demo data")
	fs.BoolVar(&opt.migrate, "migrate", false, "apply pending database migrations before serving")
	fs.BoolVar(&opt.secureCookies, "secure-cookies", env.Getenv("PRESSWATCH_SECURE_COOKIES") == "1", "the site is served over HTTPS (directly or behind a TLS proxy): use __Host- Secure cookies (env PRESSWATCH_SECURE_COOKIES=1)")
	opt.log.register(fs, env.Getenv)
	opt.intake.register(fs, env.Getenv)
	opt.mirror.register(fs)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(env, fs, "serve takes no arguments, got %q", fs.Arg(0))
	}
	srv, err := OpenServer(ctx, env, &cfg, opt)
	if err != nil {
		return fail(env, err)
	}
	defer srv.Close()
	fmt.Fprintf(env.Stdout, "presswatch %s is listening on http://%s\n", version(), srv.Addr())
	if err := srv.Run(ctx); err != nil {
		return fail(env, err)
	}
	return 0
}

// OpenServer opens the store, fills demo data when asked, builds the web
// handler and listens on opt.addr.
func OpenServer(ctx context.Context, env *Env, cfg *config.Config, opt serveOptions) (*Server, error) {
	policy := requireCurrent
	if opt.migrate {
		policy = migrateAll
	}
	db, err := openStore(ctx, cfg, policy)
	if err != nil {
		return nil, err
	}
	logger := newLogger(env.Stderr, cfg.LogLevel)
	s := &Server{DB: db, Logger: logger}
	s.Service = editorial.New(db, db, db, db, db, logger)
	if opt.demo {
		res, err := demo.Seed(ctx, s.Service, demo.Options{})
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("filling the demo data: %w", err)
		}
		if res.Incidents > 0 {
			fmt.Fprintf(env.Stdout, "Demo data: %d published incidents (fictional, marked as demo).\n", res.Incidents)
			fmt.Fprintf(env.Stdout, "Demo admin: %s  one-time password: %s\n", res.AdminEmail, res.AdminPassword)
		}
	}
	webOpts := web.Options{
		Service:  s.Service,
		Public:   db,
		Sessions: db,
		Logger:   logger,
		Secure:   opt.secureCookies,
		Ping:     db.Ping,
	}
	if err := wireLog(ctx, env, cfg, opt.log, s, &webOpts); err != nil {
		s.Close()
		return nil, err
	}
	if err := wireEvidence(ctx, env, cfg, opt, s, &webOpts); err != nil {
		s.Close()
		return nil, err
	}
	if err := wirePublicData(s, &webOpts); err != nil {
		s.Close()
		return nil, err
	}
	if err := wireIntake(ctx, cfg, opt.intake, s, &webOpts); err != nil {
		s.Close()
		return nil, err
	}
	if err := wireStories(ctx, cfg, s, &webOpts); err != nil {
		s.Close()
		return nil, err
	}
	if err := wireMirror(ctx, cfg, opt, s, &webOpts); err != nil {
		s.Close()
		return nil, err
	}
	wireMonitor(env, cfg, s, &webOpts)
	wireMaintenance(ctx, s)
	wirePerf(ctx, s)
	handler, err := web.New(webOpts)
	if err != nil {
		s.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", opt.addr)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("cannot listen on %s (%v): choose another address with --addr", opt.addr, err)
	}
	s.listener = ln
	s.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Run serves until ctx ends, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.listener) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	s.Logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.http.Shutdown(sctx)
}

// Close releases the listener and the database.
func (s *Server) Close() error {
	for _, stop := range s.stops {
		stop()
	}
	s.stops = nil
	if s.listener != nil {
		s.listener.Close()
	}
	if s.DB != nil {
		return s.DB.Close()
	}
	return nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
