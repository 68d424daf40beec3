package mirror

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/presswatch/presswatch/internal/ledger"
)

// Fetcher gets one URL's body; the command line gives safehttp's client
// (the only outbound client), tests may give any.
type Fetcher interface {
	Fetch(ctx context.Context, url string) (body []byte, status int, err error)
}

// Mirror states a watch can report.
const (
	StateOK       = "ok"
	StateStale    = "stale"
	StateAltered  = "altered"
	StateDown     = "unreachable"
	StateNoLog    = "no_log"
	StateUnknown  = "unknown"
	DefaultMaxAge = 48 * time.Hour
)

// WatchResult is what one look at a mirror found.
type WatchResult struct {
	URL        string
	State      string
	Size       int64     // the mirror's checkpoint size (0 when unknown)
	Root       string    // its root hash, base64
	Verified   bool      // the checkpoint is signed and consistent (ok or stale)
	Files      int       // files fetched and compared with the manifest
	Checkpoint string    // the mirror's signed checkpoint as fetched
	BuiltAt    time.Time // from its manifest
	Problem    string    // for people: why it is not ok
	CheckedAt  time.Time
}

// WatchOptions tune WatchOne.
type WatchOptions struct {
	// MaxAge is how old a mirror's build may be, and MaxBehind how many
	// log entries it may miss, before it is stale (defaults 48 h and 0:
	// any missing entry older than MaxAge).
	MaxAge time.Duration
	// SampleFiles is how many files besides index.html are fetched and
	// compared with the mirror's manifest each time (default 8; chosen at
	// random so that, round after round, the whole mirror is covered).
	SampleFiles int
	Now         func() time.Time
	// Rand picks the sample (default math/rand/v2).
	Rand func(n int) int
}

// WatchOne fetches a mirror's manifest and checkpoint and checks that the
// checkpoint is signed by the instance's key, consistent with the
// instance's log, and recent.
func WatchOne(ctx context.Context, f Fetcher, l Log, mirrorURL string, o WatchOptions) WatchResult {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	base := strings.TrimSuffix(mirrorURL, "/") + "/"
	res := WatchResult{URL: mirrorURL, State: StateUnknown, CheckedAt: o.Now().UTC()}
	mb, status, err := f.Fetch(ctx, base+ManifestFile)
	if err != nil || status != 200 {
		res.State, res.Problem = StateDown, fetchProblem(ManifestFile, status, err)
		return res
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		res.State, res.Problem = StateAltered, "its mirror.json is not a manifest"
		return res
	}
	res.BuiltAt = m.BuiltAt
	cb, status, err := f.Fetch(ctx, base+"log/checkpoint")
	if err != nil || status != 200 {
		if status == 404 {
			res.State, res.Problem = StateNoLog, "it has no log/checkpoint"
			return res
		}
		res.State, res.Problem = StateDown, fetchProblem("log/checkpoint", status, err)
		return res
	}
	res.Checkpoint = string(cb)
	v, err := note.NewVerifier(l.VerifierKey())
	if err != nil {
		res.Problem = "the instance has no verifier key"
		return res
	}
	cp, _, err := ledger.OpenCheckpoint(cb, v)
	if err != nil {
		res.State, res.Problem = StateAltered, "its checkpoint is not signed by this instance's key: "+err.Error()
		return res
	}
	res.Size = cp.Size
	res.Root = base64.StdEncoding.EncodeToString(cp.Hash[:])
	if m.LogRoot != "" && (m.LogSize != cp.Size || m.LogRoot != base64.StdEncoding.EncodeToString(cp.Hash[:])) {
		res.State, res.Problem = StateAltered, "its manifest names another checkpoint than its log"
		return res
	}
	inst, err := l.PublishedTree(ctx)
	if err != nil {
		res.Problem = "the instance's log: " + err.Error()
		return res
	}
	if err := checkConsistent(ctx, l, cp.Size, base64.StdEncoding.EncodeToString(cp.Hash[:]), inst); err != nil {
		res.State, res.Problem = StateAltered, err.Error()
		if !errors.Is(err, ErrInconsistent) {
			res.State = StateUnknown
		}
		return res
	}
	res.Verified = true
	if file, problem := checkSample(ctx, f, base, &m, o, &res); problem != "" {
		res.State, res.Problem, res.Verified = StateAltered, file+": "+problem, false
		if strings.HasPrefix(problem, "fetching") {
			res.State = StateDown
		}
		return res
	}
	if cp.Size < inst.Size && o.Now().Sub(m.BuiltAt) > o.MaxAge {
		res.State = StateStale
		res.Problem = fmt.Sprintf("it holds %d of %d log entries and was built %s ago", cp.Size, inst.Size, o.Now().Sub(m.BuiltAt).Round(time.Minute))
		return res
	}
	res.State = StateOK
	return res
}

func fetchProblem(what string, status int, err error) string {
	if err != nil {
		return fmt.Sprintf("fetching %s failed: %v", what, err)
	}
	return fmt.Sprintf("fetching %s answered HTTP %d", what, status)
}

// checkSample fetches index.html and o.SampleFiles other files of the
// manifest and compares their SHA-256 with it (logged content, whose name
// is its hash, also with the name). It returns the first bad file and why.
func checkSample(ctx context.Context, f Fetcher, base string, m *Manifest, o WatchOptions, res *WatchResult) (file, problem string) {
	n := o.SampleFiles
	if n == 0 {
		n = 8
	}
	pick := o.Rand
	if pick == nil {
		pick = rand.IntN
	}
	names := make([]string, 0, len(m.Files))
	for name, e := range m.Files {
		if name != "index.html" && e.Dep != "log" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	sample := []string{}
	if _, ok := m.Files["index.html"]; ok {
		sample = append(sample, "index.html")
	}
	for i := 0; i < n && len(names) > 0; i++ {
		j := pick(len(names))
		sample = append(sample, names[j])
		names[j] = names[len(names)-1]
		names = names[:len(names)-1]
	}
	for _, name := range sample {
		b, status, err := f.Fetch(ctx, base+escapePath(name))
		if err != nil || status != 200 {
			return name, fetchProblem(name, status, err)
		}
		sum := sha256.Sum256(b)
		got := hex.EncodeToString(sum[:])
		if got != m.Files[name].SHA256 {
			return name, "its SHA-256 does not match the mirror's manifest"
		}
		if mm := contentNameRe.FindStringSubmatch(name); mm != nil && mm[1] != got {
			return name, "its SHA-256 does not match its name (the hash the public log records)"
		}
		res.Files++
	}
	return "", ""
}

var contentNameRe = regexp.MustCompile(`/content/([0-9a-f]{64})\.json$`)
