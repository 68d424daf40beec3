package mirror

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// spoolLimit is the size past which a response that is not a page goes to
// its file as it is written.
const spoolLimit = 1 << 20

// spool is the http.ResponseWriter the build renders a target into. Pages
// and style sheets stay in memory, for their links to be rewritten. Any
// other response of more than spoolLimit bytes — the exports of the whole
// record, some 100 MB each at 100,000 incidents — is hashed and written to
// a temporary file beside its place as the handler streams it: held in
// memory, each cost its size in fresh pages (on the benchmark's VM a
// megabyte of new memory cost 3 ms) and the copies of a growing buffer.
type spool struct {
	header http.Header
	code   int
	body   *bytes.Buffer // from pagePool, until spilled
	dir    string        // where the temporary file goes
	mkdir  func(dir string) error

	f      *os.File
	w      *bufio.Writer
	sum    hash.Hash
	stable *stableHasher // when the response says when it was made
	size   int64
	wrote  bool
	err    error
}

func newSpool(dir string, mkdir func(string) error) *spool {
	buf := pagePool.Get().(*bytes.Buffer)
	buf.Reset()
	return &spool{header: http.Header{}, body: buf, dir: dir, mkdir: mkdir}
}

func (s *spool) Header() http.Header { return s.header }

func (s *spool) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
}

// Flush is there for handlers that flush as they stream.
func (s *spool) Flush() {}

func (s *spool) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if !s.wrote {
		// As httptest.ResponseRecorder and net/http do.
		s.wrote = true
		s.WriteHeader(http.StatusOK)
		if s.header.Get("Content-Type") == "" {
			s.header.Set("Content-Type", http.DetectContentType(p))
		}
	}
	if s.f == nil {
		if s.code != http.StatusOK || s.body.Len()+len(p) <= spoolLimit || !spillable(s.header.Get("Content-Type")) {
			return s.body.Write(p)
		}
		if s.err = s.spill(); s.err != nil {
			return 0, s.err
		}
	}
	s.add(p)
	if _, err := s.w.Write(p); err != nil {
		s.err = fmt.Errorf("mirror: write %s: %w", s.f.Name(), err)
		return 0, s.err
	}
	return len(p), nil
}

// spillable reports whether a response of this type may skip memory: pages
// and style sheets are rewritten before they are stored.
func spillable(contentType string) bool {
	return !strings.HasPrefix(contentType, "text/html") && !strings.HasPrefix(contentType, "text/css")
}

// spill moves what the body holds to a new temporary file and writes there
// from now on.
func (s *spool) spill() error {
	if err := s.mkdir(s.dir); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	s.f, s.w, s.sum = f, bufio.NewWriterSize(f, 256<<10), sha256.New()
	if v := s.header.Get("X-Snapshot-Time"); v != "" {
		s.stable = newStableHasher(v)
	}
	held := s.body.Bytes()
	s.add(held)
	_, err = s.w.Write(held)
	s.release()
	return err
}

func (s *spool) add(p []byte) {
	s.sum.Write(p)
	if s.stable != nil {
		s.stable.Write(p)
	}
	s.size += int64(len(p))
}

// release gives the in-memory body back to the pool; its bytes must not be
// used after.
func (s *spool) release() {
	if s.body != nil {
		pagePool.Put(s.body)
		s.body = nil
	}
}

// spilled reports whether the response went to a temporary file.
func (s *spool) spilled() bool { return s.f != nil }

// finish closes the temporary file and says what it holds: its name and
// its manifest entry (without Dep).
func (s *spool) finish() (string, FileEntry, error) {
	name := s.f.Name()
	err := s.err
	if err == nil {
		err = s.w.Flush()
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, 0o644)
	}
	if err != nil {
		os.Remove(name)
		return "", FileEntry{}, fmt.Errorf("mirror: write %s: %w", name, err)
	}
	e := FileEntry{SHA256: hex.EncodeToString(s.sum.Sum(nil)), Size: s.size}
	if s.stable != nil {
		e.Stable = s.stable.Sum()
	}
	return name, e, nil
}

// discard removes the temporary file, if any, and releases the body.
func (s *spool) discard() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
	}
	s.release()
}

// storeSpooled records a response that went to a temporary file: it
// replaces the file at its place unless the previous build's is the same.
func (b *builder) storeSpooled(pg *page, s *spool) error {
	tmp, e, err := s.finish()
	if err != nil {
		return err
	}
	e.Dep = pg.dep
	e, same := b.sameAsBefore(pg.file, e)
	if same {
		err = os.Remove(tmp)
	} else {
		err = os.Rename(tmp, filepath.Join(b.opts.Out, filepath.FromSlash(pg.file)))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("mirror: %w", err)
	}
	b.record(pg, e, !same)
	return nil
}
