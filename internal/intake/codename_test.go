package intake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/domain"
)

var testPepper = []byte("test pepper, not secret")

func TestWordlist(t *testing.T) {
	sum := sha256.Sum256([]byte(effLarge))
	if got, want := hex.EncodeToString(sum[:]), "addd35536511597a02fa0a9ff1e5284677b8883b83e986e43f15a3db996b903e"; got != want {
		t.Fatalf("embedded wordlist sha256 = %s, want EFF's %s", got, want)
	}
	words := Wordlist()
	if len(words) != 7776 {
		t.Fatalf("wordlist has %d words, want 7776", len(words))
	}
	for _, w := range words {
		if w != strings.ToLower(w) || strings.TrimSpace(w) != w {
			t.Errorf("word %q is not lower case without spaces", w)
		}
	}
}

func TestCodenameEntropy(t *testing.T) {
	if bits := CodenameEntropyBits(); bits < 88 {
		t.Fatalf("codename entropy %.2f bits < 88", bits)
	}
	if CodenameWords < 7 {
		t.Fatalf("CodenameWords = %d < 7", CodenameWords)
	}
}

func TestNewCodename(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c, err := NewCodename()
		if err != nil {
			t.Fatal(err)
		}
		if seen[c] {
			t.Fatalf("codename %q repeated", c)
		}
		seen[c] = true
		n, err := NormalizeCodename(c)
		if err != nil {
			t.Fatalf("NormalizeCodename(%q): %v", c, err)
		}
		if n != c {
			t.Fatalf("new codename %q is not canonical (%q)", c, n)
		}
	}
}

func TestNormalizeCodename(t *testing.T) {
	const canonical = "abacus zoom drop-down t-shirt yo-yo felt-tip zoology"
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "canonical", in: canonical, want: canonical},
		{name: "upper case", in: "ABACUS Zoom DROP-DOWN t-shirt Yo-Yo felt-tip zoology", want: canonical},
		{name: "extra spaces", in: "  abacus   zoom\tdrop-down\nt-shirt yo-yo  felt-tip zoology \r\n", want: canonical},
		{name: "non-breaking spaces", in: "abacus\u00a0zoom\u2003drop-down t-shirt yo-yo felt-tip zoology", want: canonical},
		{name: "fullwidth letters", in: "ａｂａｃｕｓ zoom drop-down t-shirt yo-yo felt-tip zoology", want: canonical},
		{name: "six words", in: "abacus zoom drop-down t-shirt yo-yo felt-tip", wantErr: true},
		{name: "eight words", in: canonical + " zoom", wantErr: true},
		{name: "unknown word", in: "abacus zoom drop-down t-shirt yo-yo felt-tip presswatch", wantErr: true},
		{name: "hyphen separated", in: "abacus-zoom-drop-down-t-shirt-yo-yo-felt-tip-zoology", wantErr: true},
		{name: "empty", in: "", wantErr: true},
		{name: "huge", in: strings.Repeat("zoom ", 200), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeCodename(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidCodename) || domain.ErrorCode(err) != domain.EINVALID {
					t.Fatalf("err = %v, want ErrInvalidCodename with EINVALID", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestDeriveSourceKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id derivations take ~0.1 s each")
	}
	c := MustCodename(t)
	k1, err := DeriveSourceKeys(c, testPepper)
	if err != nil {
		t.Fatal(err)
	}
	if len(k1.LookupKey) != 32 {
		t.Fatalf("lookup key is %d bytes", len(k1.LookupKey))
	}
	// Same codename typed differently: same keys.
	k2, err := DeriveSourceKeys("  "+strings.ToUpper(c)+"\n", testPepper)
	if err != nil {
		t.Fatal(err)
	}
	if !CodenameKeyEqual(k1.LookupKey, k2.LookupKey) || k1.Identity.String() != k2.Identity.String() {
		t.Fatal("normalised codename gave different keys")
	}
	if !bytes.Equal(CodenameKey(c, testPepper), k1.LookupKey) {
		t.Fatal("CodenameKey differs from DeriveSourceKeys")
	}
	// The stored value is not the codename, and the pepper matters.
	if bytes.Contains(k1.LookupKey, []byte(c)) {
		t.Fatal("lookup key contains the codename")
	}
	if CodenameKeyEqual(CodenameKey(c, []byte("other pepper")), k1.LookupKey) {
		t.Fatal("pepper does not change the lookup key")
	}
	// The lookup key and the identity are independent halves.
	if strings.Contains(k1.Identity.String(), hex.EncodeToString(k1.LookupKey)) {
		t.Fatal("identity reveals lookup key")
	}
	// Invalid input still derives (constant work) and reports the error.
	bad, err := DeriveSourceKeys("not a codename", testPepper)
	if !errors.Is(err, ErrInvalidCodename) || len(bad.LookupKey) != 32 {
		t.Fatalf("invalid codename: keys %x, err %v", bad.LookupKey, err)
	}
	// A reply sealed to the source's recipient opens with the re-derived identity.
	var buf bytes.Buffer
	w, err := Seal(&buf, []age.Recipient{k1.Identity.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("reply"))
	w.Close()
	r, err := Open(&buf, k2.Identity)
	if err != nil {
		t.Fatal(err)
	}
	if got := MustReadAll(t, r); string(got) != "reply" {
		t.Fatalf("reply = %q", got)
	}
}

func TestX25519IdentityFromScalar(t *testing.T) {
	for _, scalar := range [][]byte{make([]byte, 32), bytes.Repeat([]byte{0xff}, 32), []byte("0123456789abcdef0123456789abcdef")} {
		id, err := x25519IdentityFromScalar(scalar)
		if err != nil {
			t.Fatalf("scalar %x: %v", scalar, err)
		}
		if _, err := age.ParseX25519Identity(id.String()); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	}
	if _, err := x25519IdentityFromScalar(make([]byte, 31)); err == nil {
		t.Fatal("31-byte scalar accepted")
	}
}

// MustCodename returns a fresh codename or fails the test.
func MustCodename(tb testing.TB) string {
	tb.Helper()
	c, err := NewCodename()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// BenchmarkCodenameKey shows the cost of one derivation for a valid
// codename, an invalid one and random junk: the three must be equal, since
// login derives exactly once whatever the input (SECURITY.md check 14).
func BenchmarkCodenameKey(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"valid", MustCodename(b)},
		{"unknown-word", "abacus zoom drop-down t-shirt yo-yo felt-tip presswatch"},
		{"junk", "x"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				CodenameKey(bc.in, testPepper)
			}
		})
	}
}

func FuzzNormalizeCodename(f *testing.F) {
	f.Add("abacus zoom drop-down t-shirt yo-yo felt-tip zoology")
	f.Add("ABACUS\u00a0zoom drop-down t-shirt yo-yo felt-tip zoology")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeCodename(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidCodename) {
				t.Fatalf("unexpected error type: %v", err)
			}
			return
		}
		// Canonical output is a fixed point with exactly CodenameWords words.
		if n2, err := NormalizeCodename(n); err != nil || n2 != n {
			t.Fatalf("not idempotent: %q -> %q, %v", n, n2, err)
		}
		if len(strings.Split(n, " ")) != CodenameWords {
			t.Fatalf("%q does not have %d words", n, CodenameWords)
		}
	})
}
