package ledger

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	skey, err := LoadOrCreateKey(dir, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %o, want 600", fi.Mode().Perm())
	}
	again, err := LoadOrCreateKey(dir, testOrigin)
	if err != nil || again != skey {
		t.Fatalf("second load = %v, key changed: %v", err, again != skey)
	}
	if _, err := LoadOrCreateKey(dir, "other.example/log"); err == nil {
		t.Fatal("key for another origin accepted")
	}
	vkey, err := VerifierKey(skey)
	if err != nil || !strings.HasPrefix(vkey, testOrigin+"+") {
		t.Fatalf("VerifierKey = %q, %v", vkey, err)
	}
	os.Chmod(filepath.Join(dir, KeyFile), 0o644)
	if _, err := LoadKey(filepath.Join(dir, KeyFile)); err == nil {
		t.Fatal("world-readable key accepted")
	}
}

func TestSignRollback(t *testing.T) {
	ctx := context.Background()
	l := MustNewLog(t)
	MustAppend(t, l.Log, 0, 120)
	MustSign(t, l.Log)
	backup := l.store.Snapshot() // a backup taken at size 120
	MustAppend(t, l.Log, 120, 150)
	MustSign(t, l.Log)

	tests := []struct {
		name   string
		store  func() *MemoryStorage
		reason string
	}{
		{"restored older backup", func() *MemoryStorage { return backup.Snapshot() }, "log size 120 is below the last signed size 150"},
		{"restored and refilled with other entries", func() *MemoryStorage {
			s := backup.Snapshot()
			r := MustOpenLog(t, s, l.skey, t.TempDir()) // a log without the state, as an attacker would
			if _, err := r.AppendRaw(ctx, testEntries(t, 1000, 1040)); err != nil {
				t.Fatal(err)
			}
			return s
		}, "does not extend the checkpoint last signed at size 150"},
		{"same size, other entries", func() *MemoryStorage {
			s := backup.Snapshot()
			r := MustOpenLog(t, s, l.skey, t.TempDir())
			r.AppendRaw(ctx, testEntries(t, 1000, 1030))
			return s
		}, "entries were altered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.store()
			published, _ := s.ReadCheckpoint(ctx)
			restored := MustOpenLog(t, s, l.skey, l.stateDir)
			_, err := restored.Sign(ctx)
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("Sign = %v, want refusal", err)
			}
			if !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), "signing refused, the log is served read-only") {
				t.Fatalf("refusal %q does not say %q", err, tt.reason)
			}
			if restored.SigningRefused() == nil {
				t.Fatal("SigningRefused() = nil after a refusal")
			}
			// Nothing was published; the old checkpoint is still served.
			now, _ := s.ReadCheckpoint(ctx)
			if string(now) != string(published) {
				t.Fatal("a refused signing changed the published checkpoint")
			}
			// The outbox is not integrated into a tree behind the last signed one.
			if tt.name == "restored older backup" {
				s.Enqueue(testEntries(t, 5000, 5001)[0])
				if _, err := restored.Integrate(ctx, 10); !errors.Is(err, ErrRefused) {
					t.Fatalf("Integrate = %v, want refusal", err)
				}
			}
		})
	}

	// Putting the lost entries back from a mirror of the public files lets
	// signing resume; a mirror of a fork is refused and appends nothing.
	mirror := MustWriteStatic(t, l.Log)
	fork := MustOpenLog(t, backup.Snapshot(), l.skey, t.TempDir())
	MustAppend(t, fork.Log, 120, 140)
	fork.AppendRaw(ctx, testEntries(t, 9000, 9010))
	MustSign(t, fork.Log)
	s := backup.Snapshot()
	restored := MustOpenLog(t, s, l.skey, l.stateDir)
	if _, err := restored.RestoreFrom(ctx, DirSource(MustWriteStatic(t, fork.Log))); err == nil {
		t.Fatal("RestoreFrom accepted entries that do not make the last signed root")
	}
	if n, _ := s.Size(ctx); n != 120 {
		t.Fatalf("a refused restore appended: size %d", n)
	}
	n, err := restored.RestoreFrom(ctx, DirSource(mirror))
	if err != nil || n != 30 {
		t.Fatalf("RestoreFrom = %d, %v; want 30", n, err)
	}
	MustAppend(t, restored.Log, 150, 160)
	if _, err := restored.Sign(ctx); err != nil {
		t.Fatalf("Sign after recovery: %v", err)
	}
}

func TestSignUnchangedKeepsCheckpoint(t *testing.T) {
	ctx := context.Background()
	l := MustNewLog(t)
	MustAppend(t, l.Log, 0, 10)
	first := MustSign(t, l.Log)
	second := MustSign(t, l.Log)
	if string(first) != string(second) {
		t.Fatal("signing an unchanged tree changed the checkpoint")
	}
	last, err := os.ReadFile(filepath.Join(l.stateDir, LastSignedFile))
	if err != nil || string(last) != string(first) {
		t.Fatalf("last-signed file = %q, %v", last, err)
	}
	cp, err := l.PublishedTree(ctx)
	if err != nil || cp.Size != 10 {
		t.Fatalf("PublishedTree = %+v, %v", cp, err)
	}
}

// failingPublish fails WriteCheckpoint once, as a crash between writing the
// last-signed file and publishing would leave things.
type failingPublish struct {
	*MemoryStorage
	fail bool
}

func (f *failingPublish) WriteCheckpoint(ctx context.Context, note []byte) error {
	if f.fail {
		f.fail = false
		return errors.New("disk full")
	}
	return f.MemoryStorage.WriteCheckpoint(ctx, note)
}

func TestSignCrashBeforePublish(t *testing.T) {
	ctx := context.Background()
	base := MustNewLog(t)
	store := &failingPublish{MemoryStorage: base.store}
	l, err := New(Config{Origin: testOrigin, Storage: store, SignerKey: base.skey, StateDir: base.stateDir})
	if err != nil {
		t.Fatal(err)
	}
	MustAppend(t, l, 0, 50)
	MustSign(t, l)
	MustAppend(t, l, 50, 80)
	store.fail = true
	if _, err := l.Sign(ctx); err == nil {
		t.Fatal("Sign succeeded although publishing failed")
	}
	// last-signed already says 80; the published checkpoint still says 50.
	if cp, _ := l.PublishedTree(ctx); cp.Size != 50 {
		t.Fatalf("published size %d, want 50", cp.Size)
	}
	signed := MustSign(t, l) // the retry publishes size 80
	if cp, _ := l.PublishedTree(ctx); cp.Size != 80 {
		t.Fatalf("published size %d after retry, want 80", cp.Size)
	}
	if pub, _ := l.Checkpoint(ctx); string(pub) != string(signed) {
		t.Fatal("retry did not publish what it signed")
	}
}
