package evidence

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadWgetWARC reads WARC files written by wget --warc-file (another
// tool's conventions: sha1 base32 digests, log resource record) and checks
// every digest.
func TestReadWgetWARC(t *testing.T) {
	wget, err := exec.LookPath("wget")
	if err != nil {
		t.Skip("wget not installed")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			w.Header().Set("Content-Type", "text/html")
			for i := 0; i < 3; i++ {
				io.WriteString(w, "<p>chunk</p>")
				w.(http.Flusher).Flush()
			}
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, articleHTML)
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name string
		path string
		gzip bool
	}{
		{"gzip", "/article", true},
		{"plain", "/article", false},
		{"chunked", "/chunked", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"--no-config", "--no-proxy", "--quiet", "-O", filepath.Join(dir, "page"), "--warc-file=" + filepath.Join(dir, "out"), srv.URL + tc.path}
			if !tc.gzip {
				args = append([]string{"--no-warc-compression"}, args...)
			}
			cmd := exec.Command(wget, args...)
			cmd.Env = []string{"HOME=" + dir, "PATH=/usr/bin:/bin"}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("wget: %v\n%s", err, out)
			}
			name := "out.warc.gz"
			if !tc.gzip {
				name = "out.warc"
			}
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			recs := MustRecords(t, data)
			var sawResponse bool
			for i, r := range recs {
				if err := VerifyRecord(&r); err != nil {
					t.Errorf("record %d (%s): %v", i, r.Type(), err)
				}
				if r.Type() == TypeResponse {
					sawResponse = true
					if !strings.HasPrefix(r.Header.Get("WARC-Block-Digest"), "sha1:") {
						t.Errorf("expected wget's sha1 digests, got %q", r.Header.Get("WARC-Block-Digest"))
					}
					if p, _ := Payload(&r); tc.path == "/article" && !bytes.Equal(p, []byte(articleHTML)) {
						t.Errorf("payload differs")
					}
				}
				if !tc.gzip && !bytes.HasPrefix(data[r.Offset:], []byte("WARC/")) {
					t.Errorf("record %d offset %d does not point at a record", i, r.Offset)
				}
			}
			if !sawResponse || recs[0].Type() != TypeWarcinfo {
				t.Fatalf("records = %s", types(recs))
			}
		})
	}
}
