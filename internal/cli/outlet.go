package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/monitor"
)

func runOutlet(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "Usage: presswatch outlet add|list|remove|import …")
		return 2
	}
	switch args[0] {
	case "add":
		return runOutletAdd(ctx, env, args[1:])
	case "list":
		return runOutletList(ctx, env, args[1:])
	case "remove":
		return runOutletRemove(ctx, env, args[1:])
	case "import":
		return runOutletImport(ctx, env, args[1:])
	}
	fmt.Fprintf(env.Stderr, "presswatch: unknown outlet command %q (add, list, remove, import)\n", args[0])
	return 2
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runOutletAdd(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	fs := newFlags(env, "outlet add", "outlet add --name N --homepage URL [--feed URL]... [--sitemap URL]... [--country CC] [--language L] [--slug S] [--ignore-robots]")
	cfg.Register(fs, env.Getenv)
	cfg.RegisterNetwork(fs, env.Getenv)
	var feeds, sitemaps listFlag
	name := fs.String("name", "", "the outlet's name")
	home := fs.String("homepage", "", "the outlet's home page URL")
	slug := fs.String("slug", "", "short name in URLs (default: from the home page's host)")
	country := fs.String("country", "", "ISO 3166-1 alpha-2 country code, e.g. PK")
	lang := fs.String("language", "", "BCP 47 language tag, e.g. ur")
	ignore := fs.Bool("ignore-robots", false, "fetch pages robots.txt disallows (shown on the outlet's page)")
	every := fs.Duration("poll-every", 0, "how often feeds and sitemaps are polled (default 1h)")
	fs.Var(&feeds, "feed", "RSS, Atom or JSON Feed URL (repeatable)")
	fs.Var(&sitemaps, "sitemap", "sitemap or sitemap index URL (repeatable)")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(env, fs, "outlet add takes no arguments, got %q", fs.Arg(0))
	}
	if strings.TrimSpace(*name) == "" || strings.TrimSpace(*home) == "" {
		return usageError(env, fs, "outlet add needs --name and --homepage")
	}
	o, err := newOutlet(*name, *home, *slug, *country, *lang, feeds, sitemaps)
	if err != nil {
		return usageError(env, fs, "%v", err)
	}
	o.IgnoreRobots, o.PollEvery = *ignore, *every
	if err := o.Validate(); err != nil {
		return usageError(env, fs, "%s", errMessage(err))
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	if err := db.Monitor().SaveOutlet(ctx, o); err != nil {
		return fail(env, err)
	}
	fmt.Fprintf(env.Stdout, "outlet %s saved: %d feeds, %d sitemaps\n", o.Slug, len(o.Feeds), len(o.Sitemaps))
	return 0
}

func errMessage(err error) string {
	var b strings.Builder
	fail(&Env{Stderr: &b}, err)
	return strings.TrimSpace(strings.TrimPrefix(b.String(), "presswatch: "))
}

// newOutlet normalises the addresses and derives the slug.
func newOutlet(name, home, slug, country, lang string, feeds, sitemaps []string) (monitor.Outlet, error) {
	h, err := monitor.NormalizeURL(home)
	if err != nil {
		return monitor.Outlet{}, fmt.Errorf("--homepage %q is not an http or https URL", home)
	}
	o := monitor.Outlet{Name: strings.TrimSpace(name), Homepage: h, Country: strings.ToUpper(strings.TrimSpace(country)), Language: strings.TrimSpace(lang)}
	for _, l := range []struct {
		flag string
		in   []string
		out  *[]string
	}{{"--feed", feeds, &o.Feeds}, {"--sitemap", sitemaps, &o.Sitemaps}} {
		for _, raw := range l.in {
			n, err := monitor.NormalizeURL(raw)
			if err != nil {
				return o, fmt.Errorf("%s %q is not an http or https URL", l.flag, raw)
			}
			*l.out = append(*l.out, n)
		}
	}
	if o.Country != "" && len(o.Country) != 2 {
		return o, fmt.Errorf("--country %q is not a two-letter ISO 3166-1 code", country)
	}
	o.Slug = monitor.Slugify(slug)
	if o.Slug == "" {
		u, _ := url.Parse(h)
		o.Slug = monitor.Slugify(u.Hostname())
	}
	return o, nil
}

