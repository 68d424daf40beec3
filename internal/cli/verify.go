package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/mod/sumdb/note"

	"github.com/presswatch/presswatch/internal/ledger"
)

// runVerify checks a public log from its public files alone: no database.
func runVerify(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "verify", "verify --log URL|DIR --key KEY [--state FILE] [--incident REF]")
	location := fs.String("log", "", "the log's root: a URL such as https://news.example.org/log, or a folder (a static mirror's log/)")
	key := fs.String("key", "", "the log's verifier key (or a file holding it); get it from a source you trust")
	state := fs.String("state", "", "file keeping the last checkpoint verified: the next run proves the log extends it (no rollback, no fork)")
	incident := fs.String("incident", "", "check the content of one incident's entries (and its captures') only; the tree is always checked whole")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(env, fs, "verify takes no arguments, got %q", fs.Arg(0))
	}
	if *location == "" || *key == "" {
		return usageError(env, fs, "verify needs --log and --key")
	}
	vkey, err := readVerifierKey(*key)
	if err != nil {
		return usageError(env, fs, "%v", err)
	}
	client := &http.Client{Timeout: 60 * time.Second}
	src, err := ledger.OpenSource(*location, client)
	if err != nil {
		return fail(env, err)
	}
	content, err := newContentChecker(*location, client)
	if err != nil {
		return fail(env, err)
	}
	progress, finish := verifyProgress(env)
	sum, err := ledger.Verify(ctx, src, vkey, ledger.VerifyOptions{
		StatePath: *state, Progress: progress, OnlyRef: *incident,
		CheckEntry: func(index int64, e ledger.Entry) error { return content.check(ctx, e) },
	})
	finish()
	if err != nil {
		fmt.Fprintf(env.Stderr, "presswatch: verification FAILED: %v\n", err)
		return 1
	}
	w := env.Stdout
	fmt.Fprintf(w, "OK: the log %s is valid.\n", sum.Origin)
	fmt.Fprintf(w, "  checkpoint: %d entries, root %s, signature verified\n", sum.Size, sum.Root)
	switch {
	case sum.HadState:
		fmt.Fprintf(w, "  extends the checkpoint seen before (%d entries): no rollback, no fork\n", sum.PreviousSize)
	case *state != "":
		fmt.Fprintf(w, "  first check with this state file; the checkpoint is saved in %s\n", *state)
	default:
		fmt.Fprintln(w, "  no --state file: rollback and fork since an earlier check cannot be detected")
	}
	what := "entries"
	if *incident != "" {
		what = "entries about " + *incident
	}
	fmt.Fprintf(w, "  %s checked: %d; content files hashed and equal: %d; not reachable from here: %d\n",
		what, sum.Checked, content.hashed.Load(), content.unreachable.Load())
	fmt.Fprintf(w, "  SHA-256: %.2f M hashes/s, %.0f MB/s (%d hashes in %s)\n",
		sum.HashesPerSecond()/1e6, sum.MBPerSecond(), sum.Hashes, sum.Duration.Round(time.Millisecond))
	return 0
}

// readVerifierKey accepts a verifier key or the name of a file holding one.
func readVerifierKey(s string) (string, error) {
	s = strings.TrimSpace(s)
	if _, err := note.NewVerifier(s); err == nil {
		return s, nil
	}
	b, err := os.ReadFile(s)
	if err != nil {
		return "", fmt.Errorf("--key %q is neither a verifier key (name+hash+key) nor a readable file", s)
	}
	k := strings.TrimSpace(string(b))
	if _, err := note.NewVerifier(k); err != nil {
		return "", fmt.Errorf("the file %s does not hold a verifier key: %v", s, err)
	}
	return k, nil
}

