// Package mirror owns presswatch's static mirrors: it renders the whole
// public site (every language, exports, feeds, evidence and the log's public
// files) into a folder of plain files with relative links, rebuilds it
// incrementally, checks a mirror against the log and watches published
// mirrors for staleness or tampering.
package mirror

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/presswatch/presswatch/internal/ledger"
)

// Log is what a mirror needs of the instance's public log; *ledger.Log has
// it.
type Log interface {
	WriteStatic(ctx context.Context, dir string) error
	Checkpoint(ctx context.Context) ([]byte, error)
	PublishedTree(ctx context.Context) (ledger.Checkpoint, error)
	ProveConsistency(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error)
	VerifierKey() string
	Storage() ledger.Storage
}

var _ Log = (*ledger.Log)(nil)

// Options describe one build.
type Options struct {
	// Handler is the instance's web handler; every public page is a GET
	// on it. Required. When it also renders incident pages without a
	// request (*web.Server does), a full build renders them from one
	// stream instead (incidentPages); wrapping it hides that.
	Handler http.Handler
	// Log, when set, is written under log/ and drives incremental builds.
	Log Log
	// Out is the mirror folder. Required.
	Out string
	// BaseURL is where the mirror will be served (recorded in the manifest;
	// optional: the mirror works from any place).
	BaseURL string
	// Origin is the instance's own URL, shown on the mirror's about page.
	// Links to it in pages are made relative.
	Origin string
	// Seeds are site paths rendered besides what the home page links to.
	Seeds []string
	// FilterParams are the query parameters whose single-value filter
	// pages are pre-rendered (default country, category, year).
	FilterParams []string
	// Full re-renders every page even when the log says little changed.
	Full bool
	// Workers render pages in parallel (default: the number of CPUs).
	Workers int
	// Progress, when set, is called as pages are done.
	Progress func(done, known int)
	// Version names the program that built the mirror; a new version
	// re-renders everything.
	Version string
	Now     func() time.Time
}

// ManifestFormat is the Format of the manifests Build writes. Format 2
// names pages NAME.html where format 1 had NAME/index.html; format 3
// keeps incident pages in a folder per country and year
// (shardIncident), and format 4 the content the log commits to as well
// (shardContent). A mirror of another format is built again in full.
const ManifestFormat = 4

// Manifest is mirror.json: every file with its SHA-256, and the log
// checkpoint the mirror was built against.
type Manifest struct {
	Format     int                  `json:"format"`
	Generator  string               `json:"generator"`
	BuiltAt    time.Time            `json:"built_at"`
	BaseURL    string               `json:"base_url,omitempty"`
	Origin     string               `json:"origin,omitempty"`
	LogSize    int64                `json:"log_size"`
	LogRoot    string               `json:"log_root,omitempty"`
	Checkpoint string               `json:"checkpoint,omitempty"`
	Files      map[string]FileEntry `json:"files"`
}

// FileEntry is one file of a mirror.
type FileEntry struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Dep says what the file depends on: "incident:REF" (re-rendered when
	// the log has a new entry about REF), "immutable" (evidence, logged
	// content), "log" (written by the log), "" (everything: lists, exports,
	// home, statistics).
	Dep string `json:"dep,omitempty"`
	// Stable is the SHA-256 with the volatile bytes (an export's snapshot
	// time) masked: a rebuild keeps the earlier file when it is unchanged.
	Stable string `json:"stable,omitempty"`
}

// Result reports a build.
type Result struct {
	Files    int // files in the mirror
	Rendered int // pages and files rendered this time
	Listed   int // of those, list pages rendered from the incident stream's cards
	// IndexPatched: the search index was the previous one patched with
	// the incidents the new log entries mention (indexpatch.go), not
	// streamed.
	IndexPatched bool
	Written      []string // files written because they changed (sorted)
	Removed      []string // files removed because the site no longer has them
	Kept         int      // files carried over without rendering
	Broken       []string // links on the site that answered an error
	LogSize      int64
	Full         bool // every page was rendered
	Duration     time.Duration
}

// ReadManifest reads dir/mirror.json.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("mirror: manifest: %w", err)
	}
	m, err := decodeManifest(b)
	if err != nil {
		return nil, fmt.Errorf("mirror: manifest %s: %w", ManifestFile, err)
	}
	return m, nil
}

