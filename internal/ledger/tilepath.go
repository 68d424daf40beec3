package ledger

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// TilePath names one C2SP tlog-tiles file: a hash tile (Level ≥ 0) or an
// entry bundle (Level == EntriesLevel), tile index N, Width hashes or entries
// (TileWidth for a full tile).
type TilePath struct {
	Level int
	N     int64
	Width int
}

// EntriesLevel marks an entry bundle in a TilePath.
const EntriesLevel = -1

// maxTileLevel bounds hash tile levels: 64-bit indexes need at most 8.
const maxTileLevel = 63

// String returns the path relative to the log's root, e.g.
// "tile/0/x001/234/067.p/5" or "tile/entries/000".
func (t TilePath) String() string {
	var b strings.Builder
	b.WriteString("tile/")
	if t.Level == EntriesLevel {
		b.WriteString("entries")
	} else {
		b.WriteString(strconv.Itoa(t.Level))
	}
	b.WriteByte('/')
	b.WriteString(encodeTileIndex(t.N))
	if t.Width < TileWidth {
		b.WriteString(".p/")
		b.WriteString(strconv.Itoa(t.Width))
	}
	return b.String()
}

// encodeTileIndex writes n in groups of three digits, every group but the
// last prefixed with "x": 1234067 → "x001/x234/067".
func encodeTileIndex(n int64) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n /= 1000; n > 0; n /= 1000 {
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	return s
}

// ParseTilePath parses a path relative to the log's root, such as
// "tile/2/x001/000.p/17". It accepts only the canonical form String writes.
func ParseTilePath(p string) (TilePath, error) {
	bad := fmt.Errorf("ledger: %q is not a tlog-tiles path", p)
	rest, ok := strings.CutPrefix(p, "tile/")
	if !ok {
		return TilePath{}, bad
	}
	level, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return TilePath{}, bad
	}
	var t TilePath
	if level == "entries" {
		t.Level = EntriesLevel
	} else {
		l, err := strconv.Atoi(level)
		if err != nil || l < 0 || l > maxTileLevel || strconv.Itoa(l) != level {
			return TilePath{}, bad
		}
		t.Level = l
	}
	t.Width = TileWidth
	if idx, w, ok := strings.Cut(rest, ".p/"); ok {
		width, err := strconv.Atoi(w)
		if err != nil || width < 1 || width >= TileWidth || strconv.Itoa(width) != w {
			return TilePath{}, bad
		}
		t.Width, rest = width, idx
	}
	n, err := parseTileIndex(rest)
	if err != nil {
		return TilePath{}, bad
	}
	t.N = n
	if t.String() != p {
		return TilePath{}, bad
	}
	return t, nil
}

func parseTileIndex(s string) (int64, error) {
	parts := strings.Split(s, "/")
	if len(parts) > 7 {
		return 0, errors.New("index too long")
	}
	var n int64
	for i, part := range parts {
		if i < len(parts)-1 {
			var ok bool
			if part, ok = strings.CutPrefix(part, "x"); !ok {
				return 0, errors.New("missing x")
			}
		}
		if len(part) != 3 {
			return 0, errors.New("not three digits")
		}
		d, err := strconv.Atoi(part)
		if err != nil || d < 0 || part[0] == '+' || part[0] == '-' {
			return 0, errors.New("not digits")
		}
		if n > (1<<63-1-int64(d))/1000 {
			return 0, errors.New("index overflows")
		}
		n = n*1000 + int64(d)
	}
	return n, nil
}

// tilesForSize lists every file of a tree of size n: for each hash level the
// full tiles and the partial last one, and the entry bundles.
func tilesForSize(n int64) []TilePath {
	var out []TilePath
	for level := 0; ; level++ {
		count := n >> (TileHeight * level)
		if count == 0 || level > maxTileLevel {
			break
		}
		for i := int64(0); i*TileWidth < count; i++ {
			w := min(TileWidth, count-i*TileWidth)
			out = append(out, TilePath{Level: level, N: i, Width: int(w)})
			if level == 0 {
				out = append(out, TilePath{Level: EntriesLevel, N: i, Width: int(w)})
			}
		}
	}
	return out
}
