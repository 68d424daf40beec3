package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/presswatch/presswatch/internal/blob"
	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/evidence"
	"github.com/presswatch/presswatch/internal/safehttp"
)

func runCapture(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	var opt evidenceOptions
	fs := newFlags(env, "capture", "capture URL [--incident REF] [--screenshots=false] [--insecure-allow-private-addresses] [--proxy socks5://…]")
	cfg.Register(fs, env.Getenv)
	cfg.RegisterNetwork(fs, env.Getenv)
	incident := fs.String("incident", "", "link the capture to this incident (its reference, e.g. PK-2024-0153)")
	fs.BoolVar(&opt.screenshots, "screenshots", true, "take a screenshot and rendered DOM with Chromium when it is installed")
	fs.StringVar(&opt.chromium, "chromium", envOr(env.Getenv, "PRESSWATCH_CHROMIUM", ""), "Chromium binary (default /usr/bin/chromium) (env PRESSWATCH_CHROMIUM)")
	if code := parse(fs, reorder(args)); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(env, fs, "capture needs exactly one URL")
	}
	raw := strings.TrimSpace(fs.Arg(0))
	if err := evidence.CheckURL(raw); err != nil {
		return usageError(env, fs, "%s", domain.ErrorMessage(err))
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
	c := &domain.Capture{URL: raw}
	if *incident != "" {
		inc, err := db.FindIncidentByRef(ctx, *incident)
		if err != nil {
			return fail(env, fmt.Errorf("no incident %s: %w", *incident, err))
		}
		c.IncidentID, c.IncidentRef = inc.ID, inc.Ref
	}
	fmt.Fprintf(env.Stderr, "Capturing %s …\n", raw)
	done, err := svc.CaptureNow(ctx, c)
	if err != nil {
		return fail(env, err)
	}
	w := env.Stdout
	fmt.Fprintf(w, "capture %d: %s\n", done.ID, done.State)
	fmt.Fprintf(w, "url:          %s\n", done.URL)
	if done.FinalURL != "" && done.FinalURL != done.URL {
		fmt.Fprintf(w, "final url:    %s\n", done.FinalURL)
	}
	if done.Status != 0 {
		fmt.Fprintf(w, "status:       %d\n", done.Status)
	}
	if done.Error != "" {
		fmt.Fprintf(w, "error:        %s\n", done.Error)
	}
	fmt.Fprintf(w, "fetched at:   %s\n", done.FetchedAt.UTC().Format("2006-01-02T15:04:05Z"))
	fmt.Fprintf(w, "body sha256:  %s\n", done.BodySHA256)
	fmt.Fprintf(w, "text sha256:  %s\n", done.TextSHA256)
	if done.ScreenshotSHA256 != "" {
		fmt.Fprintf(w, "screenshot:   %s\n", done.ScreenshotSHA256)
	}
	if done.RevisitOf != 0 {
		fmt.Fprintf(w, "unchanged since capture %d (revisit record)\n", done.RevisitOf)
	}
	if done.WARCSHA256 != "" {
		fmt.Fprintf(w, "warc sha256:  %s (%d bytes)\n", done.WARCSHA256, done.WARCSize)
		if bs, err := blob.Open(blobDir(&cfg)); err == nil {
			fmt.Fprintf(w, "warc file:    %s\n", bs.Path(done.WARCSHA256))
		}
	}
	if done.State == domain.CaptureFailed {
		if strings.Contains(done.Error, safehttp.ErrBlockedAddress.Error()) {
			fmt.Fprintln(env.Stderr, refusedPrivate)
		} else {
			fmt.Fprintf(env.Stderr, "presswatch: the capture failed: %s (the failure is recorded as capture %d)\n", done.Error, done.ID)
		}
		return 1
	}
	return 0
}

// refusedPrivate explains a fetch safehttp refused.
const refusedPrivate = "presswatch: refused: the address is private, loopback, link-local or otherwise internal, and presswatch does not fetch such addresses " +
	"(use --insecure-allow-private-addresses only for tests and isolated networks). The refusal is recorded as a failed capture."

// reorder moves flags after positional arguments to the front, so that
// "capture URL --incident X" parses like "capture --incident X URL".
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
			// A flag given as "--name value" takes the next argument,
			// unless it is boolean-looking or has "=".
			if !strings.Contains(a, "=") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && takesValue(a) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

// takesValue reports whether a flag of our commands takes a value.
func takesValue(flag string) bool {
	switch strings.TrimLeft(flag, "-") {
	case "insecure-allow-private-addresses", "screenshots", "h", "help":
		return false
	}
	return true
}
