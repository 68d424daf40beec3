package ledger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Source reads a log's public files by their path relative to the log's
// root ("checkpoint", "tile/0/000", ...). A missing file is an error matching
// fs.ErrNotExist.
type Source interface {
	ReadFile(ctx context.Context, name string) ([]byte, error)
}

// maxFileSize bounds any public file: a full entry bundle is the largest.
const maxFileSize = TileWidth * (2 + MaxEntrySize)

// OpenSource returns an HTTPSource for an http(s) URL and a DirSource for
// anything else. The URL is the log's root, e.g. https://example.org/log.
func OpenSource(location string, client *http.Client) (Source, error) {
	if strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://") {
		return NewHTTPSource(location, client)
	}
	fi, err := os.Stat(location)
	if err != nil {
		return nil, fmt.Errorf("ledger: log folder: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("ledger: %s is not a folder", location)
	}
	return DirSource(location), nil
}

// DirSource reads the public files from a folder.
type DirSource string

// ReadFile implements Source.
func (d DirSource) ReadFile(ctx context.Context, name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, fmt.Errorf("ledger: invalid file name %q", name)
	}
	f, err := os.Open(filepath.Join(string(d), filepath.FromSlash(name)))
	if err != nil {
		return nil, err // *fs.PathError names the file
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("ledger: read %s: %w", name, err)
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("ledger: %s is larger than any log file may be", name)
	}
	return b, nil
}

// HTTPSource reads the public files from a web server.
type HTTPSource struct {
	base   *url.URL
	client *http.Client
}

// NewHTTPSource returns a Source for the log rooted at base, fetched with
// client (http.DefaultClient when nil; pass safehttp's client in the CLI).
func NewHTTPSource(base string, client *http.Client) (*HTTPSource, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/") + "/")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("ledger: %q is not an http(s) URL", base)
	}
	if client == nil {
		client = http.DefaultClient
	}
	return &HTTPSource{base: u, client: client}, nil
}

// ReadFile implements Source.
func (s *HTTPSource) ReadFile(ctx context.Context, name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, fmt.Errorf("ledger: invalid file name %q", name)
	}
	u := s.base.JoinPath(name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("ledger: fetch %s: %w", name, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ledger: fetch %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("ledger: fetch %s: %w", name, fs.ErrNotExist)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ledger: fetch %s: HTTP status %s", name, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("ledger: fetch %s: %w", name, err)
	}
	if len(b) > maxFileSize {
		return nil, errors.New("ledger: fetch " + name + ": larger than any log file may be")
	}
	return b, nil
}
