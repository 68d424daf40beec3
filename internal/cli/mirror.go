package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/mirror"
	"github.com/presswatch/presswatch/internal/safehttp"
)

// runMirror is `presswatch mirror build | watch`.
func runMirror(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "Usage: presswatch mirror build --out DIR [--base-url URL] [--check] [--archive FILE.tar.zst|.zip]\n       presswatch mirror watch [--mirror URL...] [--once] [--interval 1h]")
		return 2
	}
	switch args[0] {
	case "build":
		return runMirrorBuild(ctx, env, args[1:])
	case "watch":
		return runMirrorWatch(ctx, env, args[1:])
	}
	fmt.Fprintf(env.Stderr, "presswatch: unknown mirror command %q (build, watch)\n", args[0])
	return 2
}

func runMirrorBuild(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	var lopt logOptions
	fs := newFlags(env, "mirror build", "mirror build --out DIR [--base-url URL] [--origin URL] [--check] [--archive FILE.tar.zst|.zip] [--full]")
	cfg.Register(fs, env.Getenv)
	lopt.register(fs, env.Getenv)
	out := fs.String("out", "", "the mirror folder (created; a folder with an earlier mirror is rebuilt incrementally)")
	baseURL := fs.String("base-url", "", "where the mirror will be served (recorded in mirror.json; optional)")
	origin := fs.String("origin", env.Getenv("PRESSWATCH_ORIGIN"), "the instance's own URL, shown on the mirror's about page; links to it become relative (env PRESSWATCH_ORIGIN)")
	check := fs.Bool("check", false, "do not build: verify the mirror folder against its manifest and the instance's log")
	key := fs.String("key", "", "with --check: the log's verifier key (default: the instance's)")
	archive := fs.String("archive", "", "also pack the mirror into this file (.tar.zst or .zip)")
	full := fs.Bool("full", false, "render every page again, not only what the log says changed")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if *out == "" {
		return usageError(env, fs, "mirror build needs --out DIR")
	}
	if *archive != "" {
		if err := mirror.CheckArchiveName(*archive); err != nil {
			return usageError(env, fs, err.Error())
		}
	}
	srv, err := OpenServer(ctx, &Env{Getenv: env.Getenv, Stdin: env.Stdin, Stdout: io.Discard, Stderr: env.Stderr},
		&cfg, serveOptions{addr: "127.0.0.1:0", log: lopt, noJobs: true})
	if err != nil {
		return fail(env, err)
	}
	defer srv.Close()
	lg, _, err := openLog(&cfg, lopt, srv.DB)
	if err != nil {
		return fail(env, err)
	}
	if *check {
		rep, err := mirror.Check(ctx, mirror.CheckOptions{Dir: *out, Log: lg, Key: *key})
		if err != nil {
			return fail(env, err)
		}
		fmt.Fprintf(env.Stdout, "Mirror %s is intact: %d files match mirror.json, %d match the public log; its checkpoint %d is consistent with the instance's %d.\n",
			*out, rep.Files, rep.LoggedFiles, rep.LogSize, rep.InstanceSize)
		return 0
	}
	progress, finish := mirrorProgress(env.Stderr)
	res, err := mirror.Build(ctx, mirror.Options{Handler: srv.http.Handler, Log: lg, Out: *out, BaseURL: *baseURL,
		Origin: *origin, Full: *full, Progress: progress, Version: version()})
	finish()
	if err != nil {
		return fail(env, err)
	}
	kind := "incremental"
	if res.Full {
		kind = "full"
	}
	fmt.Fprintf(env.Stdout, "Mirror %s (%s build): %d files, %d rendered, %d written, %d kept, %d removed, log size %d, in %s.\n",
		*out, kind, res.Files, res.Rendered, len(res.Written), res.Kept, len(res.Removed), res.LogSize, res.Duration.Round(time.Millisecond))
	for _, b := range res.Broken {
		fmt.Fprintf(env.Stderr, "presswatch: warning: the site links to %s; the mirror has a placeholder page there\n", b)
	}
	if *archive != "" {
		if err := mirror.WriteArchive(*out, *archive); err != nil {
			return fail(env, err)
		}
		fmt.Fprintf(env.Stdout, "Archive: %s\n", *archive)
	}
	return 0
}

