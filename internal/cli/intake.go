package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/intake"
)

// runIntake is `presswatch intake export | decrypt`.
func runIntake(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "Usage: presswatch intake export [--out FILE] | intake decrypt --identity FILE [--in EXPORT] [--out DIR]")
		return 2
	}
	switch args[0] {
	case "export":
		return runIntakeExport(ctx, env, args[1:])
	case "decrypt":
		return runIntakeDecrypt(env, args[1:])
	}
	fmt.Fprintf(env.Stderr, "presswatch: unknown intake command %q: use export or decrypt\n", args[0])
	return 2
}

// runIntakeExport writes every report's sealed data (no plaintext) to a
// tar file for the offline key.
func runIntakeExport(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	var out string
	fs := newFlags(env, "intake export", "intake export [--data DIR] [--database URL] [--out FILE]")
	cfg.Register(fs, env.Getenv)
	fs.StringVar(&out, "out", "", "file to write (default: standard output)")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	svc, err := openIntake(&cfg, &Server{DB: db, Logger: newLogger(env.Stderr, cfg.LogLevel)}, intakeOptions{})
	if err != nil {
		return fail(env, err)
	}
	var w io.Writer = env.Stdout
	if out != "" {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fail(env, fmt.Errorf("cannot create %s: %w", out, err))
		}
		defer f.Close()
		w = f
	}
	n, err := svc.Export(ctx, nil, w)
	if err != nil {
		return fail(env, err)
	}
	fmt.Fprintf(env.Stderr, "Exported %d reports (sealed).\n", n)
	return 0
}

// runIntakeDecrypt opens an export on another machine with an identity
// file (age's format: AGE-SECRET-KEY-1… lines).
func runIntakeDecrypt(env *Env, args []string) int {
	var identity, in, out string
	fs := newFlags(env, "intake decrypt", "intake decrypt --identity FILE [--in EXPORT] [--out DIR]")
	fs.StringVar(&identity, "identity", "", "age identity file of the offline key (or an editor's unwrapped key)")
	fs.StringVar(&in, "in", "", "export file (default: standard input)")
	fs.StringVar(&out, "out", "intake-decrypted", "folder to write the plaintext into")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if identity == "" {
		return usageError(env, fs, "--identity is required")
	}
	b, err := os.ReadFile(identity)
	if err != nil {
		return fail(env, fmt.Errorf("cannot read the identity file: %w", err))
	}
	ids, err := age.ParseIdentities(strings.NewReader(string(b)))
	if err != nil {
		return fail(env, fmt.Errorf("%s holds no age identity: %w", identity, err))
	}
	var r io.Reader = env.Stdin
	if in != "" {
		f, err := os.Open(in)
		if err != nil {
			return fail(env, fmt.Errorf("cannot open the export: %w", err))
		}
		defer f.Close()
		r = f
	}
	opened, skipped, err := intake.DecryptExport(r, out, ids...)
	if err != nil {
		return fail(env, err)
	}
	fmt.Fprintf(env.Stdout, "Decrypted %d reports into %s", opened, out)
	if skipped > 0 {
		fmt.Fprintf(env.Stdout, " (%d reports are not sealed to this key)", skipped)
	}
	fmt.Fprintln(env.Stdout)
	if opened == 0 && skipped > 0 {
		return 1
	}
	return 0
}
