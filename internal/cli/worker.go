package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/presswatch/presswatch/internal/config"
)

func runWorker(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	var opt evidenceOptions
	fs := newFlags(env, "worker", "worker [--data DIR] [--database URL] [--screenshots=false] [--proxy socks5://…]")
	cfg.Register(fs, env.Getenv)
	cfg.RegisterNetwork(fs, env.Getenv)
	fs.BoolVar(&opt.screenshots, "screenshots", true, "take screenshots with Chromium when it is installed")
	fs.StringVar(&opt.chromium, "chromium", envOr(env.Getenv, "PRESSWATCH_CHROMIUM", ""), "Chromium binary (default /usr/bin/chromium) (env PRESSWATCH_CHROMIUM)")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(env, fs, "worker takes no arguments, got %q", fs.Arg(0))
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	logger := newLogger(env.Stderr, cfg.LogLevel)
	svc, err := openArchive(&cfg, db, logger, opt)
	if err != nil {
		return fail(env, err)
	}
	client, err := startJobs(ctx, &jobRuntime{Config: &cfg, DB: db, Logger: logger, Archive: svc})
	if err != nil {
		return fail(env, err)
	}
	fmt.Fprintf(env.Stdout, "presswatch %s worker is running; stop it with SIGTERM or Ctrl-C.\n", version())
	<-ctx.Done()
	logger.Info("stopping workers")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := client.Stop(sctx); err != nil {
		return fail(env, fmt.Errorf("stopping the workers: %w", err))
	}
	return 0
}
