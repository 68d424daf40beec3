package mirror

import (
	"archive/tar"
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zstd"
)

// WriteArchive packs the mirror folder dir into one file: .tar.zst (tar
// compressed with Zstandard) or .zip, chosen by the name. Files are packed
// in name order with the manifest's times, so the same mirror gives the same
// archive.
func WriteArchive(dir, out string) (err error) {
	if err := CheckArchiveName(out); err != nil {
		return err
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(m.Files)+1)
	for f := range m.Files {
		names = append(names, f)
	}
	names = append(names, ManifestFile)
	sort.Strings(names)
	mtime := m.BuiltAt
	if mtime.IsZero() {
		mtime = time.Unix(0, 0)
	}

	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("mirror: archive: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("mirror: archive: %w", cerr)
		}
		if err != nil {
			os.Remove(out)
		}
	}()
	switch {
	case strings.HasSuffix(out, ".tar.zst") || strings.HasSuffix(out, ".tzst"):
		zw, err := zstd.NewWriter(f, zstd.WithEncoderConcurrency(1))
		if err != nil {
			return fmt.Errorf("mirror: archive: %w", err)
		}
		tw := tar.NewWriter(zw)
		for _, name := range names {
			if err := addTar(tw, dir, name, mtime); err != nil {
				return err
			}
		}
		if err := tw.Close(); err != nil {
			return fmt.Errorf("mirror: archive: %w", err)
		}
		if err := zw.Close(); err != nil {
			return fmt.Errorf("mirror: archive: %w", err)
		}
	case strings.HasSuffix(out, ".zip"):
		zw := zip.NewWriter(f)
		// klauspost's deflate at level 5 writes the same format as
		// compress/flate several times faster (a mirror is mostly HTML and
		// SVG, hundreds of megabytes); any unzip reads it.
		zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, 5) })
		for _, name := range names {
			if err := addZip(zw, dir, name, mtime); err != nil {
				return err
			}
		}
		if err := zw.Close(); err != nil {
			return fmt.Errorf("mirror: archive: %w", err)
		}
	}
	return nil
}

// CheckArchiveName reports whether WriteArchive can write an archive named
// out (.tar.zst or .zip): a caller checks it before the build, not after.
func CheckArchiveName(out string) error {
	if strings.HasSuffix(out, ".tar.zst") || strings.HasSuffix(out, ".tzst") || strings.HasSuffix(out, ".zip") {
		return nil
	}
	return fmt.Errorf("mirror: archive %s: the name must end in .tar.zst or .zip", out)
}

func addTar(tw *tar.Writer, dir, name string, mtime time.Time) error {
	src, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return fmt.Errorf("mirror: archive: %w", err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return fmt.Errorf("mirror: archive: %w", err)
	}
	hdr := &tar.Header{Name: name, Mode: 0o644, Size: fi.Size(), ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("mirror: archive %s: %w", name, err)
	}
	if _, err := io.Copy(tw, src); err != nil {
		return fmt.Errorf("mirror: archive %s: %w", name, err)
	}
	return nil
}

func addZip(zw *zip.Writer, dir, name string, mtime time.Time) error {
	src, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return fmt.Errorf("mirror: archive: %w", err)
	}
	defer src.Close()
	method := zip.Deflate
	if strings.HasSuffix(name, ".gz") || strings.HasSuffix(name, ".png") || strings.HasSuffix(name, ".wacz") {
		method = zip.Store
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: mtime})
	if err != nil {
		return fmt.Errorf("mirror: archive %s: %w", name, err)
	}
	if _, err := io.Copy(w, src); err != nil {
		return fmt.Errorf("mirror: archive %s: %w", name, err)
	}
	return nil
}
