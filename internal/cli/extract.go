package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/evidence/extract"
	"github.com/presswatch/presswatch/internal/safehttp"
)

func runExtract(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	fs := newFlags(env, "extract", "extract [--url URL] [--format text|json] FILE|URL")
	cfg.RegisterNetwork(fs, env.Getenv)
	pageURL := fs.String("url", "", "the page's address, to resolve links of a FILE")
	format := fs.String("format", "text", "text or json")
	if code := parse(fs, reorder(args)); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(env, fs, "extract needs one FILE or URL")
	}
	if *format != "text" && *format != "json" {
		return usageError(env, fs, "unknown format %q: use text or json", *format)
	}
	arg := fs.Arg(0)
	var base *url.URL
	if *pageURL != "" {
		u, err := url.Parse(*pageURL)
		if err != nil || !u.IsAbs() {
			return usageError(env, fs, "--url %q is not a full web address", *pageURL)
		}
		base = u
	}
	var art extract.Article
	var err error
	if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
		art, err = extractURL(ctx, &cfg, arg)
	} else {
		var b []byte
		b, err = os.ReadFile(arg)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return usageError(env, fs, "%s: no such file (give a file or an http(s) URL)", arg)
			}
			return fail(env, fmt.Errorf("cannot read %s: %w", arg, err))
		}
		art, err = extract.Extract(b, base)
	}
	if errors.Is(err, safehttp.ErrBlockedAddress) {
		fmt.Fprintln(env.Stderr, strings.Replace(refusedPrivate, " The refusal is recorded as a failed capture.", "", 1))
		return 1
	}
	if err != nil && !errors.Is(err, extract.ErrNoText) {
		return fail(env, err)
	}
	if *format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(art); err != nil {
			return fail(env, err)
		}
	} else {
		writeArticle(env, art)
	}
	if errors.Is(err, extract.ErrNoText) {
		fmt.Fprintln(env.Stderr, "presswatch: the page has no readable text")
		return 1
	}
	return 0
}

func writeArticle(env *Env, art extract.Article) {
	var b bytes.Buffer
	field := func(name, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%-10s %s\n", name+":", v)
		}
	}
	field("Title", art.Title)
	field("Byline", art.Byline)
	if art.Published != nil {
		field("Published", art.Published.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if art.Modified != nil {
		field("Modified", art.Modified.UTC().Format("2006-01-02T15:04:05Z"))
	}
	field("Language", art.Language)
	field("Site", art.SiteName)
	b.WriteString("\n")
	b.WriteString(art.Text)
	b.WriteString("\n")
	env.Stdout.Write(b.Bytes())
}

// extractURL fetches a page through safehttp and extracts it.
func extractURL(ctx context.Context, cfg *config.Config, raw string) (extract.Article, error) {
	client := safehttp.New(safehttp.Options{AllowPrivate: cfg.AllowPrivate, Proxy: cfg.Proxy,
		UserAgent: "presswatch/" + version() + " (+https://github.com/presswatch/presswatch; evidence capture)"})
	resp, err := client.Get(ctx, raw)
	final := resp.Final()
	if err != nil {
		return extract.Article{}, fmt.Errorf("cannot fetch %s: %w", raw, err)
	}
	if final == nil || final.StatusCode == 0 {
		return extract.Article{}, fmt.Errorf("cannot fetch %s: no response", raw)
	}
	u, _ := url.Parse(final.URL)
	return extract.ExtractReader(bytes.NewReader(final.Body), u, final.Header.Get("Content-Type"))
}
