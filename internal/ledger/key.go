package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// KeyFile is the signing key's file name inside the log folder.
const KeyFile = "signing.key"

// GenerateKey returns a new Ed25519 signed-note key pair named origin: skey
// signs checkpoints, vkey is what readers use to verify them.
func GenerateKey(origin string) (skey, vkey string, err error) {
	if !validOrigin(origin) {
		return "", "", fmt.Errorf("ledger: origin %q must be non-empty without spaces or '+'", origin)
	}
	skey, vkey, err = note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", "", fmt.Errorf("ledger: generate key: %w", err)
	}
	return skey, vkey, nil
}

// VerifierKey returns the verifier key for the signer key skey.
func VerifierKey(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("ledger: malformed signer key")
	}
	if _, err := note.NewSigner(skey); err != nil {
		return "", fmt.Errorf("ledger: signer key: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("ledger: signer key is not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// LoadOrCreateKey returns the signer key stored in dir/signing.key, creating
// dir (0700) and the key (0600) for origin when there is none. A key made for
// another origin is an error: the origin is part of every checkpoint.
func LoadOrCreateKey(dir, origin string) (string, error) {
	path := filepath.Join(dir, KeyFile)
	skey, err := LoadKey(path)
	if err == nil {
		if name := strings.SplitN(skey, "+", 4)[2]; name != origin {
			return "", fmt.Errorf("ledger: the key in %s is for origin %q, not %q", path, name, origin)
		}
		return skey, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	skey, _, err = GenerateKey(origin)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("ledger: create key folder: %w", err)
	}
	if err := writeFileAtomic(path, []byte(skey+"\n"), 0o600, true); err != nil {
		return "", err
	}
	return skey, nil
}

// LoadKey reads a signer key file, refusing one that others can read.
func LoadKey(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("ledger: signing key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("ledger: signing key %s is readable by others (mode %o); run chmod 600", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("ledger: signing key: %w", err)
	}
	skey := strings.TrimSpace(string(b))
	if _, err := VerifierKey(skey); err != nil {
		return "", fmt.Errorf("ledger: signing key %s: %w", path, err)
	}
	return skey, nil
}

// writeFileAtomic writes data to path through a temporary file and a rename,
// so readers see the old or the new content, never a mix. With durable, the
// data and the folder are synced before it returns.
func writeFileAtomic(path string, data []byte, perm os.FileMode, durable bool) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("ledger: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("ledger: write %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return fmt.Errorf("ledger: write %s: %w", path, err)
	}
	if durable {
		if err := f.Sync(); err != nil {
			f.Close()
			return fmt.Errorf("ledger: sync %s: %w", path, err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("ledger: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("ledger: write %s: %w", path, err)
	}
	if durable {
		d, err := os.Open(dir)
		if err != nil {
			return fmt.Errorf("ledger: sync folder of %s: %w", path, err)
		}
		defer d.Close()
		if err := d.Sync(); err != nil {
			return fmt.Errorf("ledger: sync folder of %s: %w", path, err)
		}
	}
	return nil
}