func runOutletList(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	fs := newFlags(env, "outlet list", "outlet list [--format text|json]")
	cfg.Register(fs, env.Getenv)
	format := fs.String("format", "text", "text or json")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if *format != "text" && *format != "json" {
		return usageError(env, fs, "--format is text or json, not %q", *format)
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	outlets, err := db.Monitor().Outlets(ctx)
	if err != nil {
		return fail(env, err)
	}
	if *format == "json" {
		type row struct {
			Slug         string   `json:"slug"`
			Name         string   `json:"name"`
			Country      string   `json:"country,omitempty"`
			Language     string   `json:"language,omitempty"`
			Homepage     string   `json:"homepage"`
			Feeds        []string `json:"feeds"`
			Sitemaps     []string `json:"sitemaps"`
			IgnoreRobots bool     `json:"ignore_robots"`
			PollEvery    string   `json:"poll_every,omitempty"`
			Articles     int      `json:"articles"`
		}
		rows := []row{}
		for _, o := range outlets {
			n, _ := db.Monitor().CountArticles(ctx, o.Slug)
			r := row{Slug: o.Slug, Name: o.Name, Country: o.Country, Language: o.Language, Homepage: o.Homepage,
				Feeds: append([]string{}, o.Feeds...), Sitemaps: append([]string{}, o.Sitemaps...), IgnoreRobots: o.IgnoreRobots, Articles: n}
			if o.PollEvery > 0 {
				r.PollEvery = o.PollEvery.String()
			}
			rows = append(rows, r)
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return fail(env, err)
		}
		return 0
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tCOUNTRY\tFEEDS\tSITEMAPS\tARTICLES\tROBOTS\tHOMEPAGE")
	for _, o := range outlets {
		n, _ := db.Monitor().CountArticles(ctx, o.Slug)
		robots := "obeyed"
		if o.IgnoreRobots {
			robots = "IGNORED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", o.Slug, o.Name, o.Country, len(o.Feeds), len(o.Sitemaps), n, robots, o.Homepage)
	}
	tw.Flush()
	return 0
}

func runOutletRemove(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	fs := newFlags(env, "outlet remove", "outlet remove SLUG")
	cfg.Register(fs, env.Getenv)
	if code := parse(fs, reorder(args)); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(env, fs, "outlet remove needs exactly one slug")
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	if err := db.Monitor().RemoveOutlet(ctx, fs.Arg(0)); err != nil {
		return fail(env, err)
	}
	fmt.Fprintf(env.Stdout, "outlet %s removed (its detections are kept)\n", fs.Arg(0))
	return 0
}

func runOutletImport(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	fs := newFlags(env, "outlet import", "outlet import FILE.csv (Citizen Lab test list: url,category_code,…; NEWS rows)")
	cfg.Register(fs, env.Getenv)
	cfg.RegisterNetwork(fs, env.Getenv)
	country := fs.String("country", "", "country of the imported outlets (ISO 3166-1), e.g. PK for lists/pk.csv")
	if code := parse(fs, reorder(args)); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(env, fs, "outlet import needs exactly one CSV file")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fail(env, fmt.Errorf("cannot open %s: %w", fs.Arg(0), err))
	}
	defer f.Close()
	outlets, bad, err := monitor.ReadTestList(f)
	if err != nil {
		return fail(env, err)
	}
	for _, b := range bad {
		fmt.Fprintf(env.Stderr, "%s: %v (skipped)\n", fs.Arg(0), b)
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	logger := newLogger(env.Stderr, cfg.LogLevel)
	client := monitorClient(&cfg, env.Getenv, logger)
	fetch := monitor.SafeFetcher{Client: client}
	var bar *progressbar.ProgressBar
	if isTerminal(env.Stderr) {
		bar = progressbar.NewOptions(len(outlets), progressbar.OptionSetWriter(env.Stderr), progressbar.OptionSetDescription("outlets"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond))
	}
	saved, feeds := 0, 0
	for i, o := range outlets {
		o.Country = strings.ToUpper(*country)
		f, err := fetch.Fetch(ctx, o.Homepage, monitor.Conditional{})
		switch {
		case err != nil:
			fmt.Fprintf(env.Stderr, "%s: home page unreachable, no feeds discovered: %v\n", o.Slug, err)
		case f.Status != 200:
			fmt.Fprintf(env.Stderr, "%s: home page answered %d, no feeds discovered\n", o.Slug, f.Status)
		default:
			base, _ := url.Parse(f.FinalURL)
			o.Feeds = monitor.DiscoverFeeds(f.Body, base)
		}
		if err := db.Monitor().SaveOutlet(ctx, o); err != nil {
			fmt.Fprintf(env.Stderr, "%s: %s (skipped)\n", o.Slug, errMessage(err))
			continue
		}
		saved++
		feeds += len(o.Feeds)
		if bar != nil {
			_ = bar.Add(1)
		} else {
			fmt.Fprintf(env.Stderr, "[%d/%d] %s: %d feeds\n", i+1, len(outlets), o.Slug, len(o.Feeds))
		}
	}
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(env.Stderr)
	}
	fmt.Fprintf(env.Stdout, "imported %d outlets (%d feeds discovered); %d rows skipped\n", saved, feeds, len(bad))
	if len(bad) > 0 && saved == 0 {
		return 1
	}
	return 0
}
