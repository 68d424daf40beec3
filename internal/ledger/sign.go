package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/presswatch/presswatch/internal/domain"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// LastSignedFile is the name, inside the state folder, of the file holding the
// last checkpoint this instance signed.
const LastSignedFile = "last-signed"

// RefusedError says why the signer refused to sign: the tree in the database
// is smaller than, or inconsistent with, the last checkpoint it signed.
type RefusedError struct {
	Reason string
}

func (e *RefusedError) Error() string { return e.Reason }

// ErrRefused matches every *RefusedError with errors.Is.
var ErrRefused = errors.New("ledger: signing refused")

// Is makes errors.Is(err, ErrRefused) true for a *RefusedError.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

func rollbackMessage(size, signed int64) string {
	return fmt.Sprintf("the database looks restored from an older backup: log size %d is below the last signed size %d; signing refused, the log is served read-only", size, signed)
}

func (l *Log) refuse(reason string) error {
	err := &RefusedError{Reason: reason}
	l.refused = err
	return err
}

// SigningRefused returns the reason the last signing attempt was refused, or
// nil when signing works (or was not tried).
func (l *Log) SigningRefused() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refused
}

func (l *Log) lastSignedPath() string { return filepath.Join(l.stateDir, LastSignedFile) }

// lastSigned reads the last signed checkpoint, nil if this signer never signed.
func (l *Log) lastSigned() (*Checkpoint, error) {
	b, err := os.ReadFile(l.lastSignedPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("ledger: read last signed checkpoint: %w", err)
	}
	c, _, err := OpenCheckpoint(b, l.verifier)
	if err != nil {
		return nil, fmt.Errorf("ledger: last signed checkpoint %s: %w", l.lastSignedPath(), err)
	}
	return &c, nil
}

// Sign signs a checkpoint for the whole tree and publishes it. It refuses
// (with a *RefusedError) a tree smaller than, or not an extension of, the
// last one it signed. The new checkpoint is written durably to the
// last-signed file before it is published. Signing an unchanged tree keeps
// the published checkpoint and its cosignatures.
func (l *Log) Sign(ctx context.Context) ([]byte, error) {
	if l.signer == nil {
		return nil, domain.Errorf(domain.EFORBIDDEN, "ledger: this log was opened without a signing key")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	size, err := l.store.Size(ctx)
	if err != nil {
		return nil, fmt.Errorf("ledger: sign: %w", err)
	}
	root, err := tlog.TreeHash(size, l.hashReader(ctx))
	if err != nil {
		return nil, fmt.Errorf("ledger: sign: root at %d: %w", size, err)
	}
	last, err := l.lastSigned()
	if err != nil {
		return nil, err
	}
	if last != nil {
		switch {
		case size < last.Size:
			return nil, l.refuse(rollbackMessage(size, last.Size))
		case size == last.Size && root != last.Hash:
			return nil, l.refuse(fmt.Sprintf("the log at size %d has root %s but the checkpoint last signed at that size has root %s: entries were altered; signing refused, the log is served read-only", size, root, last.Hash))
		case size > last.Size:
			p, err := l.ProveConsistency(ctx, last.Size, size)
			if err == nil && last.Size > 0 {
				err = tlog.CheckTree(p, size, root, last.Size, last.Hash)
			}
			if err != nil {
				return nil, l.refuse(fmt.Sprintf("the log of size %d does not extend the checkpoint last signed at size %d (%v): entries were altered or an older database was restored and refilled; signing refused, the log is served read-only", size, last.Size, err))
			}
		}
	}
	l.refused = nil
	text := Checkpoint{Origin: l.origin, Size: size, Hash: root}.Format()
	if last != nil && last.Size == size {
		if cur, err := l.store.ReadCheckpoint(ctx); err == nil {
			if n, err := note.Open(cur, note.VerifierList(l.verifier)); err == nil && n.Text == string(text) {
				return cur, nil
			}
		}
	}
	signed, err := note.Sign(&note.Note{Text: string(text)}, l.signer)
	if err != nil {
		return nil, fmt.Errorf("ledger: sign: %w", err)
	}
	if err := os.MkdirAll(l.stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("ledger: sign: %w", err)
	}
	if err := writeFileAtomic(l.lastSignedPath(), signed, 0o600, true); err != nil {
		return nil, err
	}
	if err := l.store.WriteCheckpoint(ctx, signed); err != nil {
		return nil, fmt.Errorf("ledger: publish checkpoint: %w", err)
	}
	return signed, nil
}

// Checkpoint returns the published checkpoint note, with any cosignatures.
func (l *Log) Checkpoint(ctx context.Context) ([]byte, error) {
	b, err := l.store.ReadCheckpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("ledger: checkpoint: %w", err)
	}
	return b, nil
}

// PublishedTree returns the tree the published checkpoint commits to. The
// signature is not checked (the log may be opened without the key): the
// checkpoint comes from the log's own storage.
func (l *Log) PublishedTree(ctx context.Context) (Checkpoint, error) {
	b, err := l.Checkpoint(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	text, _, ok := bytes.Cut(b, []byte("\n\n"))
	if !ok {
		return Checkpoint{}, errors.New("ledger: published checkpoint is not a signed note")
	}
	return ParseCheckpoint(append(text, '\n'))
}
