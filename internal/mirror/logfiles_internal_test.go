package mirror

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

func TestFullTile(t *testing.T) {
	for _, tc := range []struct {
		rel  string
		want bool
	}{
		{"log/tile/0/000", true},
		{"log/tile/entries/x001/234", true},
		{"log/tile/1/000.p/7", false},
		{"log/tile/entries/002.p/255", false},
		{"log/checkpoint", false},
		{"log/key", false},
		{"tile/0/000", false},
		{"log/tile/0/0", false},
	} {
		if got := fullTile(tc.rel); got != tc.want {
			t.Errorf("fullTile(%q) = %v, want %v", tc.rel, got, tc.want)
		}
	}
}

// An incremental build reads again every file of the log but the full
// tiles the previous manifest lists.
func TestHashLogFilesReusesFullTiles(t *testing.T) {
	out := t.TempDir()
	files := map[string]string{"log/tile/0/000": "full", "log/tile/0/001.p/3": "partial", "log/checkpoint": "note"}
	prev := &Manifest{Files: map[string]FileEntry{}}
	for rel, body := range files {
		p := filepath.Join(out, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		prev.Files[rel] = FileEntry{SHA256: "from the previous manifest", Size: int64(len(body)), Dep: "log"}
	}
	sha := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	for _, tc := range []struct {
		name      string
		reuseFull bool
		full      string // the full tile's manifest hash
	}{
		{"incremental", true, "from the previous manifest"},
		{"full build", false, sha("full")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &Manifest{Files: map[string]FileEntry{}}
			if _, err := hashLogFiles(out, tableOf(prev.Files), m.Files, tc.reuseFull); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"log/tile/0/000": tc.full, "log/tile/0/001.p/3": sha("partial"), "log/checkpoint": sha("note")}
			for rel, h := range want {
				if m.Files[rel].SHA256 != h {
					t.Errorf("%s: manifest hash %q, want %q", rel, m.Files[rel].SHA256, h)
				}
			}
		})
	}
}
