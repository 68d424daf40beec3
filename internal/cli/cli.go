// Package cli holds presswatch's subcommands. It is the only package that
// imports everything: it reads the configuration, opens the stores and wires
// the concrete types together.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// Env is what a command may touch of the outside world.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// command is one subcommand. run returns the exit code: 0 success, 1
// failure, 2 bad usage.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) int
}

// commands is the whole command surface; each entry lives in its own file.
var commands = map[string]command{
	"serve":   {"run the web server (and background workers)", runServe},
	"migrate": {"apply database migrations", runMigrate},
	"user":    {"manage staff accounts: user add | user passwd", runUser},
	"version": {"print the version", runVersion},
	"log":     {"the public log: log key | log cosign FILE | log restore --from URL|DIR", runLog},
	"verify":  {"verify a public log offline from its files: verify --log URL|DIR --key KEY", runVerify},
	"capture": {"capture a URL as evidence (WARC, text, screenshot): capture URL [--incident REF]", runCapture},
	"extract": {"print the article text and metadata of an HTML file or URL", runExtract},
	"export":  {"export captures: export wacz (--incident REF | --capture ID…) -o FILE", runExport},
	"worker":  {"run only the background job workers (captures, monitoring) until stopped", runWorker},
	"mirror":  {"static mirrors: mirror build --out DIR [--check] [--archive FILE] | mirror watch --mirror URL", runMirror},
	"intake":  {"anonymous intake: intake export | intake decrypt (offline key)", runIntake},
	"outlet":  {"monitored news outlets: outlet add | list | remove SLUG | import FILE.csv", runOutlet},
	"monitor": {"watch outlets: monitor run --once [--recheck-all] | monitor events [--format json]", runMonitor},
}

// Run runs presswatch with args (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Getenv: getenv, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "presswatch: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return cmd.run(ctx, env, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "presswatch documents censorship of the media.\n\nUsage: presswatch COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'presswatch COMMAND -h' for a command's flags.")
}

// newFlags returns a flag set that prints its usage to env.Stderr.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: presswatch %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; it returns the exit code to use when parsing stops the
// command (2 for bad usage, 0 for -h), or -1 to go on.
func parse(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	return -1
}

// fail prints one sentence for err and returns exit code 1. Known domain
// errors print their message; others print the error text, which on the
// command line is for the operator.
func fail(env *Env, err error) int {
	msg := err.Error()
	var de *domain.Error
	if errors.As(err, &de) {
		msg = de.Message
		for field, p := range de.Fields {
			msg += fmt.Sprintf("\n  %s: %s", field, p)
		}
	}
	fmt.Fprintf(env.Stderr, "presswatch: %s\n", strings.TrimSpace(msg))
	return 1
}

// usageError prints a usage problem and returns exit code 2.
func usageError(env *Env, fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(env.Stderr, "presswatch: "+format+"\n\n", args...)
	fs.Usage()
	return 2
}

// newLogger returns a text logger at level writing to w.
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch level {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// isTerminal reports whether w is a terminal (for progress bars).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
