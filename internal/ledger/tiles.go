package ledger

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/presswatch/presswatch/internal/domain"
	"golang.org/x/mod/sumdb/tlog"
)

// ReadTile returns the content of tile t of the tree of size treeSize: the
// concatenated hashes of a hash tile, or an entry bundle (each entry
// prefixed by its 2-byte big-endian length). It fails with ENOTFOUND for a
// tile that the tree does not have.
func (l *Log) ReadTile(ctx context.Context, t TilePath, treeSize int64) ([]byte, error) {
	level := max(t.Level, 0)
	count := treeSize >> (TileHeight * level)
	if t.N < 0 || t.Width < 1 || t.Width > TileWidth || t.N > count/TileWidth || t.N*TileWidth+int64(t.Width) > count {
		return nil, domain.Errorf(domain.ENOTFOUND, "ledger: no tile %s in a tree of size %d", t, treeSize)
	}
	start := t.N * TileWidth
	if t.Level == EntriesLevel {
		entries, err := l.store.ReadEntries(ctx, start, start+int64(t.Width))
		if err != nil {
			return nil, fmt.Errorf("ledger: read %s: %w", t, err)
		}
		return EncodeEntryBundle(entries)
	}
	data, err := tlog.ReadTileData(tlog.Tile{H: TileHeight, L: t.Level, N: t.N, W: t.Width}, l.hashReader(ctx))
	if err != nil {
		return nil, fmt.Errorf("ledger: read %s: %w", t, err)
	}
	return data, nil
}

// EncodeEntryBundle writes entries as a C2SP tlog-tiles entry bundle.
func EncodeEntryBundle(entries [][]byte) ([]byte, error) {
	n := 0
	for _, e := range entries {
		if len(e) > MaxEntrySize {
			return nil, fmt.Errorf("ledger: entry of %d bytes does not fit a bundle", len(e))
		}
		n += 2 + len(e)
	}
	out := make([]byte, 0, n)
	for _, e := range entries {
		out = binary.BigEndian.AppendUint16(out, uint16(len(e)))
		out = append(out, e...)
	}
	return out, nil
}

// ParseEntryBundle splits an entry bundle into its entries, which alias b.
func ParseEntryBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("ledger: entry bundle ends inside a length")
		}
		n := int(binary.BigEndian.Uint16(b))
		b = b[2:]
		if n > len(b) {
			return nil, fmt.Errorf("ledger: entry bundle: entry %d is cut short", len(out))
		}
		out = append(out, b[:n:n])
		b = b[n:]
	}
	return out, nil
}
