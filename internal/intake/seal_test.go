package intake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/domain"
)

func TestSealedWriter(t *testing.T) {
	report := MustIdentity(t)
	canary := bytes.Repeat([]byte("CANARY-7f3a9 "), 40000) // ~520 kB, several age chunks
	tests := []struct {
		name    string
		content []byte
		limit   int64
		tooBig  bool
	}{
		{name: "empty", content: nil, limit: 10},
		{name: "small", content: []byte("hello"), limit: NoLimit},
		{name: "exactly limit", content: canary, limit: int64(len(canary))},
		{name: "over limit", content: canary, limit: int64(len(canary)) - 1, tooBig: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst bytes.Buffer
			sw, err := NewSealedWriter(&dst, tt.limit, report.Recipient())
			if err != nil {
				t.Fatal(err)
			}
			// Write in uneven pieces, as an HTTP body arrives.
			var werr error
			for rest := tt.content; len(rest) > 0 && werr == nil; {
				n := min(len(rest), 7777)
				_, werr = sw.Write(rest[:n])
				rest = rest[n:]
			}
			cerr := sw.Close()
			if tt.tooBig {
				var tl *TooLargeError
				if !errors.Is(werr, ErrTooLarge) || !errors.As(werr, &tl) || tl.Limit != tt.limit {
					t.Fatalf("write err = %v, want *TooLargeError", werr)
				}
				if domain.ErrorCode(werr) != domain.ETOOLARGE || !errors.Is(cerr, ErrTooLarge) {
					t.Fatalf("code %s, close err %v", domain.ErrorCode(werr), cerr)
				}
				if _, err := sw.Write([]byte("x")); !errors.Is(err, ErrTooLarge) {
					t.Fatalf("write after limit: %v", err)
				}
				return
			}
			if werr != nil || cerr != nil {
				t.Fatalf("write %v, close %v", werr, cerr)
			}
			sum := sw.Summary()
			ps, cs := sha256.Sum256(tt.content), sha256.Sum256(dst.Bytes())
			if sum.PlaintextSHA256 != hex.EncodeToString(ps[:]) || sum.CiphertextSHA256 != hex.EncodeToString(cs[:]) {
				t.Fatalf("summary hashes wrong: %+v", sum)
			}
			if sum.PlaintextSize != int64(len(tt.content)) || sum.CiphertextSize != int64(dst.Len()) {
				t.Fatalf("summary sizes wrong: %+v (cipher %d)", sum, dst.Len())
			}
			if len(tt.content) > 0 && bytes.Contains(dst.Bytes(), tt.content[:min(len(tt.content), 12)]) {
				t.Fatal("plaintext visible in ciphertext")
			}
			r, err := Open(bytes.NewReader(dst.Bytes()), report)
			if err != nil {
				t.Fatal(err)
			}
			if got := MustReadAll(t, r); !bytes.Equal(got, tt.content) {
				t.Fatalf("round trip: got %d bytes, want %d", len(got), len(tt.content))
			}
		})
	}
}

func TestOpenTampered(t *testing.T) {
	report := MustIdentity(t)
	var dst bytes.Buffer
	w, _ := Seal(&dst, []age.Recipient{report.Recipient()})
	w.Write(bytes.Repeat([]byte("a"), 200000))
	w.Close()
	b := dst.Bytes()
	b[len(b)-10] ^= 0x80
	r, err := Open(bytes.NewReader(b), report)
	if err != nil {
		t.Fatal(err) // the header is intact
	}
	if _, err := io.ReadAll(r); err == nil {
		t.Fatal("tampered ciphertext read without error")
	}
	if _, err := Seal(&dst, nil); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("seal to nobody: %v", err)
	}
}

func TestReseal(t *testing.T) {
	from, to := MustIdentity(t), MustIdentity(t)
	var a, b bytes.Buffer
	w, _ := Seal(&a, []age.Recipient{from.Recipient()})
	w.Write([]byte("export me"))
	w.Close()
	if err := Reseal(&b, &a, []age.Identity{from}, []age.Recipient{to.Recipient()}); err != nil {
		t.Fatal(err)
	}
	r, err := Open(&b, to)
	if err != nil {
		t.Fatal(err)
	}
	if got := MustReadAll(t, r); string(got) != "export me" {
		t.Fatalf("got %q", got)
	}
}

// BenchmarkSeal100MB seals a 100 MB stream in 32 KiB writes (as io.Copy from
// a request body does) to io.Discard; allocations per op show the memory
// stays bounded (a few age chunks), independent of the stream size.
func BenchmarkSeal100MB(b *testing.B) {
	const size = 100 << 20
	report := MustIdentity(b)
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 2048) // 32 KiB
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		sw, err := NewSealedWriter(io.Discard, size, report.Recipient())
		if err != nil {
			b.Fatal(err)
		}
		for written := 0; written < size; written += len(chunk) {
			if _, err := sw.Write(chunk); err != nil {
				b.Fatal(err)
			}
		}
		if err := sw.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNoPlaintextAtRest is SECURITY.md check 2 at the library level: a
// large upload made of a repeated canary, sealed into a file, leaves the
// canary nowhere on disk — not in the blob, not in the temporary folder.
func TestNoPlaintextAtRest(t *testing.T) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	canary := []byte("PLAINTEXT-CANARY-5b1e ")
	f, err := os.Create(filepath.Join(dir, "blob.age"))
	if err != nil {
		t.Fatal(err)
	}
	sw, err := NewSealedWriter(f, 8<<20, MustIdentity(t).Recipient())
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat(canary, 1000)
	for range 200 { // ≈ 4.4 MB
		if _, err := sw.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, canary[:12]) {
			t.Errorf("%s contains the plaintext canary", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCryptoShredding is SECURITY.md check 21 at the library level: once a
// report's key envelope is destroyed, its sealed content cannot be opened
// with any editor key or the offline key.
func TestCryptoShredding(t *testing.T) {
	editor, offline := MustIdentity(t), MustIdentity(t)
	report, err := NewReportKey()
	if err != nil {
		t.Fatal(err)
	}
	envelope, err := SealReportKey(report, []age.Recipient{editor.Recipient(), offline.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	var blob bytes.Buffer
	sw, err := NewSealedWriter(&blob, NoLimit, report.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	sw.Write([]byte("SHRED-CANARY"))
	sw.Close()
	if _, err := OpenReportKey(envelope, editor); err != nil {
		t.Fatal(err) // readable while the envelope exists
	}
	// Retention deletes the envelope row; from here on only the editor and
	// offline identities remain.
	for _, id := range []age.Identity{editor, offline} {
		if _, err := Open(bytes.NewReader(blob.Bytes()), id); !errors.Is(err, ErrNotRecipient) {
			t.Fatalf("content opened without the report key: %v", err)
		}
	}
	if bytes.Contains(blob.Bytes(), []byte("SHRED-CANARY")) {
		t.Fatal("canary visible in ciphertext")
	}
}