// verifyProgress returns the Verify progress callback: a bar on a terminal,
// a line every 10% otherwise.
func verifyProgress(env *Env) (func(done, total int64), func()) {
	if isTerminal(env.Stderr) {
		var bar *progressbar.ProgressBar
		return func(done, total int64) {
				if bar == nil {
					bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(env.Stderr),
						progressbar.OptionSetDescription("verifying"), progressbar.OptionShowCount(),
						progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
				}
				bar.Set64(done)
			}, func() {
				if bar != nil {
					bar.Finish()
				}
			}
	}
	next := int64(0)
	return func(done, total int64) {
		if total < 10_000 {
			return // small logs need no progress lines
		}
		if pct := done * 100 / total; pct >= next {
			fmt.Fprintf(env.Stderr, "verifying: %d of %d entries (%d%%)\n", done, total, pct)
			next = pct/10*10 + 10
		}
	}, func() {}
}

// contentChecker recomputes the SHA-256 of the files an entry commits to,
// found relative to the log's location: data.url (public content, whose
// SHA-256 is the entry's sha256) and data.warc (a WARC file, whose SHA-256 is
// data.warc_sha256, or the entry's sha256 when that is absent).
type contentChecker struct {
	site   *url.URL // the site root, for a log served over HTTP
	dir    string   // the mirror's root folder, for a log in a folder
	client *http.Client

	hashed, unreachable atomic.Int64
}

func newContentChecker(location string, client *http.Client) (*contentChecker, error) {
	c := &contentChecker{client: client}
	if strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://") {
		u, err := url.Parse(strings.TrimSuffix(location, "/"))
		if err != nil {
			return nil, fmt.Errorf("verify: --log %q: %w", location, err)
		}
		u.Path = path.Dir(u.Path) // the site root is the folder holding log/
		c.site = u
		return c, nil
	}
	abs, err := filepath.Abs(location)
	if err != nil {
		return nil, fmt.Errorf("verify: --log %q: %w", location, err)
	}
	c.dir = filepath.Dir(filepath.Clean(abs))
	return c, nil
}

func (c *contentChecker) check(ctx context.Context, e ledger.Entry) error {
	if len(e.Data) == 0 {
		return nil
	}
	var d struct {
		URL        string `json:"url"`
		WARC       string `json:"warc"`
		WARCSHA256 string `json:"warc_sha256"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return nil // data of another shape: nothing to fetch
	}
	if d.URL != "" && e.SHA256 != "" {
		if err := c.compare(ctx, d.URL, e.SHA256, "public content"); err != nil {
			return err
		}
	}
	if d.WARC != "" {
		want := d.WARCSHA256
		if want == "" {
			want = e.SHA256
		}
		if want != "" {
			if err := c.compare(ctx, d.WARC, want, "WARC file"); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxContentSize bounds one fetched file (WARCs included).
const maxContentSize = 4 << 30

func (c *contentChecker) compare(ctx context.Context, p, want, what string) error {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || !fs.ValidPath(strings.TrimPrefix(p, "/")) {
		return fmt.Errorf("%s path %q is not a plain site path", what, p)
	}
	r, err := c.open(ctx, strings.TrimPrefix(p, "/"))
	if errors.Is(err, fs.ErrNotExist) {
		c.unreachable.Add(1)
		return nil
	} else if err != nil {
		return fmt.Errorf("%s %s: %w", what, p, err)
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r, maxContentSize+1))
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, p, err)
	}
	if n > maxContentSize {
		return fmt.Errorf("%s %s is larger than %d bytes", what, p, int64(maxContentSize))
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("%s %s has SHA-256 %s but the log recorded %s: it was altered after it was logged", what, p, got, want)
	}
	c.hashed.Add(1)
	return nil
}

func (c *contentChecker) open(ctx context.Context, rel string) (io.ReadCloser, error) {
	if c.site == nil {
		f, err := os.Open(filepath.Join(c.dir, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	u := c.site.JoinPath(rel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return resp.Body, nil
	case http.StatusNotFound, http.StatusGone:
		resp.Body.Close()
		return nil, fs.ErrNotExist
	default:
		resp.Body.Close()
		return nil, fmt.Errorf("HTTP status %s", resp.Status)
	}
}
