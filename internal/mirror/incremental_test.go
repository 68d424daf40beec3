package mirror_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/mirror"
)

// An incremental build trusts the previous manifest for the files it keeps
// only when the previous build finished; after one that stopped half-way it
// looks each kept file up, so that the mirror it writes passes --check.
func TestIncrementalTrustsOnlyAFinishedBuild(t *testing.T) {
	in := MustInstance(t, 4)
	out := t.TempDir()
	in.MustBuild(out, false)
	if _, err := os.Stat(filepath.Join(out, ".tmp-building")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a finished build left its marker: %v", err)
	}
	m, err := mirror.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	var kept string // a page of an incident no later build changes
	for f, e := range m.Files {
		if strings.HasPrefix(e.Dep, "incident:") && strings.HasSuffix(f, ".html") && (kept == "" || f < kept) {
			kept = f
		}
	}
	if kept == "" {
		t.Fatal("the mirror has no incident page")
	}
	check := func() error {
		_, err := mirror.Check(context.Background(), mirror.CheckOptions{Dir: out, Log: in.log})
		return err
	}

	t.Run("after a finished build", func(t *testing.T) {
		// A file removed by hand is not looked for: --check names it,
		// --full restores it.
		if err := os.Remove(filepath.Join(out, filepath.FromSlash(kept))); err != nil {
			t.Fatal(err)
		}
		in.MustPublish("Published after a finished build")
		if res := in.MustBuild(out, false); res.Full {
			t.Fatal("the rebuild was full")
		}
		var bad *mirror.BadFileError
		if err := check(); !errors.As(err, &bad) || bad.File != kept || !errors.Is(err, mirror.ErrMissing) {
			t.Fatalf("check after removing %s by hand: %v, want it missing", kept, err)
		}
		in.MustBuild(out, true)
		if err := check(); err != nil {
			t.Fatalf("check after a full build: %v", err)
		}
	})

	t.Run("after an interrupted build", func(t *testing.T) {
		in.MustPublish("Published before an interrupted build")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, err := mirror.Build(ctx, mirror.Options{Handler: in.handler, Log: in.log, Out: out, Origin: in.canary.URL,
			Version: "test", Progress: func(done, known int) { cancel() }})
		if err == nil {
			t.Fatal("the cancelled build succeeded")
		}
		if _, err := os.Stat(filepath.Join(out, ".tmp-building")); err != nil {
			t.Fatalf("the interrupted build left no marker: %v", err)
		}
		// What an interrupted build may leave: a kept file gone while the
		// previous manifest still lists it.
		if err := os.Remove(filepath.Join(out, filepath.FromSlash(kept))); err != nil {
			t.Fatal(err)
		}
		if res := in.MustBuild(out, false); res.Full {
			t.Fatal("the rebuild was full")
		}
		if err := check(); err != nil {
			t.Fatalf("check after the build that followed an interrupted one: %v", err)
		}
		if _, err := os.Stat(filepath.Join(out, ".tmp-building")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the finished build left its marker: %v", err)
		}
	})
}

