package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"
)

func TestVerifyDirAndHTTP(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{0, 1, 255, 256, 257, 1000, 65_537} {
		if testing.Short() && n > 1000 {
			continue
		}
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			l := MustNewLog(t)
			MustAppend(t, l.Log, 0, n)
			MustSign(t, l.Log)
			MustAppend(t, l.Log, n, n+3) // not yet signed: must not be served
			dir := MustWriteStatic(t, l.Log)
			var last int64
			sum, err := Verify(ctx, DirSource(dir), l.vkey, VerifyOptions{Progress: func(done, total int64) { last = done }})
			if err != nil {
				t.Fatalf("Verify(dir): %v", err)
			}
			if sum.Size != int64(n) || last != int64(n) || (n > 0 && sum.Hashes < int64(2*n-1)) {
				t.Fatalf("summary %+v, progress %d", sum, last)
			}

			srv := httptest.NewServer(http.StripPrefix("", l.Handler()))
			defer srv.Close()
			src, err := OpenSource(srv.URL+"/log", srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Verify(ctx, src, l.vkey, VerifyOptions{}); err != nil {
				t.Fatalf("Verify(http): %v", err)
			}
			// The served files are byte for byte the static ones.
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
					return nil
				}
				rel, _ := filepath.Rel(dir, p)
				want, _ := os.ReadFile(p)
				got, err := src.ReadFile(ctx, filepath.ToSlash(rel))
				if err != nil || string(got) != string(want) {
					t.Errorf("%s differs between server and static folder: %v", rel, err)
				}
				return nil
			})
		})
	}
}

func TestHandler(t *testing.T) {
	l := MustNewLog(t)
	MustAppend(t, l.Log, 0, 300)
	cp := MustSign(t, l.Log)
	srv := httptest.NewServer(l.Handler())
	defer srv.Close()
	tests := []struct {
		path, status, ctype string
	}{
		{"/log/checkpoint", "200", "text/plain; charset=utf-8"},
		{"/log/key", "200", "text/plain; charset=utf-8"},
		{"/log/tile/0/000", "200", "application/octet-stream"},
		{"/log/tile/0/001.p/44", "200", "application/octet-stream"},
		{"/log/tile/0/001.p/40", "200", "application/octet-stream"}, // an older partial tile
		{"/log/tile/0/001", "404", ""},                              // not full yet
		{"/log/tile/0/001.p/45", "404", ""},                         // beyond the checkpoint
		{"/log/tile/1/000.p/1", "200", "application/octet-stream"},
		{"/log/tile/entries/001.p/44", "200", "application/octet-stream"},
		{"/log/tile/0/x000/001", "404", ""},
		{"/log/proof/299", "200", "application/json"},
		{"/log/proof/300", "404", ""},
		{"/log/proof/01", "404", ""},
		{"/log/nothing", "404", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if fmt.Sprint(resp.StatusCode) != tt.status {
				t.Fatalf("status %d, want %s: %s", resp.StatusCode, tt.status, body)
			}
			if tt.ctype != "" && resp.Header.Get("Content-Type") != tt.ctype {
				t.Fatalf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
			if tt.path == "/log/checkpoint" && string(body) != string(cp) {
				t.Fatal("served checkpoint differs from the signed one")
			}
		})
	}

	// The proof helper's JSON verifies with transparency-dev/merkle.
	resp, err := http.Get(srv.URL + "/log/proof/123")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p InclusionProof
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	c, _, err := OpenCheckpoint([]byte(p.Checkpoint), l.verifier)
	if err != nil {
		t.Fatal(err)
	}
	leaf := rfc6962.DefaultHasher.HashLeaf(p.Entry)
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(p.Index), uint64(c.Size), leaf, hashBytes(p.Proof), c.Hash[:]); err != nil {
		t.Fatalf("served proof does not verify: %v", err)
	}
	if e, err := ParseEntry(p.Entry); err != nil || e.Ref != "cap-123" {
		t.Fatalf("proof entry = %+v, %v", e, err)
	}
}

// TestVerifyTamper flips one byte of one stored entry: the verifier must
// name that entry. It also alters a hash tile and a checkpoint.
func TestVerifyTamper(t *testing.T) {
	ctx := context.Background()
	n := 1000
	tests := []struct {
		name    string
		tamper  func(t *testing.T, l *testLog, dir string)
		wantIdx int64
		wantErr error
	}{
		{"stored entry byte flipped", func(t *testing.T, l *testLog, dir string) {
			l.store.entries[613][40] ^= 1
			os.RemoveAll(filepath.Join(dir, "tile"))
			mustRewrite(t, l, dir)
		}, 613, nil},
		{"entry bundle byte flipped on the mirror", func(t *testing.T, l *testLog, dir string) {
			p := filepath.Join(dir, "tile/entries/002")
			b, _ := os.ReadFile(p)
			entries, _ := ParseEntryBundle(b)
			off := 2
			for _, e := range entries[:3] {
				off += 2 + len(e)
			}
			b[off+10] ^= 0x20
			os.WriteFile(p, b, 0o644)
		}, 515, nil},
		{"hash tile and entry rewritten together", func(t *testing.T, l *testLog, dir string) {
			l.store.entries[700] = []byte(`{"kind":"capture","ref":"forged","time":"2024-01-01T00:00:00Z"}`)
			l.store.hashes[storedIndex0(700)] = recordHash(l.store.entries[700])
			os.RemoveAll(filepath.Join(dir, "tile"))
			mustRewrite(t, l, dir)
		}, 512, nil},
		{"checkpoint root changed", func(t *testing.T, l *testLog, dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, "checkpoint"))
			lines := strings.SplitN(string(b), "\n", 4)
			lines[2] = strings.Repeat("A", 43) + "="
			os.WriteFile(filepath.Join(dir, "checkpoint"), []byte(strings.Join(lines, "\n")), 0o644)
		}, -1, ErrBadSignature},
		{"hash tile missing", func(t *testing.T, l *testLog, dir string) {
			os.Remove(filepath.Join(dir, "tile/0/003.p/232"))
		}, 768, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := MustNewLog(t)
			MustAppend(t, l.Log, 0, n)
			MustSign(t, l.Log)
			dir := MustWriteStatic(t, l.Log)
			tt.tamper(t, l, dir)
			_, err := Verify(ctx, DirSource(dir), l.vkey, VerifyOptions{})
			if err == nil {
				t.Fatal("Verify accepted a tampered log")
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Verify = %v, want %v", err, tt.wantErr)
				}
				return
			}
			var ee *EntryError
			if !errors.As(err, &ee) {
				t.Fatalf("Verify = %v, want an EntryError", err)
			}
			if tt.wantIdx >= 0 && ee.Index != tt.wantIdx {
				t.Fatalf("Verify named entry %d, want %d: %v", ee.Index, tt.wantIdx, err)
			}
			t.Logf("%v", err)
		})
	}
}

