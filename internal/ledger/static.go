package ledger

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteStatic writes the public files of the published checkpoint into dir,
// laid out as served under /log/: checkpoint, key, tile/... . Every tile path
// names immutable content, so files already present are kept, which makes a
// rebuild incremental; the checkpoint is written last, atomically, so a
// reader of dir never sees a checkpoint whose tiles are missing.
func (l *Log) WriteStatic(ctx context.Context, dir string) error {
	note, err := l.Checkpoint(ctx)
	if err != nil {
		return err
	}
	cp, err := l.PublishedTree(ctx)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("ledger: write static: %w", err)
	}
	made := map[string]bool{}
	for _, t := range tilesForSize(cp.Size) {
		if err := ctx.Err(); err != nil {
			return err
		}
		path := filepath.Join(dir, filepath.FromSlash(t.String()))
		if _, err := os.Stat(path); err == nil {
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("ledger: write static: %w", err)
		}
		b, err := l.ReadTile(ctx, t, cp.Size)
		if err != nil {
			return err
		}
		if d := filepath.Dir(path); !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("ledger: write static: %w", err)
			}
			made[d] = true
		}
		if err := writeFileAtomic(path, b, 0o644, false); err != nil {
			return err
		}
	}
	if l.vkey != "" {
		if err := writeFileAtomic(filepath.Join(dir, "key"), []byte(l.vkey+"\n"), 0o644, false); err != nil {
			return err
		}
	}
	return writeFileAtomic(filepath.Join(dir, "checkpoint"), note, 0o644, true)
}