// decodeManifest is json.Unmarshal of a manifest, with a fast path for the
// files as writeManifest writes them: at 100,000 incidents json.Unmarshal
// of ~455,000 entries was 1.4 CPU-s of every incremental build. Anything
// else (an indented manifest of an earlier version, escapes, fields in
// another order) goes through json.Unmarshal.
func decodeManifest(b []byte) (*Manifest, error) {
	if m, ok := decodeCompactManifest(b); ok {
		return m, nil
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m.Files == nil {
		m.Files = map[string]FileEntry{}
	}
	return &m, nil
}

// decodeCompactManifest reads the manifest's head with json.Unmarshal and
// its files by hand (fileTable); ok is false at the first byte it does not
// expect.
func decodeCompactManifest(b []byte) (*Manifest, bool) {
	m, t, ok := decodeManifestTable(b)
	if !ok {
		return nil, false
	}
	m.Files = t.decodeAll()
	return m, true
}

// writeManifest writes m atomically: the same JSON as json.Marshal (files
// sorted by name), streamed entry by entry. At 100,000 incidents the
// manifest holds some 455,000 files; json.MarshalIndent of the map took a
// second of every incremental build.
func writeManifest(dir string, m *Manifest) error {
	return writeManifestFiles(dir, m, m.Files, nil, nil)
}

// writeManifestFiles writes the manifest with m's head, the files of cur
// and the entries of prev that carry marks, copied as they are (a file is
// in cur or carried, not both).
func writeManifestFiles(dir string, m *Manifest, cur map[string]FileEntry, prev *fileTable, carry []bool) error {
	path := filepath.Join(dir, ManifestFile)
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = encodeManifestFiles(w, m, cur, prev, carry)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("mirror: manifest: %w", err)
	}
	return nil
}

// encodeManifest writes m as json.Marshal would, with a newline.
func encodeManifest(w io.Writer, m *Manifest) error {
	return encodeManifestFiles(w, m, m.Files, nil, nil)
}

// encodeManifestFiles writes m's head with the files of cur and the
// carried entries of prev merged in name order.
func encodeManifestFiles(w io.Writer, m *Manifest, cur map[string]FileEntry, prev *fileTable, carry []bool) error {
	head := *m
	head.Files = map[string]FileEntry{}
	b, err := json.Marshal(&head)
	if err != nil {
		return err
	}
	b, ok := bytes.CutSuffix(b, []byte("{}}"))
	if !ok {
		return errors.New("files is not the manifest's last field")
	}
	names := make([]string, 0, len(cur))
	for name := range cur {
		names = append(names, name)
	}
	slices.Sort(names)
	b = append(b, '{')
	j := 0 // the next entry of prev to look at
	nextCarried := func() {
		for j < len(carry) && !carry[j] {
			j++
		}
	}
	nextCarried()
	first := true
	for i := 0; i < len(names) || j < len(carry); {
		if !first {
			b = append(b, ',')
		}
		first = false
		if j < len(carry) && (i == len(names) || prev.names[j] < names[i]) {
			b = append(b, prev.encoded(j)...)
			j++
			nextCarried()
		} else {
			b = appendEntry(b, names[i], cur[names[i]])
			i++
		}
		if len(b) >= 64<<10 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, "}}\n"...)
	_, err = w.Write(b)
	return err
}

// appendJSONString appends s as encoding/json quotes it: printable ASCII
// other than the characters it escapes, and valid UTF-8 other than U+2028
// and U+2029, is copied; any other string goes through json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				q, _ := json.Marshal(s)
				return append(b, q...)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
		i += size
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// writeAtomic writes data to path through a temporary file and a rename, so
// a reader never sees half a file.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("mirror: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("mirror: write %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("mirror: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("mirror: %w", err)
	}
	return nil
}

// previous reads the manifest of an earlier build in dir: its head (Files
// nil) and its files as a table; an empty table and false when there is
// none.
func previous(dir string) (*Manifest, *fileTable, bool) {
	none := func() (*Manifest, *fileTable, bool) { return &Manifest{}, &fileTable{}, false }
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return none()
	}
	if m, t, ok := decodeManifestTable(b); ok {
		return m, t, true
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return none()
	}
	t := tableOf(m.Files)
	m.Files = nil
	return &m, t, true
}

// decodeManifestTable reads a manifest as writeManifest writes it: the
// head with json.Unmarshal, the files as a table of its bytes.
func decodeManifestTable(b []byte) (*Manifest, *fileTable, bool) {
	const filesKey = `"files":{`
	i := bytes.Index(b, []byte(filesKey))
	if i < 0 {
		return nil, nil, false
	}
	var m Manifest
	head := append(bytes.Clone(b[:i+len(filesKey)]), "}}"...)
	if err := json.Unmarshal(head, &m); err != nil {
		return nil, nil, false
	}
	files, ok := bytes.CutSuffix(bytes.TrimRight(b[i+len(filesKey):], " \t\r\n"), []byte("}}"))
	if !ok {
		return nil, nil, false
	}
	t, ok := newFileTable(files)
	if !ok {
		return nil, nil, false
	}
	m.Files = nil
	return &m, t, true
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
