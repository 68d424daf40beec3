package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/ledger"
)

// runLog runs `presswatch log key`: it prints the public log's verifier key,
// creating the signing key when the instance has none yet.
func runLog(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] != "key" {
		fmt.Fprintln(env.Stderr, "Usage: presswatch log key [--data DIR] [--log-key FILE] [--log-origin ORIGIN]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return 0
		}
		return 2
	}
	var cfg config.Config
	var opt logOptions
	fs := newFlags(env, "log key", "log key [--data DIR] [--log-key FILE] [--log-origin ORIGIN]")
	fs.StringVar(&cfg.DataDir, "data", envOr(env.Getenv, "PRESSWATCH_DATA", "./presswatch-data"), "data folder (env PRESSWATCH_DATA)")
	opt.register(fs, env.Getenv)
	if code := parse(fs, args[1:]); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(env, fs, "log key takes no arguments, got %q", fs.Arg(0))
	}
	skey, origin, created, err := loadLogKey(&cfg, opt)
	if err != nil {
		return fail(env, err)
	}
	vkey, err := ledger.VerifierKey(skey)
	if err != nil {
		return fail(env, err)
	}
	if created {
		fmt.Fprintf(env.Stderr, "Created the public log's signing key %s for origin %q: back it up offline.\n",
			filepath.Join(logDir(&cfg), ledger.KeyFile), origin)
	}
	fmt.Fprintln(env.Stdout, vkey)
	return 0
}