// A mirror of the first format (a folder per page, NAME/index.html) is
// built again in full, and its old pages go with the folders that held
// them: nothing of the old layout is left to link to.
func TestOlderFormatIsRebuiltInFull(t *testing.T) {
	in := MustInstance(t, 3)
	out := t.TempDir()
	in.MustBuild(out, false)
	m, err := mirror.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	// What a format-1 build left: a page in a folder of its own.
	old := "ur/incidents/PK-2020-0001/index.html"
	if err := os.MkdirAll(filepath.Join(out, filepath.Dir(old)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, old), []byte("<p>old</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	// And logged content where format 3 kept it, which never changes
	// ("immutable"), and which no page of the new layout links to.
	content := "incidents/PK-2020-0001/content/" + strings.Repeat("ab", 32) + ".json"
	if err := os.MkdirAll(filepath.Join(out, filepath.Dir(content)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, content), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	m.Format = 1
	m.Files[old] = mirror.FileEntry{SHA256: "00", Size: 10, Dep: "incident:PK-2020-0001"}
	m.Files[content] = mirror.FileEntry{SHA256: strings.Repeat("ab", 32), Size: 2, Dep: "immutable"}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, mirror.ManifestFile), data, 0o644); err != nil {
		t.Fatal(err)
	}

	res := in.MustBuild(out, false)
	if !res.Full {
		t.Error("a mirror of format 1 was rebuilt incrementally")
	}
	if !slices.Contains(res.Removed, old) {
		t.Errorf("the old page %s was not removed (removed: %v)", old, res.Removed)
	}
	if !slices.Contains(res.Removed, content) {
		t.Errorf("a full build kept %s, which nothing links to any more (removed: %v)", content, res.Removed)
	}
	if _, err := os.Stat(filepath.Join(out, "incidents", "PK-2020-0001")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old content's folders are still there: %v (removed: %v)", err, res.Removed)
	}
	if _, err := os.Stat(filepath.Join(out, "ur", "incidents", "PK-2020-0001")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old page's folder is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "ur", "incidents")); err != nil {
		t.Errorf("the folder of the current pages went too: %v", err)
	}
	if m, err := mirror.ReadManifest(out); err != nil || m.Format != mirror.ManifestFormat {
		t.Errorf("the rebuilt manifest: %v, %v", m, err)
	}
}

// TestWithdrawalRebuildsInFull: after an incident is withdrawn, the
// evidence only it cited stops being public, and a rebuild would keep it (it
// never changes, and nothing says which incident it belongs to): the build
// after a withdrawal is full, and removes what no page links any more. (The
// content the public log commits to stays: the log serves it.)
func TestWithdrawalRebuildsInFull(t *testing.T) {
	ctx := context.Background()
	in := MustInstance(t, 3)
	out := t.TempDir()
	pub := in.MustPublishOn("An incident to withdraw", "2025-02-01")
	in.MustBuild(out, false)
	// Evidence the incident cited, as a build of it left it.
	warc := "captures/99/capture.warc.gz"
	if err := os.MkdirAll(filepath.Join(out, "captures", "99"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, warc), []byte("warc"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := mirror.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	m.Files[warc] = mirror.FileEntry{SHA256: "00", Size: 4, Dep: "immutable"}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, mirror.ManifestFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if res := in.MustBuild(out, false); res.Full || slices.Contains(res.Removed, warc) {
		t.Fatalf("a rebuild with nothing new: full %v, removed %v", res.Full, res.Removed)
	}

	editor, err := in.db.FindUserByEmail(ctx, "editor@demo.invalid")
	if err != nil {
		t.Fatal(err)
	}
	inc, err := in.db.FindIncidentByRef(ctx, pub.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.svc.Withdraw(ctx, editor, inc.ID, "It put a source at risk."); err != nil {
		t.Fatal(err)
	}
	in.MustSign()
	logged := func() int {
		m, err := mirror.ReadManifest(out)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for f := range m.Files {
			if strings.Contains(f, "/content/") {
				n++
			}
		}
		return n
	}
	before := logged()
	res := in.MustBuild(out, false)
	if !res.Full {
		t.Error("the rebuild after a withdrawal was incremental")
	}
	if after := logged(); after < before {
		t.Errorf("the full build after a withdrawal dropped logged content: %d files, %d before", after, before)
	}
	if !slices.Contains(res.Removed, warc) {
		t.Errorf("the rebuild after a withdrawal kept %s (removed: %v)", warc, res.Removed)
	}
	if _, err := os.Stat(filepath.Join(out, "captures")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the evidence's folder is still there: %v", err)
	}
	if res := in.MustBuild(out, false); res.Full {
		t.Error("the rebuild after that one was full too")
	}
}
