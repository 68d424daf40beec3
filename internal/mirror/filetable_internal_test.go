package mirror

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// randomFiles is a manifest's files: names with the characters JSON
// escapes among thousands of plain ones, every kind of dep.
func randomFiles(r *rand.Rand, n int, odd bool) map[string]FileEntry {
	names := []string{}
	if odd {
		names = append(names, `odd "quoted" \ name.html`, "a<b>&c.html", "tab\there.html", "é/ü.html", "\u2028line.html")
	}
	for i := range n {
		names = append(names, fmt.Sprintf("incidents/PK-%d/PK-%d-%04d.html", 2020+i%7, 2020+i%7, i))
	}
	deps := []string{"", "immutable", "log", "incident:PK-2024-0001", "filter:country=PK", "block:3:country=PK"}
	if odd {
		deps = append(deps, "filter:category=a&b") // JSON escapes &
	}
	files := map[string]FileEntry{}
	for _, name := range names {
		e := FileEntry{SHA256: fmt.Sprintf("%064x", r.Uint64()), Size: r.Int64N(1 << 40), Dep: deps[r.IntN(len(deps))]}
		if r.IntN(4) == 0 {
			e.Stable = fmt.Sprintf("%064x", r.Uint64())
		}
		files[name] = e
	}
	return files
}

// previous reads a manifest writeManifest wrote as a table of its bytes
// (or, with names JSON escapes, through encoding/json), and the table
// answers as the map did.
func TestPreviousReadsTheManifestWritten(t *testing.T) {
	for _, odd := range []bool{false, true} {
		t.Run(fmt.Sprintf("odd names %v", odd), func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			m := &Manifest{Format: ManifestFormat, Generator: "g", BuiltAt: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), LogSize: 7,
				Checkpoint: "origin\n7\n", Files: randomFiles(r, 2000, odd)}
			dir := t.TempDir()
			if err := writeManifest(dir, m); err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
			if _, _, ok := decodeManifestTable(raw); ok == odd {
				t.Errorf("the table read from the bytes: %v, want %v", ok, !odd)
			}
			head, table, ok := previous(dir)
			if !ok {
				t.Fatal("previous found no manifest")
			}
			if head.LogSize != 7 || head.Checkpoint != "origin\n7\n" || head.Files != nil {
				t.Errorf("head %+v", head)
			}
			if table.len() != len(m.Files) {
				t.Fatalf("%d files, want %d", table.len(), len(m.Files))
			}
			for name, want := range m.Files {
				got, ok := table.get(name)
				if !ok || got != want {
					t.Fatalf("get(%q) = %+v, %v; want %+v", name, got, ok, want)
				}
				if i := table.find(name); table.dep(i) != want.Dep {
					t.Fatalf("dep(%q) = %q, want %q", name, table.dep(i), want.Dep)
				}
			}
			if _, ok := table.get("incidents/none.html"); ok {
				t.Error("get found a file the manifest does not list")
			}
			if !reflect.DeepEqual(table.decodeAll(), m.Files) {
				t.Error("Map differs from the files written")
			}
		})
	}
}

// A manifest that is not as writeManifest writes it is read through
// encoding/json: names out of order, twice, escaped, or a brace in a value.
func TestPreviousFallsBackToJSON(t *testing.T) {
	for _, tc := range []struct{ name, files string }{
		{"out of order", `"b":{"sha256":"x","size":1},"a":{"sha256":"y","size":2,"dep":"d"}`},
		{"twice", `"a":{"sha256":"x","size":1},"a":{"sha256":"y","size":2,"dep":"d"}`},
		{"escaped", `"\u0061":{"sha256":"y","size":2,"dep":"d"}`},
		{"brace in a value", `"a":{"sha256":"y","size":2,"dep":"d}"}`},
		{"spaces", `"a": {"sha256":"y","size":2,"dep":"d"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(`{"format":4,"files":{`+tc.files+"}}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			want, err := ReadManifest(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, table, ok := previous(dir)
			if !ok {
				t.Fatal("previous refused a manifest encoding/json reads")
			}
			if !reflect.DeepEqual(table.decodeAll(), want.Files) {
				t.Errorf("table %+v, json.Unmarshal %+v", table.decodeAll(), want.Files)
			}
		})
	}
}

// The manifest a build writes from this build's files and the previous
// one's carried entries is byte for byte the one encodeManifest writes of
// them all.
func TestCarriedEntriesAreWrittenAsEncoded(t *testing.T) {
	for _, odd := range []bool{false, true} {
		t.Run(fmt.Sprintf("odd names %v", odd), func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, 6))
			prevFiles := randomFiles(r, 3000, odd)
			var raw bytes.Buffer
			if err := encodeManifest(&raw, &Manifest{Format: ManifestFormat, Files: prevFiles}); err != nil {
				t.Fatal(err)
			}
			_, table, ok := decodeManifestTable(raw.Bytes())
			if !ok {
				table = tableOf(prevFiles)
			}
			// This build renders a third of the previous files again
			// (new bytes), adds some, and carries or drops the rest.
			cur := map[string]FileEntry{}
			all := map[string]FileEntry{}
			carry := make([]bool, table.len())
			for i, name := range table.names {
				switch r.IntN(3) {
				case 0:
					cur[name] = FileEntry{SHA256: "new", Size: 1}
					all[name] = cur[name]
				case 1:
					carry[i] = true
					all[name] = prevFiles[name]
				}
			}
			for i := range 500 {
				name := fmt.Sprintf("incidents/new-%d.html", i)
				cur[name] = FileEntry{SHA256: "added", Size: int64(i), Dep: "incident:X"}
				all[name] = cur[name]
			}
			head := &Manifest{Format: ManifestFormat, Generator: "g", LogSize: 9}
			var got, want bytes.Buffer
			if err := encodeManifestFiles(&got, head, cur, table, carry); err != nil {
				t.Fatal(err)
			}
			head.Files = all
			if err := encodeManifest(&want, head); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("merged manifest differs:\n got %.400q\nwant %.400q", got.Bytes(), want.Bytes())
			}
		})
	}
}

// BenchmarkPreviousManifest reads a manifest the size of a mirror of
// 100,000 incidents (455,000 files) as a build does.
func BenchmarkPreviousManifest(b *testing.B) {
	m := &Manifest{Format: 1, Generator: "bench", Files: make(map[string]FileEntry, 455_000)}
	for i := range 455_000 {
		m.Files[fmt.Sprintf("ur/incidents/PK-2024/PK-2024-%06d.html", i)] = FileEntry{SHA256: fmt.Sprintf("%064x", i), Size: int64(i), Dep: "incident:PK-2024-" + fmt.Sprint(i)}
	}
	dir := b.TempDir()
	if err := writeManifest(dir, m); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, t, ok := previous(dir); !ok || t.len() != 455_000 {
			b.Fatal("not read")
		}
	}
}
