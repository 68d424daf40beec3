package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/domain"
)

func runExport(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] != "wacz" {
		fmt.Fprintln(env.Stderr, "Usage: presswatch export wacz (--incident REF | --capture ID…) -o FILE")
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
			return 2
		}
		fmt.Fprintf(env.Stderr, "presswatch: unknown export format %q: use wacz\n", args[0])
		return 2
	}
	return runExportWACZ(ctx, env, args[1:])
}

// idList collects --capture values (repeated or comma-separated).
type idList []int64

func (l *idList) String() string { return fmt.Sprint(*l) }

func (l *idList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("%q is not a capture id", part)
		}
		*l = append(*l, id)
	}
	return nil
}

func runExportWACZ(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	fs := newFlags(env, "export wacz", "export wacz (--incident REF | --capture ID…) -o FILE")
	cfg.Register(fs, env.Getenv)
	incident := fs.String("incident", "", "export every capture made for this incident")
	var ids idList
	fs.Var(&ids, "capture", "capture id to export (repeat, or separate with commas)")
	out := fs.String("o", "", "the WACZ file to write")
	if code := parse(fs, reorder(args)); code >= 0 {
		return code
	}
	switch {
	case fs.NArg() > 0:
		return usageError(env, fs, "export wacz takes no arguments, got %q", fs.Arg(0))
	case *out == "":
		return usageError(env, fs, "export wacz needs -o FILE")
	case (*incident == "") == (len(ids) == 0):
		return usageError(env, fs, "export wacz needs either --incident or --capture")
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	svc, err := openArchive(&cfg, db, newLogger(env.Stderr, cfg.LogLevel), evidenceOptions{})
	if err != nil {
		return fail(env, err)
	}
	var captures []*domain.Capture
	if *incident != "" {
		inc, err := db.FindIncidentByRef(ctx, *incident)
		if err != nil {
			return fail(env, fmt.Errorf("no incident %s: %w", *incident, err))
		}
		if captures, err = db.CapturesOfIncident(ctx, inc.ID); err != nil {
			return fail(env, err)
		}
	}
	for _, id := range ids {
		c, err := db.FindCapture(ctx, id)
		if err != nil {
			return fail(env, fmt.Errorf("capture %d: %w", id, err))
		}
		captures = append(captures, c)
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".wacz-*")
	if err != nil {
		return fail(env, fmt.Errorf("cannot write next to %s: %w", *out, err))
	}
	defer os.Remove(tmp.Name())
	n, err := svc.WriteWACZ(ctx, tmp, captures)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(env, err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fail(env, fmt.Errorf("cannot write %s: %w", *out, err))
	}
	fmt.Fprintf(env.Stdout, "Wrote %s: %d captures.\n", *out, n)
	return 0
}
