package mirror

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestStableHasherInPieces: the stable hash of a body written in pieces of
// any size is the one of the whole body, wherever the pieces split a row,
// the snapshot time or a CRLF.
func TestStableHasherInPieces(t *testing.T) {
	const snap = "2026-11-30T08:00:00Z"
	var body []byte
	for i := range 500 {
		end := "\r\n"
		if i%7 == 0 {
			end = "\n"
		}
		body = fmt.Appendf(body, "PK-%d,%s,title %d,%s%s", i, snap, i, snap, end)
	}
	body = append(body, ",2026-11-30T08:00:00Z"...) // at the very end, with no line end
	want := stableHash(body, snap)
	if masked := bytes.Count([]byte(strings.ReplaceAll(string(body), ","+snap+"\r\n", "")), []byte(snap)); masked == 0 {
		t.Fatal("the test body has no unmasked snapshot time")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		h := newStableHasher(snap)
		for rest := body; len(rest) > 0; {
			n := min(len(rest), 1+r.IntN(60))
			h.Write(rest[:n])
			rest = rest[n:]
		}
		if got := h.Sum(); got != want {
			t.Fatalf("in pieces: %s, whole: %s", got, want)
		}
	}
}

// TestLargeResponsesGoStraightToFiles builds a mirror of a site whose
// exports are over spoolLimit: they are written to their files as they are
// served (no temporary file left), hashed as a whole body would be, kept
// when only their snapshot time changed, and replaced when their data did.
// A large error response leaves nothing behind.
func TestLargeResponsesGoStraightToFiles(t *testing.T) {
	rows, snap := 40_000, "2026-11-30T08:00:00Z"
	csvBody := func() []byte {
		var b []byte
		b = append(b, "ref,title,snapshot_at\r\n"...)
		for i := range rows {
			b = fmt.Appendf(b, "PK-2024-%04d,Incident number %d,%s\r\n", i, i, snap)
		}
		return b
	}
	jsonBody := bytes.Repeat([]byte(`{"ref":"PK-2024-0001","title":"a"},`), 80_000)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><title>t</title><a href="/big.json">big</a> <a href="/broken.json">broken</a>`)
		case "/incidents.csv":
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("X-Snapshot-Time", snap)
			for b := csvBody(); len(b) > 0; {
				n := min(len(b), 4000)
				w.Write(b[:n])
				b = b[n:]
			}
		case "/big.json":
			w.Header().Set("Content-Type", "application/json")
			w.Write(jsonBody[:1000])
			w.Write(jsonBody[1000:])
		case "/broken.json":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write(jsonBody)
		default:
			http.NotFound(w, r)
		}
	})
	out := t.TempDir()
	build := func() *Result {
		t.Helper()
		res, err := Build(context.Background(), Options{Handler: h, Out: out, Version: "test", Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasPrefix(d.Name(), ".tmp") {
				t.Errorf("left behind: %s", p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	check := func(file string, want []byte) FileEntry {
		t.Helper()
		got, err := os.ReadFile(filepath.Join(out, file))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %d bytes (%v), want the %d served", file, len(got), err, len(want))
		}
		m, err := ReadManifest(out)
		if err != nil {
			t.Fatal(err)
		}
		e := m.Files[file]
		if sum := sha256.Sum256(want); e.SHA256 != hex.EncodeToString(sum[:]) || e.Size != int64(len(want)) {
			t.Errorf("%s: manifest entry %+v does not describe the file", file, e)
		}
		return e
	}

	first := build()
	if len(csvBody()) <= spoolLimit || len(jsonBody) <= spoolLimit {
		t.Fatal("the responses are not over spoolLimit")
	}
	served := csvBody()
	e := check("incidents.csv", served)
	if e.Stable != stableHash(served, snap) {
		t.Errorf("incidents.csv: stable hash %s, want %s", e.Stable, stableHash(served, snap))
	}
	check("big.json", jsonBody)
	if !slices.Contains(first.Written, "incidents.csv") || !slices.Contains(first.Written, "big.json") {
		t.Errorf("first build wrote %v", first.Written)
	}
	if st, err := os.Stat(filepath.Join(out, "broken.json")); err == nil && st.Size() >= int64(len(jsonBody)) {
		t.Error("a 500 response was stored") // a broken link gets a placeholder, not the error
	}
	if !slices.ContainsFunc(first.Broken, func(s string) bool { return strings.HasPrefix(s, "/broken.json") }) {
		t.Errorf("the 500 response is not reported: %v", first.Broken)
	}

	snap = "2026-11-30T09:00:00Z"
	second := build()
	if slices.Contains(second.Written, "incidents.csv") || slices.Contains(second.Written, "big.json") {
		t.Errorf("a rebuild of the same data rewrote %v", second.Written)
	}
	check("incidents.csv", served) // the earlier snapshot, kept

	rows++
	third := build()
	if !slices.Contains(third.Written, "incidents.csv") {
		t.Errorf("a new row did not rewrite incidents.csv: %v", third.Written)
	}
	check("incidents.csv", csvBody())
}
