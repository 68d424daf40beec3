package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/safehttp"
)

func TestWriteWACZ(t *testing.T) {
	srv := newsServer(t)
	c := MustCapturer(t, safehttp.Options{})
	ctx := context.Background()
	a, _ := c.Capture(ctx, srv.URL+"/old-link", CaptureOptions{})
	b, _ := c.Capture(ctx, srv.URL+"/article", CaptureOptions{Previous: a.Manifest})
	in := []WACZInput{{Name: "capture-1.warc.gz", WARC: a.WARC}, {Name: "capture-2.warc.gz", WARC: b.WARC, Title: "Again"}}
	var out bytes.Buffer
	if err := WriteWACZ(&out, in); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
		if strings.HasPrefix(f.Name, "archive/") && f.Method != zip.Store {
			t.Errorf("%s is compressed in the zip", f.Name)
		}
	}
	for _, name := range []string{"archive/capture-1.warc.gz", "archive/capture-2.warc.gz", "indexes/index.cdxj", "pages/pages.jsonl", "datapackage.json", "datapackage-digest.json"} {
		if _, ok := files[name]; !ok {
			t.Fatalf("missing %s", name)
		}
	}
	var dp waczPackage
	if err := json.Unmarshal(files["datapackage.json"], &dp); err != nil || dp.WACZVersion != "1.1.1" || dp.Profile != "data-package" {
		t.Fatalf("datapackage: %v %+v", err, dp)
	}
	if len(dp.Resources) != 4 { // 2 WARCs, index, pages
		t.Errorf("resources = %d", len(dp.Resources))
	}
	for _, r := range dp.Resources {
		if r.Hash != "sha256:"+SHA256Hex(files[r.Path]) || r.Bytes != int64(len(files[r.Path])) {
			t.Errorf("resource %s: hash/size wrong", r.Path)
		}
	}
	var dg map[string]string
	json.Unmarshal(files["datapackage-digest.json"], &dg)
	if dg["hash"] != "sha256:"+SHA256Hex(files["datapackage.json"]) || dg["path"] != "datapackage.json" {
		t.Errorf("digest = %v", dg)
	}
	pages := strings.Split(strings.TrimSpace(string(files["pages/pages.jsonl"])), "\n")
	if len(pages) != 3 || !strings.Contains(pages[0], "json-pages-1.0") || !strings.Contains(pages[2], `"title":"Again"`) {
		t.Errorf("pages = %q", pages)
	}
	// Every CDXJ line points at a record of the named file.
	lines := strings.Split(strings.TrimSpace(string(files["indexes/index.cdxj"])), "\n")
	if len(lines) != 5 { // redirect, response, text in the first; revisit, text in the second
		t.Errorf("cdxj lines = %d:\n%s", len(lines), files["indexes/index.cdxj"])
	}
	for _, l := range lines {
		parts := strings.SplitN(l, " ", 3)
		var f map[string]string
		if err := json.Unmarshal([]byte(parts[2]), &f); err != nil {
			t.Fatalf("cdxj json: %v", err)
		}
		off, _ := strconv.Atoi(f["offset"])
		n, _ := strconv.Atoi(f["length"])
		member := files["archive/"+f["filename"]][off : off+n]
		recs := MustVerified(t, member)
		if len(recs) != 1 || recs[0].TargetURI() != f["url"] || SURT(f["url"]) != parts[0] {
			t.Errorf("cdxj line %q does not point at its record", l)
		}
	}
	if err := WriteWACZ(io.Discard, []WACZInput{{Name: "../x.warc.gz"}}); err == nil {
		t.Error("path in WARC name accepted")
	}
}

func TestSURT(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.Example.org/A?b=2&a=1": "org,example)/a?a=1&b=2",
		"http://example.org":                "org,example)/",
		"http://127.0.0.1:8080/x":           "1,0,0,127:8080)/x",
		"urn:text:http://x":                 "urn:text:http://x",
	} {
		if got := SURT(in); got != want {
			t.Errorf("SURT(%q) = %q, want %q", in, got, want)
		}
	}
}