func mustRewrite(t *testing.T, l *testLog, dir string) {
	t.Helper()
	if err := l.WriteStatic(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
}

func storedIndex0(i int64) int64 { return tlog.StoredHashIndex(0, i) }

// TestVerifyContent: CheckEntry sees every entry (or those of one incident)
// and its error names the entry, as the CLI does for changed content and WARCs.
func TestVerifyContent(t *testing.T) {
	ctx := context.Background()
	l := MustNewLog(t)
	MustAppend(t, l.Log, 0, 600)
	MustSign(t, l.Log)
	dir := MustWriteStatic(t, l.Log)
	content := map[string]string{} // ref → sha256 of the "public content"
	for i := range 600 {
		e := testEntry(i)
		content[e.Ref] = e.SHA256
	}
	content["cap-444"] = strings.Repeat("0", 64) // the WARC of cap-444 changed
	check := func(idx int64, e Entry) error {
		if content[e.Ref] != e.SHA256 {
			return fmt.Errorf("%s: content hash %s, the log says %s", e.Ref, content[e.Ref], e.SHA256)
		}
		return nil
	}
	_, err := Verify(ctx, DirSource(dir), l.vkey, VerifyOptions{CheckEntry: check})
	var ee *EntryError
	if !errors.As(err, &ee) || ee.Index != 444 || !strings.Contains(err.Error(), "cap-444") {
		t.Fatalf("Verify = %v, want entry 444 named", err)
	}
	// Only incident PK-2024-0003's entries: 3, 53, 103, ...; 444 is not one.
	var seen []int64
	sum, err := Verify(ctx, DirSource(dir), l.vkey, VerifyOptions{OnlyRef: "PK-2024-0003", CheckEntry: func(idx int64, e Entry) error {
		seen = append(seen, idx)
		return check(idx, e)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 12 || seen[0] != 3 || seen[1] != 53 || sum.Checked != 12 {
		t.Fatalf("OnlyRef checked %v (summary %d)", seen, sum.Checked)
	}
}

// TestVerifyForkAndState: a verifier that saw one log rejects a second one
// sharing a prefix and then diverging, and one that rolled back.
func TestVerifyForkAndState(t *testing.T) {
	ctx := context.Background()
	a := MustNewLog(t)
	MustAppend(t, a.Log, 0, 500)
	MustSign(t, a.Log)
	state := filepath.Join(t.TempDir(), "state", "checkpoint")
	if _, err := Verify(ctx, DirSource(MustWriteStatic(t, a.Log)), a.vkey, VerifyOptions{StatePath: state}); err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(state)

	// The same key signs a fork: the first 300 entries shared, then others.
	b := MustOpenLog(t, NewMemoryStorage(), a.skey, t.TempDir())
	MustAppend(t, b.Log, 0, 300)
	if _, err := b.AppendRaw(ctx, testEntries(t, 10_000, 10_400)); err != nil {
		t.Fatal(err)
	}
	MustSign(t, b.Log)
	_, err := Verify(ctx, DirSource(MustWriteStatic(t, b.Log)), a.vkey, VerifyOptions{StatePath: state})
	if !errors.Is(err, ErrFork) {
		t.Fatalf("Verify(fork) = %v, want ErrFork", err)
	}
	// A rolled-back log (smaller) is rejected too.
	c := MustOpenLog(t, NewMemoryStorage(), a.skey, t.TempDir())
	MustAppend(t, c.Log, 0, 400)
	MustSign(t, c.Log)
	if _, err := Verify(ctx, DirSource(MustWriteStatic(t, c.Log)), a.vkey, VerifyOptions{StatePath: state}); !errors.Is(err, ErrRollback) {
		t.Fatalf("Verify(rollback) = %v, want ErrRollback", err)
	}
	if now, _ := os.ReadFile(state); string(now) != string(saved) {
		t.Fatal("a failed verification rewrote the state file")
	}
	// The honest log grows: accepted, and the state moves forward.
	MustAppend(t, a.Log, 500, 900)
	MustSign(t, a.Log)
	sum, err := Verify(ctx, DirSource(MustWriteStatic(t, a.Log)), a.vkey, VerifyOptions{StatePath: state})
	if err != nil || !sum.HadState || sum.PreviousSize != 500 {
		t.Fatalf("Verify(grown) = %+v, %v", sum, err)
	}
	// A key that did not sign is refused.
	_, other, _ := GenerateKey(testOrigin)
	if _, err := Verify(ctx, DirSource(MustWriteStatic(t, a.Log)), other, VerifyOptions{}); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("Verify(other key) = %v", err)
	}
}
