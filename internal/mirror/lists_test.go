package mirror_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/mirror"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// listFileRe matches the list pages of a mirror: the unfiltered list and
// the pre-rendered filters, every page, every language.
var listFileRe = regexp.MustCompile(`^(?:ur/|hi/)?incidents(?:/(?:country|category|year)/[^/]+)?(?:/page/\d+)?\.html$`)

// TestListPagesMatchHandler: a full build renders the list pages from the
// incident stream's cards (lists.go); the mirror it writes is byte for
// byte the mirror of the same site built through the handler alone (a
// wrapped handler hides the stream), list pages, incident pages and every
// other file; every list page that shows an incident came from the stream.
// Enough incidents that the lists have several pages.
func TestListPagesMatchHandler(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two mirrors of 300 incidents (slow); run without -short")
	}
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.SeedPublic(t, db, 300, 5)
	svc := editorial.New(db, db, db, db, db, nil)
	in := mustWire(t, db, svc, dir)
	build := func(h http.Handler) (string, *mirror.Result) {
		out := t.TempDir()
		res, err := mirror.Build(ctx, mirror.Options{Handler: h, Log: in.log, Out: out, Origin: in.canary.URL, Version: "test"})
		if err != nil {
			t.Fatalf("build: %v", err)
		}
		return out, res
	}
	streamDir, stream := build(in.handler)
	crawlDir, crawl := build(struct{ http.Handler }{in.handler})
	if crawl.Listed != 0 {
		t.Fatalf("the wrapped handler's build rendered %d list pages from a stream", crawl.Listed)
	}
	ms, err := mirror.ReadManifest(streamDir)
	if err != nil {
		t.Fatal(err)
	}
	mc, err := mirror.ReadManifest(crawlDir)
	if err != nil {
		t.Fatal(err)
	}
	lists, multi := 0, 0
	for f, e := range mc.Files {
		if listFileRe.MatchString(f) && bytes.Contains(mustRead(t, filepath.Join(crawlDir, f)), []byte(`<div class="cards">`)) {
			lists++
			if regexp.MustCompile(`/page/\d+\.html$`).MatchString(f) {
				multi++
			}
		}
		got, ok := ms.Files[f]
		if !ok {
			t.Errorf("%s is in the handler's mirror, not in the stream's", f)
			continue
		}
		if got.SHA256 != e.SHA256 && (e.Stable == "" || got.Stable != e.Stable) {
			t.Errorf("%s differs between the stream's mirror and the handler's", f)
		}
	}
	for f := range ms.Files {
		if _, ok := mc.Files[f]; !ok {
			t.Errorf("%s is in the stream's mirror, not in the handler's", f)
		}
	}
	if stream.Listed != lists || multi < 30 {
		t.Errorf("the stream rendered %d list pages; %d show incidents (%d past a first page): want all, and lists of several pages",
			stream.Listed, lists, multi)
	}
	t.Logf("%d files; %d list pages (%d past a first page) rendered from the stream", len(ms.Files), stream.Listed, multi)
}
