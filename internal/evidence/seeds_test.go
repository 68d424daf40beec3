package evidence

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/presswatch/presswatch/internal/safehttp"
)

// TestWriteFuzzSeeds regenerates testdata/fuzz/FuzzReadWARC from real
// captures when PRESSWATCH_WRITE_FUZZ_SEEDS=1; otherwise it only checks that
// the committed seeds are there.
func TestWriteFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReadWARC")
	if os.Getenv("PRESSWATCH_WRITE_FUZZ_SEEDS") != "1" {
		if entries, _ := os.ReadDir(dir); len(entries) < 3 {
			t.Fatalf("committed seed corpus missing in %s", dir)
		}
		return
	}
	srv := newsServer(t)
	c := MustCapturer(t, safehttp.Options{MaxBodyBytes: 4 << 10})
	ctx := context.Background()
	seeds := map[string][]byte{}
	first, _ := c.Capture(ctx, srv.URL+"/old-link", CaptureOptions{})
	seeds["capture-redirect"] = first.WARC
	rv, _ := c.Capture(ctx, srv.URL+"/article", CaptureOptions{Previous: first.Manifest})
	seeds["capture-revisit"] = rv.WARC
	ch, _ := c.Capture(ctx, srv.URL+"/chunked", CaptureOptions{})
	seeds["capture-chunked"] = ch.WARC
	var raw []byte
	if err := ReadRecords(bytes.NewReader(first.WARC), func(r Record) error {
		var b bytes.Buffer
		writeRecord(&b, &r)
		raw = append(raw, b.Bytes()...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	seeds["uncompressed"] = raw
	os.MkdirAll(dir, 0o755)
	for name, data := range seeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
