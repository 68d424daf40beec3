package intake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
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
