package cli_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/cli"
	"github.com/presswatch/presswatch/internal/evidence"
)

const evidencePage = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Reporter detained after covering protest | Example News</title>
<meta property="og:title" content="Reporter detained after covering protest">
<meta name="author" content="Amina Khan">
<meta property="article:published_time" content="2024-05-01T10:00:00Z">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Reporter detained after covering protest</h1>
<p>A reporter who covered the farmers' protest in the capital was detained on Tuesday night by men in plain clothes, her colleagues said.</p>
<p>The reporter's editor said the newspaper had not been told where she was being held or what she was accused of.</p>
<p>Press freedom groups called for her immediate release and for an investigation into the arrest.</p>
</article><footer>© Example News</footer></body></html>`

// newsSite serves evidencePage on 127.0.0.1 and counts the requests it saw.
func newsSite(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, evidencePage)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// mustMigrate prepares a data folder and database (SQLite unless dbArgs
// name another) and returns the arguments that select them.
func mustMigrate(t *testing.T, dbArgs []string) []string {
	t.Helper()
	base := append([]string{"--data", t.TempDir()}, dbArgs...)
	if code, _, stderr := run(t, "", append([]string{"migrate"}, base...)...); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	return base
}

// mustVerifiedWARC reads a WARC file and recomputes every record's digests;
// it returns the record types in order.
func mustVerifiedWARC(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the WARC file: %v", err)
	}
	defer f.Close()
	var types []string
	err = evidence.ReadRecords(f, func(r evidence.Record) error {
		if err := evidence.VerifyRecord(&r); err != nil {
			t.Errorf("record %s (%s): %v", r.ID(), r.Type(), err)
		}
		types = append(types, r.Type())
		return nil
	})
	if err != nil {
		t.Fatalf("reading the WARC: %v", err)
	}
	return types
}

var (
	rxCaptureID = regexp.MustCompile(`(?m)^capture (\d+): (\w+)$`)
	rxWARCFile  = regexp.MustCompile(`(?m)^warc file: +(\S+)$`)
	rxSHA       = regexp.MustCompile(`(?m)^(body|text) sha256: +([0-9a-f]{64})$`)
)

func TestCaptureCommand(t *testing.T) {
	for name, dbArgs := range engines(t) {
		t.Run(name, func(t *testing.T) { testCaptureCommand(t, dbArgs) })
	}
}

func testCaptureCommand(t *testing.T, dbArgs []string) {
	srv, hits := newsSite(t)
	base := mustMigrate(t, dbArgs)
	url := srv.URL + "/2024/05/reporter-detained"

	t.Run("captured", func(t *testing.T) {
		code, out, stderr := run(t, "", append([]string{"capture", url, "--insecure-allow-private-addresses", "--screenshots=false"}, base...)...)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
		}
		m := rxCaptureID.FindStringSubmatch(out)
		if m == nil || m[2] != "done" {
			t.Fatalf("no capture id in %q", out)
		}
		if n := len(rxSHA.FindAllString(out, -1)); n != 2 {
			t.Errorf("body and text hashes missing: %q", out)
		}
		w := rxWARCFile.FindStringSubmatch(out)
		if w == nil {
			t.Fatalf("no WARC file in %q", out)
		}
		types := mustVerifiedWARC(t, w[1])
		for _, want := range []string{"warcinfo", "request", "response", "metadata", "resource"} {
			if !strings.Contains(strings.Join(types, " "), want) {
				t.Errorf("record types %v lack %s", types, want)
			}
		}
		if !strings.Contains(stderr, "INSECURE") {
			t.Errorf("the private-address opt-in is not logged loudly: %q", stderr)
		}
	})

	t.Run("refused without the opt-in", func(t *testing.T) {
		before := hits.Load()
		code, out, stderr := run(t, "", append([]string{"capture", url, "--screenshots=false"}, base...)...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s\n%s", code, out, stderr)
		}
		if !strings.Contains(stderr, "refused: the address is private, loopback") || !strings.Contains(stderr, "--insecure-allow-private-addresses") {
			t.Errorf("no clear refusal on stderr: %q", stderr)
		}
		if hits.Load() != before {
			t.Errorf("the server saw %d requests", hits.Load()-before)
		}
	})

	t.Run("bad usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"capture"},
			{"capture", url, url + "/2"},
			{"capture", "ftp://example.org/file"},
			{"capture", "not a url"},
			{"capture", "--no-such-flag", url},
		} {
			if code, _, stderr := run(t, "", append(args, base...)...); code != 2 || !strings.Contains(stderr, "Usage") && !strings.Contains(stderr, "usage") {
				t.Errorf("%q: exit %d (want 2), stderr %q", args, code, stderr)
			}
		}
	})
}

func TestExtractCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "page.html")
	if err := os.WriteFile(file, []byte(evidencePage), 0o600); err != nil {
		t.Fatal(err)
	}
	para := "A reporter who covered the farmers' protest in the capital was detained on Tuesday night by men in plain clothes, her colleagues said."

	t.Run("text", func(t *testing.T) {
		code, out, stderr := run(t, "", "extract", file)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, want := range []string{"Title:     Reporter detained after covering protest", "Byline:    Amina Khan", "Published: 2024-05-01T10:00:00Z", "Language:  en", para + "\n\nThe reporter's editor"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "Home") || strings.Contains(out, "©") {
			t.Errorf("page furniture in the text:\n%s", out)
		}
	})

	t.Run("json", func(t *testing.T) {
		code, out, stderr := run(t, "", "extract", "--format", "json", "--url", "https://news.example/a", file)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var a struct {
			Title      string    `json:"title"`
			Byline     string    `json:"byline"`
			Text       string    `json:"text"`
			Paragraphs []string  `json:"paragraphs"`
			Published  time.Time `json:"published"`
			Language   string    `json:"language"`
			Direction  string    `json:"direction"`
			Method     string    `json:"method"`
		}
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		if a.Title != "Reporter detained after covering protest" || a.Byline != "Amina Khan" || len(a.Paragraphs) != 3 ||
			a.Paragraphs[0] != para || a.Language != "en" || a.Direction != "ltr" || a.Method == "" ||
			!a.Published.Equal(time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("unexpected article: %+v", a)
		}
	})

	t.Run("url", func(t *testing.T) {
		srv, hits := newsSite(t)
		code, out, stderr := run(t, "", "extract", "--insecure-allow-private-addresses", srv.URL+"/a")
		if code != 0 || !strings.Contains(out, para) {
			t.Errorf("exit %d: %s %s", code, out, stderr)
		}
		before := hits.Load()
		code, _, stderr = run(t, "", "extract", srv.URL+"/a")
		if code != 1 || !strings.Contains(stderr, "refused") || hits.Load() != before {
			t.Errorf("without the opt-in: exit %d, stderr %q, %d requests", code, stderr, hits.Load()-before)
		}
	})

	t.Run("no text", func(t *testing.T) {
		empty := filepath.Join(dir, "empty.html")
		os.WriteFile(empty, []byte("<html><body><nav><a href=/>Home</a></nav></body></html>"), 0o600)
		if code, _, stderr := run(t, "", "extract", empty); code != 1 || !strings.Contains(stderr, "no readable text") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("bad usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"extract"},
			{"extract", file, file},
			{"extract", "--format", "xml", file},
			{"extract", "--url", "not-absolute", file},
			{"extract", filepath.Join(dir, "missing.html")},
		} {
			if code, _, stderr := run(t, "", args...); code != 2 {
				t.Errorf("%q: exit %d (want 2), stderr %q", args, code, stderr)
			}
		}
	})
}

func TestExportWACZCommand(t *testing.T) {
	for name, dbArgs := range engines(t) {
		t.Run(name, func(t *testing.T) { testExportWACZCommand(t, dbArgs) })
	}
}

func testExportWACZCommand(t *testing.T, dbArgs []string) {
	srv, _ := newsSite(t)
	base := mustMigrate(t, dbArgs)
	var ids []string
	for _, path := range []string{"/a", "/b"} {
		code, out, stderr := run(t, "", append([]string{"capture", srv.URL + path, "--insecure-allow-private-addresses", "--screenshots=false"}, base...)...)
		m := rxCaptureID.FindStringSubmatch(out)
		if code != 0 || m == nil {
			t.Fatalf("capture: exit %d\n%s\n%s", code, out, stderr)
		}
		ids = append(ids, m[1])
	}
	file := filepath.Join(t.TempDir(), "evidence.wacz")
	code, out, stderr := run(t, "", append([]string{"export", "wacz", "--capture", ids[0], "--capture", ids[1], "-o", file}, base...)...)
	if code != 0 || !strings.Contains(out, "2 captures") {
		t.Fatalf("export: exit %d\n%s\n%s", code, out, stderr)
	}
	checkWACZ(t, file, 2)

	for _, args := range [][]string{
		{"export"},
		{"export", "zip", "--capture", ids[0], "-o", file},
		{"export", "wacz", "--capture", ids[0]},
		{"export", "wacz", "-o", file},
		{"export", "wacz", "--capture", ids[0], "--incident", "PK-2024-0001", "-o", file},
		{"export", "wacz", "--capture", "x", "-o", file},
	} {
		if code, _, stderr := run(t, "", append(args, base...)...); code != 2 {
			t.Errorf("%q: exit %d (want 2), stderr %q", args, code, stderr)
		}
	}
	if code, _, stderr := run(t, "", append([]string{"export", "wacz", "--capture", "999", "-o", file}, base...)...); code != 1 {
		t.Errorf("unknown capture: exit %d, stderr %q", code, stderr)
	}
}

// checkWACZ checks the structure of a WACZ 1.1.1 file: stored WARCs, a CDXJ
// index whose lines point at verifiable records, pages.jsonl, and a
// datapackage.json whose hashes and sizes match, itself hashed by
// datapackage-digest.json.
func checkWACZ(t *testing.T, path string, warcs int) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	nWARC := 0
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
		if strings.HasPrefix(f.Name, "archive/") {
			nWARC++
			if f.Method != zip.Store || !strings.HasSuffix(f.Name, ".warc.gz") {
				t.Errorf("%s: method %d, want a stored .warc.gz", f.Name, f.Method)
			}
			var n int
			if err := evidence.ReadRecords(bytes.NewReader(files[f.Name]), func(r evidence.Record) error {
				n++
				return evidence.VerifyRecord(&r)
			}); err != nil || n == 0 {
				t.Errorf("%s: %d records, %v", f.Name, n, err)
			}
		}
	}
	if nWARC != warcs {
		t.Errorf("%d WARC files, want %d", nWARC, warcs)
	}
	for _, name := range []string{"indexes/index.cdxj", "pages/pages.jsonl", "datapackage.json", "datapackage-digest.json"} {
		if _, ok := files[name]; !ok {
			t.Fatalf("missing %s", name)
		}
	}
	var dp struct {
		Profile     string `json:"profile"`
		WACZVersion string `json:"wacz_version"`
		Resources   []struct {
			Path  string `json:"path"`
			Hash  string `json:"hash"`
			Bytes int64  `json:"bytes"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(files["datapackage.json"], &dp); err != nil || dp.WACZVersion != "1.1.1" || dp.Profile != "data-package" {
		t.Fatalf("datapackage.json: %v %s", err, files["datapackage.json"])
	}
	if len(dp.Resources) != warcs+2 {
		t.Errorf("%d resources, want %d", len(dp.Resources), warcs+2)
	}
	for _, r := range dp.Resources {
		b, ok := files[r.Path]
		if !ok || r.Hash != "sha256:"+evidence.SHA256Hex(b) || r.Bytes != int64(len(b)) {
			t.Errorf("resource %s: hash or size does not match the file", r.Path)
		}
	}
	var dg map[string]string
	if err := json.Unmarshal(files["datapackage-digest.json"], &dg); err != nil || dg["path"] != "datapackage.json" || dg["hash"] != "sha256:"+evidence.SHA256Hex(files["datapackage.json"]) {
		t.Errorf("datapackage-digest.json: %v %v", err, dg)
	}
	pages := strings.Split(strings.TrimSpace(string(files["pages/pages.jsonl"])), "\n")
	if len(pages) != warcs+1 || !strings.Contains(pages[0], "json-pages-1.0") {
		t.Errorf("pages.jsonl: %q", pages)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(files["indexes/index.cdxj"])), "\n") {
		parts := strings.SplitN(l, " ", 3)
		var f struct{ URL, Filename, Offset, Length string }
		if len(parts) != 3 || json.Unmarshal([]byte(parts[2]), &f) != nil || files["archive/"+f.Filename] == nil {
			t.Errorf("CDXJ line %q", l)
		}
	}
}

func TestWorkerCommand(t *testing.T) {
	base := mustMigrate(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, append([]string{"worker", "--screenshots=false"}, base...), func(string) string { return "" }, strings.NewReader(""), out, errb)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "worker is running") {
		select {
		case code := <-done:
			t.Fatalf("worker exited early with %d: %s", code, errb.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker did not start: %q %q", out.String(), errb.String())
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("worker exit %d after cancel: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("worker did not stop within 30 s of the cancel")
	}
	if code, _, _ := run(t, "", append([]string{"worker", "extra"}, base...)...); code != 2 {
		t.Errorf("worker with an argument: exit %d, want 2", code)
	}
}
