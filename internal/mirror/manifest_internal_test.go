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
