package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/monitor"
	"github.com/presswatch/presswatch/internal/store"
)

func runMonitor(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "Usage: presswatch monitor run --once [--recheck-all] | monitor events [--format json]")
		return 2
	}
	switch args[0] {
	case "run":
		return runMonitorRun(ctx, env, args[1:])
	case "events":
		return runMonitorEvents(ctx, env, args[1:])
	}
	fmt.Fprintf(env.Stderr, "presswatch: unknown monitor command %q (run, events)\n", args[0])
	return 2
}

// nowFlagHelp documents the hidden test clock.
const nowFlagHelp = "run the round as if it were this time (RFC 3339); for tests with a simulated clock"

func runMonitorRun(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	fs := newFlags(env, "monitor run", "monitor run --once [--recheck-all] [--insecure-allow-private-addresses]")
	cfg.Register(fs, env.Getenv)
	cfg.RegisterNetwork(fs, env.Getenv)
	once := fs.Bool("once", false, "run one full round in the foreground and exit (required; use `presswatch worker` for continuous monitoring)")
	all := fs.Bool("recheck-all", false, "re-check every monitored article now, due or not")
	workers := fs.Int("workers", monitor.DefaultWorkers, "concurrent fetches")
	hostInterval := fs.Duration("host-interval", monitor.DefaultHostInterval, "least time between two requests to one host")
	nowArg := fs.String("now", "", nowFlagHelp)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(env, fs, "monitor run takes no arguments, got %q", fs.Arg(0))
	}
	if !*once {
		return usageError(env, fs, "monitor run needs --once (continuous monitoring runs in `presswatch worker` and `serve`)")
	}
	if *workers < 1 {
		return usageError(env, fs, "--workers must be at least 1")
	}
	now := time.Now().UTC()
	var clock func() time.Time
	if *nowArg != "" {
		t, err := time.Parse(time.RFC3339, *nowArg)
		if err != nil {
			return usageError(env, fs, "--now %q is not an RFC 3339 time", *nowArg)
		}
		now = t.UTC()
		clock = func() time.Time { return now }
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	logger := newLogger(env.Stderr, cfg.LogLevel)
	svc, err := openArchive(&cfg, db, logger, evidenceOptions{})
	if err != nil {
		return fail(env, err)
	}
	mr, err := newMonitor(&cfg, env.Getenv, db, svc, logger, monitorSettings{now: clock, hostInterval: *hostInterval, workers: *workers})
	if err != nil {
		return fail(env, err)
	}
	st, err := mr.Monitor.RunOnce(ctx, now, monitor.RunOptions{RecheckAll: *all})
	printRound(env, st, mr.Captures)
	if err != nil {
		return fail(env, err)
	}
	return 0
}

func printRound(env *Env, st monitor.RoundStats, cf *monitor.CaptureFetcher) {
	w := env.Stdout
	fmt.Fprintf(w, "outlets polled:   %d\n", st.OutletsPolled)
	fmt.Fprintf(w, "new articles:     %d\n", st.NewArticles)
	fmt.Fprintf(w, "re-checks:        %d (%d answered 304 Not Modified)\n", st.Rechecks, st.RecheckNotModified)
	fmt.Fprintf(w, "requests:         %d (%d bytes)\n", st.Fetches, st.Bytes)
	fmt.Fprintf(w, "captures:         %d (%d WARC bytes)\n", cf.Captures.Load(), cf.DiskBytes.Load())
	fmt.Fprintf(w, "errors:           %d\n", st.Errors)
	kinds := make([]string, 0, len(st.ByKind))
	for k, n := range st.ByKind {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	fmt.Fprintf(w, "detections:       %d %s\n", st.Detections, strings.Join(kinds, ", "))
	fmt.Fprintf(w, "duration:         %s\n", st.Duration.Round(time.Millisecond))
}

// EventJSON is one detection in `monitor events --format json`.
type EventJSON struct {
	ID            int64    `json:"id"`
	Kind          string   `json:"kind"`
	URL           string   `json:"url"`
	Outlet        string   `json:"outlet"`
	At            string   `json:"at"`
	Reason        string   `json:"reason"`
	Parts         []string `json:"parts,omitempty"`
	CaptureBefore int64    `json:"capture_before,omitempty"`
	CaptureAfter  int64    `json:"capture_after,omitempty"`
	IncidentID    int64    `json:"incident_id,omitempty"`
	Review        string   `json:"review"`
	WordsChanged  int      `json:"words_changed"`
}

func runMonitorEvents(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	fs := newFlags(env, "monitor events", "monitor events [--format text|json] [--kind K] [--outlet SLUG]")
	cfg.Register(fs, env.Getenv)
	format := fs.String("format", "text", "text or json")
	kind := fs.String("kind", "", "only this kind: deleted, edited, restored, unavailable")
	outlet := fs.String("outlet", "", "only this outlet (slug)")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if *format != "text" && *format != "json" {
		return usageError(env, fs, "--format is text or json, not %q", *format)
	}
	switch monitor.Kind(*kind) {
	case "", monitor.KindDeleted, monitor.KindEdited, monitor.KindRestored, monitor.KindUnavailable:
	default:
		return usageError(env, fs, "--kind is deleted, edited, restored or unavailable, not %q", *kind)
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	ds, err := db.Monitor().FindDetections(ctx, store.DetectionQuery{DetectionFilter: monitor.DetectionFilter{Kind: monitor.Kind(*kind), Outlet: *outlet}, Limit: 100000})
	if err != nil {
		return fail(env, err)
	}
	if *format == "json" {
		out := []EventJSON{}
		for _, d := range ds {
			out = append(out, EventJSON{ID: d.ID, Kind: string(d.Kind), URL: d.URL, Outlet: d.Outlet, At: d.At.UTC().Format(time.RFC3339),
				Reason: d.Reason, Parts: d.Parts, CaptureBefore: d.Before.CaptureID, CaptureAfter: d.After.CaptureID,
				IncidentID: d.IncidentID, Review: d.Review, WordsChanged: d.Diff.WordsChanged})
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fail(env, err)
		}
		return 0
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAT\tKIND\tOUTLET\tREVIEW\tURL\tREASON")
	for _, d := range ds {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.At.UTC().Format("2006-01-02 15:04"), d.Kind, d.Outlet, d.Review, d.URL, d.Reason)
	}
	tw.Flush()
	return 0
}
