package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/ledger"
	"golang.org/x/mod/sumdb/note"
)

const logUsage = `Usage:
  presswatch log key [--data DIR] [--log-key FILE] [--log-origin ORIGIN]
  presswatch log cosign [--data DIR] [--database URL] --log-witnesses KEY[,KEY] FILE
  presswatch log restore [--data DIR] [--database URL] --from URL|DIR`

// runLog runs the `presswatch log` commands: key prints the public log's
// verifier key (creating the signing key when the instance has none yet),
// cosign adds a witness's cosigned checkpoint, restore puts back entries a
// restored older database lost.
func runLog(ctx context.Context, env *Env, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "key":
			return runLogKey(ctx, env, args[1:])
		case "cosign":
			return runLogCosign(ctx, env, args[1:])
		case "restore":
			return runLogRestore(ctx, env, args[1:])
		case "-h", "--help", "help":
			fmt.Fprintln(env.Stderr, logUsage)
			return 0
		}
	}
	fmt.Fprintln(env.Stderr, logUsage)
	return 2
}

func runLogKey(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	var opt logOptions
	fs := newFlags(env, "log key", "log key [--data DIR] [--log-key FILE] [--log-origin ORIGIN]")
	fs.StringVar(&cfg.DataDir, "data", envOr(env.Getenv, "PRESSWATCH_DATA", "./presswatch-data"), "data folder (env PRESSWATCH_DATA)")
	opt.register(fs, env.Getenv)
	if code := parse(fs, args); code >= 0 {
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

// runLogCosign adds a witness's cosigned checkpoint (a file, or - for
// standard input) to the published checkpoint, offline.
func runLogCosign(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	var opt logOptions
	fs := newFlags(env, "log cosign", "log cosign [--data DIR] [--database URL] --log-witnesses KEY[,KEY] FILE|-")
	cfg.Register(fs, env.Getenv)
	opt.register(fs, env.Getenv)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(env, fs, "log cosign takes one file: the cosigned checkpoint note")
	}
	var b []byte
	var err error
	if fs.Arg(0) == "-" {
		b, err = readAllLimited(env.Stdin, ledger.MaxCosignedNote)
	} else {
		b, err = readFileLimited(fs.Arg(0), ledger.MaxCosignedNote)
	}
	if err != nil {
		return fail(env, err)
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	lg, _, err := openLog(&cfg, opt, db)
	if err != nil {
		return fail(env, err)
	}
	if err := lg.AddCosignature(ctx, b); err != nil {
		return fail(env, err)
	}
	cos, err := lg.Cosignatures(ctx)
	if err != nil {
		return fail(env, err)
	}
	tree, _ := lg.PublishedTree(ctx)
	fmt.Fprintf(env.Stdout, "The checkpoint of size %d now carries %d witness cosignature(s):\n", tree.Size, len(cos))
	for _, c := range cos {
		fmt.Fprintf(env.Stdout, "  %s  %s\n", c.Name, c.Time.Format("2006-01-02T15:04:05Z"))
	}
	return 0
}

// runLogRestore puts back the entries an older database lost, from a copy
// of the public files, when they make exactly the last signed root.
func runLogRestore(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	var opt logOptions
	fs := newFlags(env, "log restore", "log restore [--data DIR] [--database URL] --from URL|DIR")
	cfg.Register(fs, env.Getenv)
	cfg.RegisterNetwork(fs, env.Getenv)
	opt.register(fs, env.Getenv)
	from := fs.String("from", "", "a copy of the public log: its URL (https://news.example.org/log) or a mirror folder")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(env, fs, "log restore takes no arguments, got %q", fs.Arg(0))
	}
	if *from == "" {
		return usageError(env, fs, "log restore needs --from URL|DIR")
	}
	src, err := openRestoreSource(&cfg, *from)
	if err != nil {
		return fail(env, err)
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	lg, _, err := openLog(&cfg, opt, db)
	if err != nil {
		return fail(env, err)
	}
	before, err := lg.Size(ctx)
	if err != nil {
		return fail(env, err)
	}
	last, err := readLastSigned(&cfg, lg)
	if err != nil {
		return fail(env, err)
	}
	if last == nil {
		fmt.Fprintf(env.Stdout, "Nothing to restore: this instance has not signed a checkpoint yet (log size %d).\n", before)
		return 0
	}
	if before >= last.Size {
		fmt.Fprintf(env.Stdout, "Nothing to restore: the log (size %d) already reaches the last signed checkpoint (size %d).\n", before, last.Size)
		return 0
	}
	fmt.Fprintf(env.Stdout, "The database's log has %d entries; the last signed checkpoint has %d. Reading entries %d to %d from %s…\n",
		before, last.Size, before, last.Size-1, *from)
	n, err := lg.RestoreFrom(ctx, src)
	if err != nil {
		fmt.Fprintf(env.Stderr, "presswatch: restore FAILED, nothing was appended: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.Stdout, "Restored %d entries (%d to %d): the tree of size %d has the last signed root %s again.\n",
		n, before, before+int64(n)-1, last.Size, last.Hash)
	fmt.Fprintln(env.Stdout, "Signing resumes on its own (a running serve picks it up within its --log-interval); entries published meanwhile follow in the outbox.")
	return 0
}

// readLastSigned reads <data>/log/last-signed, checked with the log's key;
// nil when the instance never signed.
func readLastSigned(cfg *config.Config, lg *ledger.Log) (*ledger.Checkpoint, error) {
	b, err := os.ReadFile(filepath.Join(logDir(cfg), ledger.LastSignedFile))
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(lg.VerifierKey())
	if err != nil {
		return nil, err
	}
	c, _, err := ledger.OpenCheckpoint(b, v)
	if err != nil {
		return nil, fmt.Errorf("the last signed checkpoint %s: %w", filepath.Join(logDir(cfg), ledger.LastSignedFile), err)
	}
	return &c, nil
}
