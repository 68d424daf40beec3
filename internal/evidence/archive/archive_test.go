package archive_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/blob"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/evidence"
	"github.com/presswatch/presswatch/internal/evidence/archive"
	"github.com/presswatch/presswatch/internal/jobs"
	"github.com/presswatch/presswatch/internal/safehttp"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

const page = `<!DOCTYPE html><html lang="en"><head><title>Minister orders paper shut</title></head><body>
<article><h1>Minister orders paper shut</h1><p>The minister ordered the newspaper closed on Monday after it published a report on procurement.</p>
<p>Editors said the order came without notice and that staff were escorted out of the building by police officers.</p></article></body></html>`

// MustService returns an archive on db capturing from 127.0.0.1 (test-only
// allowance) with a job client working the capture queue.
func MustService(tb testing.TB, db *store.DB) (*archive.Service, *jobs.Client) {
	tb.Helper()
	ctx := context.Background()
	if err := jobs.Migrate(ctx, db.WriterDB(), db.Engine()); err != nil {
		tb.Fatal(err)
	}
	blobs, err := blob.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	svc := &archive.Service{Store: db, Blobs: blobs,
		Capturer: &evidence.Capturer{Client: safehttp.New(safehttp.Options{AllowPrivate: true, Timeout: 5 * time.Second}), Software: "presswatch/test"}}
	workers := jobs.NewWorkers()
	if err := archive.Register(workers, &archive.Worker{Service: svc, RetryBase: 10 * time.Millisecond}); err != nil {
		tb.Fatal(err)
	}
	client, err := jobs.New(db.WriterDB(), db.Engine(), workers, jobs.Options{Work: true})
	if err != nil {
		tb.Fatal(err)
	}
	svc.Enqueue = archive.JobEnqueuer(client)
	if err := client.Start(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		client.Stop(sctx)
	})
	return svc, client
}

func waitDone(tb testing.TB, svc *archive.Service, id int64) *domain.Capture {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c, err := svc.Find(context.Background(), id)
		if err != nil {
			tb.Fatal(err)
		}
		if c.Completed() {
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("capture %d did not complete", id)
	return nil
}

func TestCaptureJobSQLite(t *testing.T) { testCaptureJob(t, storetest.MustOpenSQLite(t)) }

func TestCaptureJobPostgres(t *testing.T) {
	storetest.PostgresURL(t)
	testCaptureJob(t, storetest.MustOpenPostgres(t))
}

func testCaptureJob(t *testing.T, db *store.DB) {
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	svc, _ := MustService(t, db)

	first := &domain.Capture{URL: srv.URL + "/story"}
	if err := svc.Queue(ctx, first); err != nil {
		t.Fatal(err)
	}
	c := waitDone(t, svc, first.ID)
	if c.State != domain.CaptureDone || c.Status != 200 || c.WARCSHA256 == "" || c.TextSHA256 == "" || c.Title == "" {
		t.Fatalf("capture: %+v", c)
	}
	cont, err := svc.Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(cont.Body, []byte("procurement")) || cont.Manifest.BodySHA256 != c.BodySHA256 || evidence.SHA256Hex([]byte(cont.Text)) != c.TextSHA256 {
		t.Errorf("contents do not match the row: %+v", cont.Manifest)
	}
	if cont.Manifest.ScreenshotMissing == "" {
		t.Error("the manifest does not say why there is no screenshot")
	}
	// Every record of the stored WARC verifies.
	rc, _ := svc.OpenWARC(ctx, c)
	err = evidence.ReadRecords(rc, func(rec evidence.Record) error { return evidence.VerifyRecord(&rec) })
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}

	// An unchanged re-capture is a new capture written as a revisit.
	second := &domain.Capture{URL: first.URL}
	if err := svc.Queue(ctx, second); err != nil {
		t.Fatal(err)
	}
	c2 := waitDone(t, svc, second.ID)
	if c2.ID == c.ID || c2.RevisitOf != c.ID || c2.BodySHA256 != c.BodySHA256 {
		t.Fatalf("re-capture: %+v", c2)
	}
	cont2, err := svc.Open(ctx, c2)
	if err != nil || !cont2.Revisit || !bytes.Equal(cont2.Body, cont.Body) {
		t.Fatalf("revisit contents: %v %v", cont2, err)
	}

	// A refused connection is retried, then stored as a failed capture.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	third := &domain.Capture{URL: deadURL + "/gone"}
	if err := svc.Queue(ctx, third); err != nil {
		t.Fatal(err)
	}
	c3 := waitDone(t, svc, third.ID)
	if c3.State != domain.CaptureFailed || c3.Error == "" || c3.WARCSHA256 == "" {
		t.Fatalf("failed capture: %+v", c3)
	}

	// A URL that cannot be captured is refused before anything is queued.
	for _, bad := range []string{"file:///etc/passwd", "gopher://x/", "ftp://x/", "not a url", ""} {
		if err := svc.Queue(ctx, &domain.Capture{URL: bad}); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Queue(%q) = %v, want EINVALID", bad, err)
		}
	}

	// WACZ export of the captures.
	var buf bytes.Buffer
	n, err := svc.WriteWACZ(ctx, &buf, []*domain.Capture{c, c2, c3})
	if err != nil || n != 3 || buf.Len() == 0 {
		t.Fatalf("wacz: %d %v", n, err)
	}
}

// TestCaptureRefusesPrivateAddresses: without the allowance, a capture of
// a loopback server is a failed capture and the server sees nothing.
func TestCaptureRefusesPrivateAddresses(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	svc, _ := MustService(t, db)
	svc.Capturer.Client = safehttp.New(safehttp.Options{Timeout: 5 * time.Second})
	c, err := svc.CaptureNow(context.Background(), &domain.Capture{URL: srv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.State != domain.CaptureFailed || hits != 0 {
		t.Fatalf("capture of loopback: %+v, server hits %d", c, hits)
	}
}
