package mirror

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// The streamed manifest is byte for byte what json.Marshal writes, so any
// JSON reader (ReadManifest, the watch list, a reader's own tools) reads it.
func TestEncodeManifestIsJSONMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	names := []string{"index.html", `odd "quoted" \ name.html`, "a<b>&c.html", "lt<.html", "gt>.html", "amp&.html", "ur/incidents/PK-2024-0001/index.html",
		"tab\there.html", "é/ü.html", "\u2028line.html", "bad\xffutf8.html"}
	for i := range 3000 {
		names = append(names, fmt.Sprintf("incidents/PK-2024-%04d/index.html", i))
	}
	deps := []string{"", "immutable", "log", "incident:PK-2024-0001", "filter:country=PK", "filter:category=a&b"}
	m := &Manifest{Format: 1, Generator: "test <1>", BuiltAt: time.Date(2026, 11, 30, 1, 2, 3, 4, time.UTC),
		BaseURL: "https://mirror.example/", LogSize: 42, LogRoot: "cm9vdA==", Checkpoint: "origin\n42\n", Files: map[string]FileEntry{}}
	for _, n := range names {
		e := FileEntry{SHA256: fmt.Sprintf("%064x", r.Uint64()), Size: r.Int64N(1 << 40), Dep: deps[r.IntN(len(deps))]}
		if r.IntN(4) == 0 {
			e.Stable = fmt.Sprintf("%064x", r.Uint64())
		}
		m.Files[n] = e
	}
	for _, tc := range []struct {
		name string
		m    *Manifest
	}{
		{"many files", m},
		{"no files", &Manifest{Format: 1, Files: map[string]FileEntry{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := encodeManifest(&got, tc.m); err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(tc.m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), append(want, '\n')) {
				t.Fatalf("streamed manifest differs from json.Marshal:\n got %.300q\nwant %.300q", got.Bytes(), want)
			}
		})
	}
	dir := t.TempDir()
	if err := writeManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	back, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	m.Files["bad\ufffdutf8.html"] = m.Files["bad\xffutf8.html"] // JSON has no invalid UTF-8
	delete(m.Files, "bad\xffutf8.html")
	if !reflect.DeepEqual(back, m) {
		t.Error("the manifest read back differs from the one written")
	}
}

// decodeManifest reads what json.Unmarshal reads, fast path or not.
func FuzzDecodeManifest(f *testing.F) {
	m := &Manifest{Format: 1, Generator: "v1", LogSize: 3, Files: map[string]FileEntry{
		"index.html":                      {SHA256: "ab", Size: 10},
		"incidents/PK-2024-0001/a.html":   {SHA256: "cd", Size: 0, Dep: "incident:PK-2024-0001"},
		"incidents.csv":                   {SHA256: "ef", Size: 12345, Stable: "01"},
		"incidents/country/PK/index.html": {SHA256: "01", Size: 7, Dep: "filter:country=PK", Stable: "x"},
	}}
	var compact bytes.Buffer
	if err := encodeManifest(&compact, m); err != nil {
		f.Fatal(err)
	}
	indented, _ := json.MarshalIndent(m, "", " ")
	f.Add(compact.Bytes())
	f.Add(indented)
	f.Add([]byte(`{"files":{}}`))
	f.Add([]byte(`{"format":1,"files":{"a":{"sha256":"x","size":01}}}`))
	f.Add([]byte(`{"format":1,"files":{"a":{"sha256":"x","size":1},"a":{"sha256":"y","size":2,"dep":"d"}}}`))
	f.Add([]byte(`{"x":{"files":{}},"files":{"a":{"sha256":"\u0041","size":1}}} x`))
	f.Add([]byte(`{"files":{"a":{"sha256":"x","size":1,"stable":"s","dep":"d"}},"format":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, gotErr := decodeManifest(b)
		var want Manifest
		wantErr := json.Unmarshal(b, &want)
		if want.Files == nil {
			want.Files = map[string]FileEntry{}
		}
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("decodeManifest error %v, json.Unmarshal error %v", gotErr, wantErr)
		}
		if gotErr == nil && !reflect.DeepEqual(*got, want) {
			t.Fatalf("decodeManifest read\n%+v\njson.Unmarshal read\n%+v", *got, want)
		}
	})
}

// The fast path reads the files writeManifest writes (the fuzz test's
// seeds would also pass if every manifest went through json.Unmarshal).
func TestDecodeCompactManifest(t *testing.T) {
	m := &Manifest{Format: 1, BuiltAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Files: map[string]FileEntry{
		"index.html": {SHA256: "ab", Size: 10, Dep: "", Stable: "st"}, "é.html": {SHA256: "cd", Size: 0, Dep: "immutable"}}}
	var b bytes.Buffer
	if err := encodeManifest(&b, m); err != nil {
		t.Fatal(err)
	}
	got, ok := decodeCompactManifest(b.Bytes())
	if !ok {
		t.Fatalf("the fast path refused %s", b.Bytes())
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("read %+v, wrote %+v", got, m)
	}
}

// BenchmarkReadManifest decodes a manifest the size of a mirror of 100,000
// incidents (455,000 files).
func BenchmarkReadManifest(b *testing.B) {
	m := &Manifest{Format: 1, Generator: "bench", Files: make(map[string]FileEntry, 455_000)}
	for i := range 455_000 {
		m.Files[fmt.Sprintf("ur/incidents/PK-2024-%06d/index.html", i)] = FileEntry{SHA256: fmt.Sprintf("%064x", i), Size: int64(i), Dep: "incident:PK-2024-" + fmt.Sprint(i)}
	}
	var buf bytes.Buffer
	if err := encodeManifest(&buf, m); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := decodeManifest(buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}
