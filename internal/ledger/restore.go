package ledger

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// RestoreFrom puts back the entries a restored (older) database lost, reading
// them from a copy of the public files (a mirror folder or another server):
// the entries from the tree's size up to the last signed size. It appends them
// only if, with them, the tree's root equals the last signed root exactly, so
// nothing unproven enters the log. It returns how many entries it appended.
func (l *Log) RestoreFrom(ctx context.Context, src Source) (int, error) {
	if l.signer == nil {
		return 0, errors.New("ledger: restore needs the signing log (its last-signed file)")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	last, err := l.lastSigned()
	if err != nil {
		return 0, err
	}
	size, err := l.store.Size(ctx)
	if err != nil {
		return 0, fmt.Errorf("ledger: restore: %w", err)
	}
	if last == nil || size >= last.Size {
		return 0, nil
	}
	var entries [][]byte
	for n := size / TileWidth; n*TileWidth < last.Size; n++ {
		w := int(min(TileWidth, last.Size-n*TileWidth))
		b, err := src.ReadFile(ctx, TilePath{Level: EntriesLevel, N: n, Width: w}.String())
		if err != nil && w < TileWidth {
			// The copy may have grown since: the full bundle starts the same.
			b, err = src.ReadFile(ctx, TilePath{Level: EntriesLevel, N: n, Width: TileWidth}.String())
		}
		if err != nil {
			return 0, fmt.Errorf("ledger: restore: %w", err)
		}
		got, err := ParseEntryBundle(b)
		if err != nil || len(got) < w {
			return 0, fmt.Errorf("ledger: restore: entry bundle %d is malformed", n)
		}
		got = got[:w]
		lo := max(size-n*TileWidth, 0)
		entries = append(entries, got[lo:]...)
	}
	// Compute the stored hashes and the root without writing anything.
	r := &batchReader{ctx: ctx, store: l.store, base: tlog.StoredHashCount(size), cache: map[int64]tlog.Hash{}}
	for i, e := range entries {
		hs, err := tlog.StoredHashes(size+int64(i), e, r)
		if err != nil {
			return 0, fmt.Errorf("ledger: restore: %w", err)
		}
		r.pending = append(r.pending, hs...)
	}
	root, err := tlog.TreeHash(last.Size, r)
	if err != nil {
		return 0, fmt.Errorf("ledger: restore: %w", err)
	}
	if root != last.Hash {
		return 0, fmt.Errorf("ledger: restore: with the %d entries from the copy the root is %s, not the last signed %s; nothing appended", len(entries), root, last.Hash)
	}
	if err := l.store.AppendBatch(ctx, Batch{Start: size, Entries: entries, Hashes: r.pending}); err != nil {
		return 0, fmt.Errorf("ledger: restore: %w", err)
	}
	l.refused = nil
	return len(entries), nil
}
