package evidence

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/presswatch/presswatch/internal/safehttp"
)

// TestWarcioReadsOurFiles has the independent npm warcio reader read every
// record of our WARC files and checks the block hashes it sees. It needs
// node and warcio installed in testdata/warcio:
//
//	(cd internal/evidence/testdata/warcio && npm install --no-audit --no-fund)
func TestWarcioReadsOurFiles(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed; skipping the independent warcio check")
	}
	dir, _ := filepath.Abs("testdata/warcio")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "warcio")); err != nil {
		t.Skip("warcio not installed: run (cd internal/evidence/testdata/warcio && npm install --no-audit --no-fund)")
	}
	srv := newsServer(t)
	c := MustCapturer(t, safehttp.Options{})
	c.Renderer = fakeRenderer{}
	ctx := context.Background()
	first, err := c.Capture(ctx, srv.URL+"/old-link", CaptureOptions{Screenshot: true})
	if err != nil {
		t.Fatal(err)
	}
	chunked, _ := c.Capture(ctx, srv.URL+"/chunked", CaptureOptions{})
	gz, _ := c.Capture(ctx, srv.URL+"/gzip", CaptureOptions{})
	revisit, _ := c.Capture(ctx, srv.URL+"/article", CaptureOptions{Previous: first.Manifest})
	failed, _ := c.Capture(ctx, srv.URL+"/loop", CaptureOptions{})
	for name, res := range map[string]*Result{"redirect": first, "chunked": chunked, "gzip": gz, "revisit": revisit, "failed": failed} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "c.warc.gz")
			if err := os.WriteFile(file, res.WARC, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(node, filepath.Join(dir, "read.mjs"), file)
			cmd.Dir = dir
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("warcio: %v\n%s", err, out)
			}
			var got struct {
				Blocks   []warcioRecord `json:"blocks"`
				Payloads []warcioRecord `json:"payloads"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("warcio output: %v\n%s", err, out)
			}
			ours := MustVerified(t, res.WARC)
			if len(got.Blocks) != len(ours) || len(got.Payloads) != len(ours) {
				t.Fatalf("warcio read %d/%d records, we wrote %d", len(got.Blocks), len(got.Payloads), len(ours))
			}
			for i, r := range ours {
				w := got.Blocks[i]
				if w.Type != r.Type() || w.ID != r.ID() || w.SHA256 != SHA256Hex(r.Block) || w.Length != len(r.Block) {
					t.Errorf("record %d: warcio saw %+v, we wrote %s %s (%d bytes)", i, w, r.Type(), r.ID(), len(r.Block))
				}
				if r.Type() == TypeResponse {
					p, _ := Payload(&r)
					raw := rawPayload(r.Block)
					if pw := got.Payloads[i]; pw.SHA256 != SHA256Hex(p) && pw.SHA256 != SHA256Hex(raw) || pw.Status == 0 {
						t.Errorf("record %d: warcio payload %+v matches neither convention", i, pw)
					}
				}
			}
		})
	}
}

type warcioRecord struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	URI    string `json:"uri"`
	SHA256 string `json:"sha256"`
	Length int    `json:"length"`
	Status int    `json:"status"`
}
