package mirror

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
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
	Now    func() time.Time
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