// mirrorProgress shows a progress bar on a terminal and a plain line every
// 1,000 pages otherwise.
func mirrorProgress(w io.Writer) (func(done, known int), func()) {
	if isTerminal(w) {
		bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("mirror"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(),
			progressbar.OptionThrottle(100*time.Millisecond))
		return func(done, known int) {
				bar.ChangeMax(known)
				_ = bar.Set(done)
			}, func() {
				_ = bar.Finish()
				fmt.Fprintln(w)
			}
	}
	return func(done, known int) {
		if done%1000 == 0 {
			fmt.Fprintf(w, "mirror: %d of %d pages\n", done, known)
		}
	}, func() {}
}

// mirrorList is a repeatable --mirror flag.
type mirrorList []string

func (m *mirrorList) String() string     { return strings.Join(*m, ",") }
func (m *mirrorList) Set(v string) error { *m = append(*m, v); return nil }

var _ flag.Value = (*mirrorList)(nil)

func runMirrorWatch(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	var lopt logOptions
	var mirrors mirrorList
	fs := newFlags(env, "mirror watch", "mirror watch [--mirror URL...] [--once] [--interval 1h] [--max-age 48h]")
	cfg.Register(fs, env.Getenv)
	cfg.RegisterNetwork(fs, env.Getenv)
	lopt.register(fs, env.Getenv)
	fs.Var(&mirrors, "mirror", "check this URL only, not the instance's list, and record nothing (repeat the flag for several)")
	once := fs.Bool("once", false, "check every mirror once, then exit (1 when one is not ok)")
	interval := fs.Duration("interval", time.Hour, "time between two rounds")
	maxAge := fs.Duration("max-age", mirror.DefaultMaxAge, "a mirror older than this that misses log entries is stale")
	sample := fs.Int("sample", 8, "files besides index.html fetched from each mirror and compared with its manifest")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	lg, _, err := openLog(&cfg, lopt, db)
	if err != nil {
		return fail(env, err)
	}
	client := safehttp.New(safehttp.Options{AllowPrivate: cfg.AllowPrivate, Proxy: cfg.Proxy, Timeout: 60 * time.Second,
		MaxBodyBytes: 64 << 20, Logger: newLogger(env.Stderr, cfg.LogLevel)})
	f := mirror.SafeFetcher{Client: client}
	wo := mirror.WatchOptions{MaxAge: *maxAge, SampleFiles: *sample}
	for {
		var results []mirror.WatchResult
		if len(mirrors) > 0 {
			for _, u := range mirrors {
				results = append(results, mirror.WatchOne(ctx, f, lg, u, wo))
			}
		} else {
			results, err = mirror.WatchList(ctx, f, lg, db, mirror.ListOptions{WatchOptions: wo, Proxy: cfg.Proxy != ""})
			if err != nil {
				return fail(env, err)
			}
			if len(results) == 0 {
				fmt.Fprintln(env.Stderr, "presswatch: no mirror to watch: add some at /admin/mirrors, or give --mirror URL")
			}
		}
		bad := 0
		for _, r := range results {
			if r.State != mirror.StateOK {
				bad++
				fmt.Fprintf(env.Stdout, "%s %s size=%d: %s\n", r.State, r.URL, r.Size, r.Problem)
			} else {
				fmt.Fprintf(env.Stdout, "ok %s size=%d built %s, %d files match\n", r.URL, r.Size, r.BuiltAt.Format(time.RFC3339), r.Files)
			}
		}
		if *once {
			if bad > 0 {
				return 1
			}
			return 0
		}
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(*interval):
		}
	}
}
