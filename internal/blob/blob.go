// Package blob owns presswatch's content-addressed file store: immutable
// blobs named by their SHA-256 under <dir>/sha256/ab/cd/<hex>, written
// through a temp file, fsync and rename so a crash never leaves half a blob.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/presswatch/presswatch/internal/domain"
)

const tempPrefix = ".tmp-"

// Ref names a stored blob.
type Ref struct {
	SHA256 string // lowercase hex
	Size   int64
}

// Store is a content-addressed blob store rooted at a folder.
type Store struct {
	dir string
}

// owned holds, per folder (absolute path), the clean-up lock this process
// took. The open file is the lock: it is kept referenced so that it is
// never collected and closed before the process ends.
var owned struct {
	sync.Mutex
	m map[string]*os.File
}

// Owns reports whether this process owns the folder's clean-ups: the first
// process to ask takes an exclusive lock on <dir>/.owner and holds it until
// it ends (a kill -9 included). Only the owner removes temp files and
// unreferenced blobs: another process on the same folder (serve, and a
// worker or a capture command beside it) may be writing them.
func (s *Store) Owns() bool {
	key, err := filepath.Abs(s.dir)
	if err != nil {
		key = s.dir
	}
	owned.Lock()
	defer owned.Unlock()
	if owned.m[key] != nil {
		return true
	}
	f, ok := lockOwner(s.dir)
	if !ok {
		return false
	}
	if owned.m == nil {
		owned.m = map[string]*os.File{}
	}
	owned.m[key] = f
	return true
}

// Open returns the store rooted at dir, creating the folder.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "sha256"), 0o700); err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", dir, err)
	}
	return &Store{dir: dir}, nil
}

// Dir returns the root folder.
func (s *Store) Dir() string { return s.dir }

// CleanTemp removes temp files left by interrupted Puts (Put makes them in
// the store's folder itself, never among the blobs). Call it at start-up,
// before any Put runs. It removes nothing unless this process Owns the
// folder.
func (s *Store) CleanTemp() (int, error) {
	if !s.Owns() {
		return 0, nil
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return 0, fmt.Errorf("blob: clean temp: %w", err)
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if err := os.Remove(filepath.Join(s.dir, e.Name())); err != nil {
			return n, fmt.Errorf("blob: clean temp: %w", err)
		}
		n++
	}
	return n, nil
}

// Put stores the bytes of r and returns their reference. Storing bytes that
// are already present is not an error; the existing blob is kept.
func (s *Store) Put(ctx context.Context, r io.Reader) (Ref, error) {
	tmp, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil {
		return Ref{}, fmt.Errorf("blob: put: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Ref{}, fmt.Errorf("blob: put: %w", err)
	}
	ref := Ref{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	final := s.path(ref.SHA256)
	if _, err := os.Stat(final); err == nil {
		return ref, nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return Ref{}, fmt.Errorf("blob: put: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return Ref{}, fmt.Errorf("blob: put: %w", err)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return Ref{}, fmt.Errorf("blob: put: %w", err)
	}
	return ref, nil
}

// Open returns the blob's content. A missing blob is ENOTFOUND.
func (s *Store) Open(ctx context.Context, sha string) (io.ReadCloser, error) {
	if err := checkSHA(sha); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, domain.Errorf(domain.ENOTFOUND, "Blob %s not found.", sha)
	} else if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", sha, err)
	}
	return f, nil
}

// Exists reports whether the blob is stored.
func (s *Store) Exists(ctx context.Context, sha string) (bool, error) {
	if err := checkSHA(sha); err != nil {
		return false, err
	}
	_, err := os.Stat(s.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("blob: stat %s: %w", sha, err)
	}
	return true, nil
}

// Delete removes the blob. A missing blob is ENOTFOUND.
func (s *Store) Delete(ctx context.Context, sha string) error {
	if err := checkSHA(sha); err != nil {
		return err
	}
	err := os.Remove(s.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return domain.Errorf(domain.ENOTFOUND, "Blob %s not found.", sha)
	} else if err != nil {
		return fmt.Errorf("blob: delete %s: %w", sha, err)
	}
	return nil
}

// Walk calls fn with every stored blob's hash (for integrity checks and
// finding orphans).
func (s *Store) Walk(ctx context.Context, fn func(sha string) error) error {
	return filepath.WalkDir(filepath.Join(s.dir, "sha256"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() || checkSHA(d.Name()) != nil {
			return nil
		}
		return fn(d.Name())
	})
}

// Path returns the file name of blob sha (whether or not it exists), for
// operators; read blobs with Open.
func (s *Store) Path(sha string) string {
	if checkSHA(sha) != nil {
		return ""
	}
	return s.path(sha)
}

func (s *Store) path(sha string) string {
	return filepath.Join(s.dir, "sha256", sha[0:2], sha[2:4], sha)
}

func checkSHA(sha string) error {
	if len(sha) != 64 {
		return domain.Errorf(domain.EINVALID, "Invalid blob hash.")
	}
	for _, c := range sha {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return domain.Errorf(domain.EINVALID, "Invalid blob hash.")
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
