package mirror

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/presswatch/presswatch/internal/ledger"
)

// CheckOptions say what to check a mirror folder against.
type CheckOptions struct {
	Dir string
	// Log is the instance's log: the mirror's checkpoint must be the same
	// tree or one the instance's log extends. Optional.
	Log Log
	// Key is the log's verifier key; default: Log's, else the mirror's own
	// log/key (which only proves the copy is self-consistent).
	Key string
}

// CheckReport describes a successful check.
type CheckReport struct {
	Files        int   // files whose SHA-256 matched the manifest
	LogSize      int64 // the mirror's checkpoint
	LoggedFiles  int   // files whose SHA-256 matched a log entry
	NotMirrored  int   // logged files the mirror does not hold
	InstanceSize int64 // the instance's checkpoint, when checked against it
}

// BadFileError names the first file of a mirror that failed a check.
type BadFileError struct {
	File string
	Err  error
}

func (e *BadFileError) Error() string { return fmt.Sprintf("mirror: %s: %v", e.File, e.Err) }
func (e *BadFileError) Unwrap() error { return e.Err }

// Errors Check wraps.
var (
	ErrHashMismatch   = errors.New("its SHA-256 does not match")
	ErrMissing        = errors.New("the file is missing")
	ErrNotInManifest  = errors.New("the file is not in the manifest")
	ErrInconsistent   = errors.New("mirror: the mirror's checkpoint is not consistent with the instance's log")
	ErrNoLogInMirror  = errors.New("mirror: the mirror has no log")
	errManifestLogRef = errors.New("the manifest's checkpoint is not the mirror's log checkpoint")
)

