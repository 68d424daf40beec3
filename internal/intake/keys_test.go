package intake

import (
	"bytes"
	"errors"
	"testing"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/domain"
)

func TestEditorKey(t *testing.T) {
	if testing.Short() {
		t.Skip("scrypt unlocks take ~0.2 s each")
	}
	public, wrapped, err := NewEditorKey("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRecipient(public); err != nil {
		t.Fatalf("public key %q: %v", public, err)
	}
	id, err := UnlockEditorKey(wrapped, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if id.Recipient().String() != public {
		t.Fatal("unlocked identity does not match public key")
	}
	if bytes.Contains(wrapped, []byte(id.String())) || bytes.Contains(wrapped, []byte("AGE-SECRET-KEY")) {
		t.Fatal("wrapped key contains the private key in clear")
	}

	t.Run("wrong password", func(t *testing.T) {
		_, err := UnlockEditorKey(wrapped, "wrong horse")
		if !errors.Is(err, ErrWrongPassword) || domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("err = %v, want ErrWrongPassword / EUNAUTHORIZED", err)
		}
	})
	t.Run("empty password", func(t *testing.T) {
		if _, _, err := NewEditorKey(""); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
		if _, err := UnlockEditorKey(wrapped, ""); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("err = %v, want ErrWrongPassword", err)
		}
	})
	t.Run("damaged", func(t *testing.T) {
		bad := bytes.Clone(wrapped)
		bad[len(bad)-1] ^= 1
		if _, err := UnlockEditorKey(bad, "correct horse"); err == nil || errors.Is(err, ErrWrongPassword) {
			t.Fatalf("err = %v, want a damage error", err)
		}
	})
	t.Run("rewrap", func(t *testing.T) {
		rewrapped, err := RewrapEditorKey(wrapped, "correct horse", "battery staple")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := UnlockEditorKey(rewrapped, "correct horse"); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("old password still opens: %v", err)
		}
		id2, err := UnlockEditorKey(rewrapped, "battery staple")
		if err != nil {
			t.Fatal(err)
		}
		if id2.String() != id.String() {
			t.Fatal("rewrap changed the identity")
		}
		if _, err := RewrapEditorKey(wrapped, "nope", "x"); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("rewrap with wrong password: %v", err)
		}
	})
}

func TestParseRecipient(t *testing.T) {
	id := MustIdentity(t)
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"x25519", id.Recipient().String(), true},
		{"spaces", "  " + id.Recipient().String() + "\n", true},
		{"identity not recipient", id.String(), false},
		{"empty", "", false},
		{"ssh key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", false},
		{"garbage", "age1notakey", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRecipient(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("code = %s", domain.ErrorCode(err))
			}
		})
	}
}

func TestReportKeyHierarchy(t *testing.T) {
	alice, bob, offline, carol := MustIdentity(t), MustIdentity(t), MustIdentity(t), MustIdentity(t)
	report, err := NewReportKey()
	if err != nil {
		t.Fatal(err)
	}
	envelope, err := SealReportKey(report, []age.Recipient{alice.Recipient(), bob.Recipient(), offline.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	// Content is sealed to the report key only.
	var blob bytes.Buffer
	w, err := Seal(&blob, []age.Recipient{report.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("the channel was told to drop the programme"))
	w.Close()

	for name, id := range map[string]*age.X25519Identity{"alice": alice, "bob": bob, "offline": offline} {
		got, err := OpenReportKey(envelope, id)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.String() != report.String() {
			t.Fatalf("%s opened a different key", name)
		}
	}
	if _, err := OpenReportKey(envelope, carol); !errors.Is(err, ErrNotRecipient) || domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("carol: err = %v, want ErrNotRecipient / EFORBIDDEN", err)
	}
	if _, err := Open(bytes.NewReader(blob.Bytes()), alice); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("an editor key opened content directly: %v", err)
	}

	// Carol joins, Bob leaves: only the envelope changes.
	envelope2, err := RewrapReportKey(envelope, []age.Identity{alice}, []age.Recipient{alice.Recipient(), carol.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	rk, err := OpenReportKey(envelope2, carol)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(bytes.NewReader(blob.Bytes()), rk)
	if err != nil {
		t.Fatal(err)
	}
	if got := MustReadAll(t, r); string(got) != "the channel was told to drop the programme" {
		t.Fatalf("content = %q", got)
	}
	if _, err := OpenReportKey(envelope2, bob); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("bob can still open the new envelope: %v", err)
	}
	if _, err := SealReportKey(report, nil); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("no recipients: err = %v", err)
	}
}

func BenchmarkUnlockEditorKey(b *testing.B) {
	_, wrapped, err := NewEditorKey("correct horse")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UnlockEditorKey(wrapped, "correct horse"); err != nil {
			b.Fatal(err)
		}
	}
}
