package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMirrorBuildCommand runs `presswatch mirror build` on a demo instance
// as an operator would: a full build, an incremental one, --check, and
// --check failing after a page is changed. The build only renders pages:
// it starts no job workers (which would poll outlets and capture pages
// while it runs).
func TestMirrorBuildCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a mirror of the demo instance")
	}
	dataDir := t.TempDir()
	srv := startLogServe(t, dataDir, "--demo")
	waitFor(t, "the demo publications to be signed", func() bool { return checkpointSize(t, srv.base) >= 200 })
	srv.stop()

	out := filepath.Join(t.TempDir(), "mirror")
	// An archive name it cannot write is refused before anything is built.
	code, _, stderr := run(t, "", "mirror", "build", "--data", dataDir, "--out", out, "--archive", out+".rar")
	if _, err := os.Stat(out); code != 2 || !strings.Contains(stderr, ".tar.zst or .zip") || err == nil {
		t.Errorf("--archive x.rar: exit %d, folder made: %v\n%s", code, err == nil, stderr)
	}
	code, stdout, stderr := run(t, "", "mirror", "build", "--data", dataDir, "--out", out)
	if code != 0 || !strings.Contains(stdout, "(full build)") {
		t.Fatalf("mirror build: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stderr, "River") || strings.Contains(stderr, "job") {
		t.Errorf("mirror build started the job workers:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "incidents.html")); err != nil {
		t.Errorf("no list page: %v", err)
	}
	pages, _ := filepath.Glob(filepath.Join(out, "ur", "incidents", "[A-Z][A-Z]-[0-9][0-9][0-9][0-9]", "*.html"))
	if len(pages) < 100 {
		t.Errorf("%d Urdu incident pages (incidents/CC-YYYY/REF.html)", len(pages))
	}

	code, stdout, stderr = run(t, "", "mirror", "build", "--data", dataDir, "--out", out)
	if code != 0 || !regexp.MustCompile(`\(incremental build\): \d+ files, \d+ rendered, [0-5] written`).MatchString(stdout) {
		t.Errorf("a rebuild with nothing new: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "", "mirror", "build", "--check", "--data", dataDir, "--out", out)
	if code != 0 || !strings.Contains(stdout, "is intact") {
		t.Errorf("--check on a fresh mirror: exit %d\n%s\n%s", code, stdout, stderr)
	}
	page := pages[len(pages)/2]
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, append(data, ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(out, page)
	code, _, stderr = run(t, "", "mirror", "build", "--check", "--data", dataDir, "--out", out)
	if code == 0 || !strings.Contains(stderr, filepath.ToSlash(rel)) {
		t.Errorf("--check after %s was changed: exit %d\n%s", rel, code, stderr)
	}
}