// Check verifies a mirror folder: every file against the manifest (and no
// file outside it), the log's files from the checkpoint down to every entry,
// every mirrored file whose SHA-256 is in the log, and, with opts.Log, that
// the mirror's checkpoint is consistent with the instance's log. It returns
// a *BadFileError naming the first bad file.
func Check(ctx context.Context, opts CheckOptions) (*CheckReport, error) {
	m, err := ReadManifest(opts.Dir)
	if err != nil {
		return nil, err
	}
	rep := &CheckReport{}
	files := make([]string, 0, len(m.Files))
	for f := range m.Files {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !fs.ValidPath(f) {
			return nil, &BadFileError{File: f, Err: errors.New("not a valid file name")}
		}
		sum, err := hashFile(filepath.Join(opts.Dir, filepath.FromSlash(f)))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &BadFileError{File: f, Err: ErrMissing}
		} else if err != nil {
			return nil, &BadFileError{File: f, Err: err}
		}
		if sum != m.Files[f].SHA256 {
			return nil, &BadFileError{File: f, Err: ErrHashMismatch}
		}
		rep.Files++
	}
	// Nothing may be added beside the manifest.
	err = filepath.WalkDir(opts.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(opts.Dir, p)
		rel = filepath.ToSlash(rel)
		if rel == ManifestFile || rel == "log/"+ledger.LastSignedFile || strings.HasPrefix(d.Name(), ".tmp") {
			return nil
		}
		if _, ok := m.Files[rel]; !ok {
			return &BadFileError{File: rel, Err: ErrNotInManifest}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	logDir := filepath.Join(opts.Dir, "log")
	if !fileExists(filepath.Join(logDir, "checkpoint")) {
		if opts.Log != nil {
			return nil, ErrNoLogInMirror
		}
		return rep, nil
	}
	key := opts.Key
	if key == "" && opts.Log != nil {
		key = opts.Log.VerifierKey()
	}
	if key == "" {
		b, err := os.ReadFile(filepath.Join(logDir, "key"))
		if err != nil {
			return nil, fmt.Errorf("mirror: no verifier key given and %w", err)
		}
		key = strings.TrimSpace(string(b))
	}
	sum, err := ledger.Verify(ctx, ledger.DirSource(logDir), key, ledger.VerifyOptions{
		CheckEntry: func(index int64, e ledger.Entry) error {
			return checkLogged(opts.Dir, m, e, rep)
		},
	})
	if err != nil {
		var be *BadFileError
		if errors.As(err, &be) {
			return nil, be
		}
		return nil, fmt.Errorf("mirror: log: %w", err)
	}
	rep.LogSize = sum.Size
	if m.LogRoot != "" && (m.LogSize != sum.Size || m.LogRoot != base64.StdEncoding.EncodeToString(sum.Root[:])) {
		return nil, &BadFileError{File: ManifestFile, Err: errManifestLogRef}
	}
	if opts.Log != nil {
		cp, err := opts.Log.PublishedTree(ctx)
		if err != nil {
			return nil, fmt.Errorf("mirror: instance log: %w", err)
		}
		rep.InstanceSize = cp.Size
		if err := checkConsistent(ctx, opts.Log, sum.Size, base64.StdEncoding.EncodeToString(sum.Root[:]), cp); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// checkConsistent proves that the tree (size, root) is the instance's tree
// cp or a prefix of it.
func checkConsistent(ctx context.Context, l Log, size int64, root string, cp ledger.Checkpoint) error {
	raw, err := base64.StdEncoding.DecodeString(root)
	if err != nil || len(raw) != tlog.HashSize {
		return fmt.Errorf("%w: bad root", ErrInconsistent)
	}
	var h tlog.Hash
	copy(h[:], raw)
	switch {
	case size > cp.Size:
		return fmt.Errorf("%w: the mirror has %d entries, the instance %d", ErrInconsistent, size, cp.Size)
	case size == cp.Size:
		if h != cp.Hash {
			return fmt.Errorf("%w: two different roots for size %d (a fork)", ErrInconsistent, size)
		}
		return nil
	case size == 0:
		return nil
	}
	proof, err := l.ProveConsistency(ctx, size, cp.Size)
	if err != nil {
		return fmt.Errorf("mirror: consistency proof: %w", err)
	}
	if err := tlog.CheckTree(proof, cp.Size, cp.Hash, size, h); err != nil {
		return fmt.Errorf("%w: %v", ErrInconsistent, err)
	}
	return nil
}

// checkLogged compares the files a log entry commits to with the mirror's
// copies.
func checkLogged(dir string, m *Manifest, e ledger.Entry, rep *CheckReport) error {
	if len(e.Data) == 0 || e.SHA256 == "" {
		return nil
	}
	var d struct {
		URL        string `json:"url"`
		WARC       string `json:"warc"`
		WARCSHA256 string `json:"warc_sha256"`
	}
	if json.Unmarshal(e.Data, &d) != nil {
		return nil
	}
	type want struct{ path, sha string }
	var ws []want
	if d.URL != "" {
		ws = append(ws, want{d.URL, e.SHA256})
	}
	if d.WARC != "" {
		sha := e.SHA256
		if d.WARCSHA256 != "" {
			sha = d.WARCSHA256
		}
		ws = append(ws, want{d.WARC, sha})
	}
	for _, w := range ws {
		if !strings.HasPrefix(w.path, "/") || strings.HasPrefix(w.path, "//") {
			continue
		}
		file := target{Path: w.path}.file()
		full := filepath.Join(dir, filepath.FromSlash(file))
		got, err := hashFile(full)
		if errors.Is(err, fs.ErrNotExist) {
			if _, listed := m.Files[file]; listed {
				return &BadFileError{File: file, Err: ErrMissing}
			}
			rep.NotMirrored++
			continue
		} else if err != nil {
			return &BadFileError{File: file, Err: err}
		}
		if got != w.sha {
			return &BadFileError{File: file, Err: fmt.Errorf("%w the public log (entry %s %s)", ErrHashMismatch, e.Kind, e.Ref)}
		}
		rep.LoggedFiles++
	}
	return nil
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
