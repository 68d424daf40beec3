package mirror_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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
		if strings.HasPrefix(e.Dep, "incident:") && strings.HasSuffix(f, "/index.html") && (kept == "" || f < kept) {
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
