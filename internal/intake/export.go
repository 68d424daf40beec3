package intake

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/domain"
)

// An export is a tar file of sealed data only, for the offline-key model:
//
//	presswatch-intake-export/manifest.json            metadata of every report
//	report-<id>/envelope.age                          the report key, sealed
//	report-<id>/message-<mid>.age                     sealed message JSON
//	report-<id>/attachment-<aid>.meta.age             sealed name and type
//	report-<id>/attachment-<aid>.age                  sealed file
//
// Entries of a report follow its envelope, so DecryptExport works in one
// pass. Nothing in it is readable without an editor's or the offline key.

const exportManifest = "manifest.json"

// ExportReport is one report's metadata in an export manifest.
type ExportReport struct {
	ID        int64     `json:"id"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Export writes every report's sealed data to w as a tar file. by is the
// admin (nil: the command line).
func (s *Service) Export(ctx context.Context, by *domain.User, w io.Writer) (int, error) {
	if by != nil && by.Role != domain.RoleAdmin {
		return 0, domain.Errorf(domain.EFORBIDDEN, "Only admins can export reports.")
	}
	reports, err := s.o.Store.ListReports(ctx, domain.IntakeFilter{Limit: 1000})
	if err != nil {
		return 0, err
	}
	tw := tar.NewWriter(w)
	now := s.o.Now()
	add := func(name string, b []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: now}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	var manifest []ExportReport
	for _, r := range reports {
		manifest = append(manifest, ExportReport{ID: r.ID, Status: r.Status, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt})
	}
	mb, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return 0, fmt.Errorf("intake: export: %w", err)
	}
	if err := add(exportManifest, mb); err != nil {
		return 0, fmt.Errorf("intake: export: %w", err)
	}
	for _, r := range reports {
		dir := fmt.Sprintf("report-%d/", r.ID)
		env, err := s.o.Store.Envelope(ctx, r.ID)
		if err != nil {
			return 0, err
		}
		if err := add(dir+"envelope.age", env); err != nil {
			return 0, fmt.Errorf("intake: export: %w", err)
		}
		msgs, err := s.o.Store.Messages(ctx, r.ID)
		if err != nil {
			return 0, err
		}
		for _, m := range msgs {
			if err := add(fmt.Sprintf("%smessage-%d-%s.age", dir, m.ID, m.Direction), m.Sealed); err != nil {
				return 0, fmt.Errorf("intake: export: %w", err)
			}
		}
		atts, err := s.o.Store.Attachments(ctx, r.ID)
		if err != nil {
			return 0, err
		}
		for _, a := range atts {
			if err := add(fmt.Sprintf("%sattachment-%d.meta.age", dir, a.ID), a.SealedMeta); err != nil {
				return 0, fmt.Errorf("intake: export: %w", err)
			}
			if err := s.exportBlob(ctx, tw, fmt.Sprintf("%sattachment-%d.age", dir, a.ID), a, now); err != nil {
				return 0, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return 0, fmt.Errorf("intake: export: %w", err)
	}
	return len(reports), nil
}

func (s *Service) exportBlob(ctx context.Context, tw *tar.Writer, name string, a *domain.IntakeAttachment, now time.Time) error {
	f, err := s.o.Blobs.Open(ctx, a.BlobSHA256)
	if err != nil {
		if domain.IsCode(err, domain.ENOTFOUND) {
			return nil // flagged missing; the manifest still lists the report
		}
		return err
	}
	defer f.Close()
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: a.CipherSize, ModTime: now}); err != nil {
		return fmt.Errorf("intake: export: %w", err)
	}
	if _, err := io.Copy(tw, f); err != nil {
		return fmt.Errorf("intake: export %s: %w", name, err)
	}
	return nil
}

var (
	reReportDir = regexp.MustCompile(`^report-([0-9]+)/(envelope\.age|message-([0-9]+)-(source|editors)\.age|attachment-([0-9]+)\.meta\.age|attachment-([0-9]+)\.age)$`)
	reUnsafe    = regexp.MustCompile(`[^\p{L}\p{N}._ -]+`)
)

// safeName turns a source's file name into a harmless local one.
func safeName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = reUnsafe.ReplaceAllString(name, "_")
	name = strings.Trim(name, ". ")
	if len(name) > 100 {
		name = name[len(name)-100:]
	}
	if name == "" {
		name = "file"
	}
	return name
}

// DecryptExport opens an export with identities (an editor's or the offline
// key) and writes plaintext into outDir: report-<id>/message-<mid>.json and
// report-<id>/attachment-<aid>-<safe original name>. It returns the number
// of reports opened; reports not sealed to identities are skipped.
func DecryptExport(r io.Reader, outDir string, identities ...age.Identity) (opened, skipped int, err error) {
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return 0, 0, fmt.Errorf("intake: decrypt: %w", err)
	}
	tr := tar.NewReader(r)
	keys := map[string]*age.X25519Identity{}
	names := map[string]string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return opened, skipped, fmt.Errorf("intake: decrypt: read export: %w", err)
		}
		if h.Name == exportManifest {
			b, err := io.ReadAll(io.LimitReader(tr, 64<<20))
			if err != nil {
				return opened, skipped, fmt.Errorf("intake: decrypt: %w", err)
			}
			if err := os.WriteFile(filepath.Join(outDir, exportManifest), b, 0o600); err != nil {
				return opened, skipped, fmt.Errorf("intake: decrypt: %w", err)
			}
			continue
		}
		m := reReportDir.FindStringSubmatch(h.Name)
		if m == nil {
			return opened, skipped, domain.Errorf(domain.EINVALID, "Unexpected entry %q in the export.", h.Name)
		}
		rid := m[1]
		dir := filepath.Join(outDir, "report-"+rid)
		switch {
		case m[2] == "envelope.age":
			b, err := io.ReadAll(io.LimitReader(tr, maxEnvelope))
			if err != nil {
				return opened, skipped, fmt.Errorf("intake: decrypt: %w", err)
			}
			k, err := OpenReportKey(b, identities...)
			if errors.Is(err, ErrNotRecipient) {
				skipped++
				continue
			} else if err != nil {
				return opened, skipped, err
			}
			keys[rid] = k
			opened++
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return opened, skipped, fmt.Errorf("intake: decrypt: %w", err)
			}
		case keys[rid] == nil:
			continue
		case m[3] != "":
			b, err := io.ReadAll(io.LimitReader(tr, MaxTextBytes*8))
			if err != nil {
				return opened, skipped, fmt.Errorf("intake: decrypt: %w", err)
			}
			ids := append([]age.Identity{keys[rid]}, identities...)
			plain, err := openBytes(b, MaxTextBytes*8, ids...)
			if err != nil {
				return opened, skipped, err
			}
			var out bytes.Buffer
			if err := json.Indent(&out, plain, "", "  "); err != nil {
				out.Reset()
				out.Write(plain)
			}
			if err := os.WriteFile(filepath.Join(dir, "message-"+m[3]+"-"+m[4]+".json"), out.Bytes(), 0o600); err != nil {
				return opened, skipped, fmt.Errorf("intake: decrypt: %w", err)
			}
		case m[5] != "":
			b, err := io.ReadAll(io.LimitReader(tr, 4096))
			if err != nil {
				return opened, skipped, fmt.Errorf("intake: decrypt: %w", err)
			}
			plain, err := openBytes(b, 4096, keys[rid])
			if err != nil {
				return opened, skipped, err
			}
			var meta attachmentMeta
			if err := json.Unmarshal(plain, &meta); err != nil {
				return opened, skipped, fmt.Errorf("intake: decrypt: attachment meta: %w", err)
			}
			names[rid+"/"+m[5]] = safeName(meta.Name)
		case m[6] != "":
			id, _ := strconv.ParseInt(m[6], 10, 64)
			name := fmt.Sprintf("attachment-%d-%s", id, names[rid+"/"+m[6]])
			if err := decryptTo(filepath.Join(dir, name), tr, keys[rid]); err != nil {
				return opened, skipped, err
			}
		}
	}
	return opened, skipped, nil
}

func decryptTo(dst string, r io.Reader, key age.Identity) error {
	pr, err := Open(r, key)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("intake: decrypt: %w", err)
	}
	if _, err := io.Copy(f, pr); err != nil {
		f.Close()
		os.Remove(dst)
		return fmt.Errorf("intake: decrypt %s: %w", filepath.Base(dst), err)
	}
	return f.Close()
}
