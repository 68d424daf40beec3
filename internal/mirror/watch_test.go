package mirror_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/mirror"
	"github.com/presswatch/presswatch/internal/safehttp"
)

// TestWatchList serves three mirrors of one instance with a plain static
// file server on 127.0.0.1 — one up to date, one with an altered page, one
// built before the last publication — plus one that does not answer, and
// watches the instance's list through safehttp.
func TestWatchList(t *testing.T) {
	ctx := context.Background()
	in := MustInstance(t, 3)
	root := t.TempDir()
	dirs := map[string]string{}
	urls := map[string]string{}
	for _, name := range []string{"good", "altered", "stale"} {
		dirs[name] = filepath.Join(root, name)
		ts := httptest.NewServer(http.FileServer(http.Dir(dirs[name])))
		t.Cleanup(ts.Close)
		urls[name] = ts.URL + "/"
	}
	down := httptest.NewServer(http.NotFoundHandler())
	urls["down"] = down.URL + "/"
	down.Close()
	ids := map[string]int64{}
	for _, name := range []string{"good", "altered", "stale", "down"} {
		m := &domain.Mirror{URL: urls[name], Kind: domain.MirrorStatic, Label: "mirror " + name, Public: name != "down"}
		if err := in.dir.CreateMirror(ctx, nil, m); err != nil {
			t.Fatal(err)
		}
		ids[name] = m.ID
	}
	for _, m := range []*domain.Mirror{
		{Kind: domain.MirrorUSBNote, Label: "USB copies at the press club", Public: true},
		{Kind: domain.MirrorOnion, URL: "http://pwexampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion/", Public: true},
	} {
		if err := in.dir.CreateMirror(ctx, nil, m); err != nil {
			t.Fatal(err)
		}
	}

	in.MustBuild(dirs["stale"], false)
	copyDir(t, dirs["stale"], dirs["good"])
	in.MustPublish("Published after the stale mirror was built")
	in.MustBuild(dirs["good"], false)
	copyDir(t, dirs["good"], dirs["altered"])
	flipByte(t, filepath.Join(dirs["altered"], "index.html"))

	// The footer of the mirror's pages links to the public mirrors, and the
	// mirror carries mirrors.json.
	home, err := os.ReadFile(filepath.Join(dirs["good"], "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="` + urls["good"] + `"`, "USB copies at the press club", `href="mirrors.json"`} {
		if !strings.Contains(string(home), want) {
			t.Errorf("mirror home page lacks %q", want)
		}
	}
	if strings.Contains(string(home), urls["down"]) {
		t.Error("the mirror's footer lists a mirror that is not public")
	}
	var mj struct {
		Mirrors []struct{ URL, Kind string }
	}
	b, err := os.ReadFile(filepath.Join(dirs["good"], "mirrors.json"))
	if err != nil || json.Unmarshal(b, &mj) != nil || len(mj.Mirrors) != 5 {
		t.Fatalf("mirror's mirrors.json: %v %s", err, b)
	}

	client := safehttp.New(safehttp.Options{AllowPrivate: true, Timeout: 10 * time.Second, MaxBodyBytes: 16 << 20})
	later := time.Now().Add(72 * time.Hour)
	res, err := mirror.WatchList(ctx, mirror.SafeFetcher{Client: client}, in.log, in.dir,
		mirror.ListOptions{WatchOptions: mirror.WatchOptions{Now: func() time.Time { return later }, SampleFiles: 4}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("%d mirrors watched, want 4 (no note, no onion without a proxy)", len(res))
	}
	want := map[string]string{"good": domain.MirrorOK, "altered": domain.MirrorAltered, "stale": domain.MirrorStale, "down": domain.MirrorUnreachable}
	for name, id := range ids {
		m, err := in.db.FindMirror(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.State != want[name] {
			t.Errorf("%s: state %s (%s), want %s", name, m.State, m.Problem, want[name])
		}
		if !m.CheckedAt.Equal(later.UTC().Truncate(time.Microsecond)) {
			t.Errorf("%s: checked at %v", name, m.CheckedAt)
		}
		verified := name == "good" || name == "stale"
		if verified != !m.VerifiedAt.IsZero() || (verified && (m.Size == 0 || m.Root == "")) {
			t.Errorf("%s: last verified checkpoint size %d root %q at %v", name, m.Size, m.Root, m.VerifiedAt)
		}
		if m.Alerting() != (name != "good") {
			t.Errorf("%s: alerting %t", name, m.Alerting())
		}
	}
	if m, _ := in.db.FindMirror(ctx, ids["altered"]); !strings.HasPrefix(m.Problem, "index.html: ") {
		t.Errorf("altered mirror's problem does not name the file: %q", m.Problem)
	}
	good, _ := in.db.FindMirror(ctx, ids["good"])
	stale, _ := in.db.FindMirror(ctx, ids["stale"])
	if good.Size != stale.Size+1 {
		t.Errorf("verified sizes: good %d, stale %d", good.Size, stale.Size)
	}
	for _, r := range res {
		if r.State == domain.MirrorOK && r.Files != 5 {
			t.Errorf("good mirror: %d files compared, want 5 (index.html and 4 sampled)", r.Files)
		}
	}

	// The instance publishes the results in /mirrors.json.
	rec := httptest.NewRecorder()
	in.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/mirrors.json", nil))
	if !strings.Contains(rec.Body.String(), `"state": "altered"`) || !strings.Contains(rec.Body.String(), `"last_verified"`) {
		t.Errorf("/mirrors.json after the watch: %s", rec.Body.String())
	}
}
