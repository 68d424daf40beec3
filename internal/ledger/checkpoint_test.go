package ledger

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
	"testing"

	tdlog "github.com/transparency-dev/formats/log"
	tdnote "github.com/transparency-dev/formats/note"
)

func TestParseCheckpoint(t *testing.T) {
	root := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	tests := []struct {
		name string
		text string
		ok   bool
	}{
		{"plain", "example.org/log\n42\n" + root + "\n", true},
		{"extension line", "example.org/log\n0\n" + root + "\nwitness-extension\n", true},
		{"no final newline", "example.org/log\n42\n" + root, false},
		{"leading zero", "example.org/log\n042\n" + root + "\n", false},
		{"negative", "example.org/log\n-1\n" + root + "\n", false},
		{"space in origin", "example org\n1\n" + root + "\n", false},
		{"empty origin", "\n1\n" + root + "\n", false},
		{"short hash", "o\n1\nAAAA\n", false},
		{"too few lines", "o\n1\n", false},
		{"empty extension", "o\n1\n" + root + "\n\n", false},
		{"overflow", "o\n99999999999999999999\n" + root + "\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCheckpoint([]byte(tt.text))
			if (err == nil) != tt.ok {
				t.Fatalf("ParseCheckpoint err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && string(c.Format()) != tt.text {
				t.Fatalf("Format() = %q, want %q", c.Format(), tt.text)
			}
		})
	}
}

// TestCheckpointIndependentParsers checks a signed checkpoint with
// transparency-dev/formats (C2SP parser and note verifier) and with a
// signature check written from the signed-note spec on crypto/ed25519.
func TestCheckpointIndependentParsers(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{0, 1, 300, 70_000} {
		if testing.Short() && n > 1000 {
			continue
		}
		l := MustNewLog(t)
		MustAppend(t, l.Log, 0, n)
		signed := MustSign(t, l.Log)
		root, _ := l.Root(ctx, int64(n))

		v, err := tdnote.NewVerifier(l.vkey)
		if err != nil {
			t.Fatal(err)
		}
		cp, _, _, err := tdlog.ParseCheckpoint(signed, testOrigin, v)
		if err != nil {
			t.Fatalf("formats/log.ParseCheckpoint: %v", err)
		}
		if cp.Size != uint64(n) || !bytes.Equal(cp.Hash, root[:]) || cp.Origin != testOrigin {
			t.Fatalf("formats/log parsed %+v, want size %d root %x", cp, n, root)
		}
		if err := verifyNoteByHand(signed, l.vkey); err != nil {
			t.Fatalf("hand-written signed-note check: %v", err)
		}
		// A changed byte in the body breaks the signature.
		bad := bytes.Replace(signed, []byte("\n"+itoa(n)+"\n"), []byte("\n"+itoa(n+1)+"\n"), 1)
		if _, _, _, err := tdlog.ParseCheckpoint(bad, testOrigin, v); err == nil {
			t.Fatal("altered checkpoint verified")
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// verifyNoteByHand checks an Ed25519 signed note per C2SP signed-note
// without golang.org/x/mod/sumdb/note.
func verifyNoteByHand(msg []byte, vkey string) error {
	parts := strings.SplitN(vkey, "+", 3)
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 33 || key[0] != 1 {
		return errString("bad vkey")
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n"), key...))
	wantHash := binary.BigEndian.Uint32(h[:4])
	text, sigs, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok {
		return errString("no blank line")
	}
	text = append(text, '\n')
	for _, line := range strings.Split(strings.TrimSuffix(string(sigs), "\n"), "\n") {
		name, b64, ok := strings.Cut(strings.TrimPrefix(line, "\u2014 "), " ")
		if !ok || name != parts[0] {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != 4+64 || binary.BigEndian.Uint32(raw) != wantHash {
			continue
		}
		if ed25519.Verify(ed25519.PublicKey(key[1:]), text, raw[4:]) {
			return nil
		}
		return errString("signature does not verify")
	}
	return errString("no signature by the key")
}

type errString string

func (e errString) Error() string { return string(e) }
