package mirror_test

import (
	"archive/tar"
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/presswatch/presswatch/internal/mirror"
)

func copyDir(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// flipByte changes one byte in the middle of a file.
func flipByte(tb testing.TB, path string) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if len(b) == 0 {
		tb.Fatalf("%s is empty", path)
	}
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// rewriteManifestHash makes the manifest agree with file's current bytes.
func rewriteManifestHash(tb testing.TB, dir, file string) {
	tb.Helper()
	m, err := mirror.ReadManifest(dir)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		tb.Fatal(err)
	}
	e := m.Files[file]
	e.SHA256 = sha256Hex(b)
	m.Files[file] = e
	out, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, mirror.ManifestFile), out, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func mustExtract(tb testing.TB, archive, dir string) {
	tb.Helper()
	f, err := os.Open(archive)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	write := func(name string, r io.Reader) {
		if strings.Contains(name, "..") {
			tb.Fatalf("archive entry %q", name)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	if strings.HasSuffix(archive, ".zip") {
		fi, _ := f.Stat()
		zr, err := zip.NewReader(f, fi.Size())
		if err != nil {
			tb.Fatal(err)
		}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				tb.Fatal(err)
			}
			write(zf.Name, rc)
			rc.Close()
		}
		return
	}
	zr, err := zstd.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			tb.Fatal(err)
		}
		write(h.Name, tr)
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
