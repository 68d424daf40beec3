package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
)

func MustStore(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestPutOpenDelete(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"small", []byte("evidence")},
		{"large", bytes.Repeat([]byte("0123456789"), 200_000)},
	}
	s := MustStore(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ref, err := s.Put(ctx, bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(tc.data)
			if ref.SHA256 != hex.EncodeToString(sum[:]) || ref.Size != int64(len(tc.data)) {
				t.Fatalf("ref = %+v", ref)
			}
			if _, err := os.Stat(filepath.Join(s.Dir(), "sha256", ref.SHA256[:2], ref.SHA256[2:4], ref.SHA256)); err != nil {
				t.Fatalf("layout: %v", err)
			}
			again, err := s.Put(ctx, bytes.NewReader(tc.data))
			if err != nil || again != ref {
				t.Fatalf("second put = %+v, %v", again, err)
			}
			rc, err := s.Open(ctx, ref.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, tc.data) {
				t.Fatal("content differs")
			}
			if ok, err := s.Exists(ctx, ref.SHA256); !ok || err != nil {
				t.Fatalf("exists = %v, %v", ok, err)
			}
			if err := s.Delete(ctx, ref.SHA256); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Open(ctx, ref.SHA256); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("open after delete: %v", err)
			}
			if err := s.Delete(ctx, ref.SHA256); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("delete twice: %v", err)
			}
		})
	}
}

func TestInvalidHash(t *testing.T) {
	s := MustStore(t)
	for _, sha := range []string{"", "../../etc/passwd", "ABCDEF", string(bytes.Repeat([]byte("g"), 64))} {
		if _, err := s.Open(context.Background(), sha); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Open(%q) = %v", sha, err)
		}
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 3 {
		return 0, errors.New("disk on fire")
	}
	f.n++
	return copy(p, "partial"), nil
}

func TestInterruptedPutLeavesNothing(t *testing.T) {
	s := MustStore(t)
	if _, err := s.Put(context.Background(), &failingReader{}); err == nil {
		t.Fatal("want error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, bytes.NewReader([]byte("x"))); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled put: %v", err)
	}
	n := 0
	s.Walk(context.Background(), func(string) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d blobs after failed puts", n)
	}
	// Simulate a crash that left a temp file behind.
	if err := os.WriteFile(filepath.Join(s.Dir(), tempPrefix+"crash"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	removed, err := s.CleanTemp()
	if err != nil || removed != 1 {
		t.Fatalf("CleanTemp = %d, %v", removed, err)
	}
}
