package ledger

import (
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

func TestTilePath(t *testing.T) {
	tests := []struct {
		path string
		want TilePath
	}{
		{"tile/0/000", TilePath{0, 0, 256}},
		{"tile/0/x001/x234/067", TilePath{0, 1234067, 256}},
		{"tile/1/x001/000.p/17", TilePath{1, 1000, 17}},
		{"tile/entries/999.p/255", TilePath{EntriesLevel, 999, 255}},
		{"tile/entries/x123/x456/789", TilePath{EntriesLevel, 123456789, 256}},
		{"tile/63/000", TilePath{63, 0, 256}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := ParseTilePath(tt.path)
			if err != nil || got != tt.want {
				t.Fatalf("ParseTilePath = %+v, %v; want %+v", got, err, tt.want)
			}
			if got.String() != tt.path {
				t.Fatalf("String() = %q", got.String())
			}
		})
	}
	for _, bad := range []string{
		"", "tile/", "tile/0", "tile/0/", "tile/0/1", "tile/0/0001", "tile/00/000", "tile/-1/000",
		"tile/64/000", "tile/0/x000/001", "tile/0/001/002", "tile/0/x001", "tile/0/000.p/0",
		"tile/0/000.p/256", "tile/0/000.p/017", "tile/0/000.p/", "tile/data/000", "tile/8/0/000",
		"tile/0/+01", "tile/0/x1000/000", "tile/entries/000/", "/tile/0/000",
		"tile/0/x009/x223/x372/x036/x854/x775/808", // 2^63
	} {
		if got, err := ParseTilePath(bad); err == nil {
			t.Errorf("ParseTilePath(%q) = %+v, want error", bad, got)
		}
	}
}

// TestTilesForSize checks the files listed for a tree against x/mod's list of
// tiles (the same tiles under other paths).
func TestTilesForSize(t *testing.T) {
	for _, n := range []int64{0, 1, 255, 256, 257, 65535, 65536, 65537, 1_000_000} {
		var want []TilePath
		for _, tt := range tlog.NewTiles(TileHeight, 0, n) {
			w := tt.W
			want = append(want, TilePath{Level: tt.L, N: tt.N, Width: w})
		}
		got := map[TilePath]bool{}
		entries := 0
		for _, tt := range tilesForSize(n) {
			if tt.Level == EntriesLevel {
				entries++
				continue
			}
			got[tt] = true
		}
		if len(got) != len(want) {
			t.Fatalf("size %d: %d hash tiles, x/mod lists %d", n, len(got), len(want))
		}
		for _, w := range want {
			if !got[w] {
				t.Fatalf("size %d: missing %s", n, w)
			}
		}
		if wantEntries := (n + TileWidth - 1) / TileWidth; int64(entries) != wantEntries {
			t.Fatalf("size %d: %d entry bundles, want %d", n, entries, wantEntries)
		}
	}
}

func FuzzParseTilePath(f *testing.F) {
	for _, s := range []string{"tile/0/000", "tile/1/x001/000.p/17", "tile/entries/x123/x456/789", "tile/0/x000/001", "tile/00/000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tp, err := ParseTilePath(s)
		if err != nil {
			return
		}
		if tp.String() != s {
			t.Fatalf("ParseTilePath(%q).String() = %q", s, tp.String())
		}
		if tp.N < 0 || tp.Width < 1 || tp.Width > TileWidth || tp.Level < EntriesLevel || tp.Level > maxTileLevel {
			t.Fatalf("ParseTilePath(%q) = %+v out of range", s, tp)
		}
	})
}

func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte("example.org/log\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n"))
	f.Add([]byte("example.org/log\n0\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\next\n"))
	f.Add([]byte("o\n042\nAAAA\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCheckpoint(b)
		if err != nil {
			return
		}
		if string(c.Format()) != string(b) {
			t.Fatalf("Format(ParseCheckpoint(%q)) = %q", b, c.Format())
		}
	})
}

func FuzzParseEntryBundle(f *testing.F) {
	f.Add([]byte{0, 2, '{', '}', 0, 0})
	f.Add([]byte{0, 5, 'a'})
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := ParseEntryBundle(b)
		if err != nil {
			return
		}
		again, err := EncodeEntryBundle(entries)
		if err != nil || string(again) != string(b) {
			t.Fatalf("bundle does not round-trip: %v", err)
		}
	})
}

func FuzzParseEntry(f *testing.F) {
	f.Add([]byte(`{"kind":"withdrawal","ref":"PK-2024-0153","time":"2024-03-01T07:30:15Z"}`))
	f.Add([]byte(`{"data":{"a":[1,2.5,null]},"kind":"capture","ref":"c","sha256":"` + "0000000000000000000000000000000000000000000000000000000000000000" + `","time":"2024-03-01T07:30:15Z"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEntry(b)
		if err != nil {
			return
		}
		c, err := e.Canonical()
		if err != nil || string(c) != string(b) {
			t.Fatalf("ParseEntry accepted a non-canonical entry %q", b)
		}
	})
}
