package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/ledger"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

func TestCapturesSQLite(t *testing.T) { testCaptures(t, storetest.MustOpenSQLite(t)) }

func TestCapturesPostgres(t *testing.T) {
	storetest.PostgresURL(t) // skips without the variable
	testCaptures(t, storetest.MustOpenPostgres(t))
}

func testCaptures(t *testing.T, db *store.DB) {
	ctx := context.Background()
	u := storetest.MustUser(t, db, "capturer@example.org", domain.RoleEditor)
	inc := storetest.NewIncident("Article removed")
	if err := db.CreateIncident(ctx, inc, u, ""); err != nil {
		t.Fatal(err)
	}
	first := &domain.Capture{URL: "https://news.example/a", IncidentID: inc.ID, IncidentRef: inc.Ref, RequestedBy: u.ID}
	if err := db.CreateCapture(ctx, first); err != nil {
		t.Fatal(err)
	}
	if first.ID == 0 || first.State != domain.CaptureQueued {
		t.Fatalf("created %+v", first)
	}
	if _, err := db.LatestCapture(ctx, first.URL, 0); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("latest of a queued capture: %v, want ENOTFOUND", err)
	}
	fetched := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	done := *first
	done.State, done.Status, done.FinalURL, done.FetchedAt = domain.CaptureDone, 200, "https://news.example/a/", fetched
	done.WARCSHA256, done.WARCSize, done.Manifest = strings.Repeat("ab", 32), 1234, []byte(`{"z":1,"a":2}`)
	done.BodySHA256, done.TextSHA256, done.Title = "b0d7", "7e47", "Headline"
	if err := db.CompleteCapture(ctx, &done); err != nil {
		t.Fatal(err)
	}
	if err := db.CompleteCapture(ctx, &done); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("second completion: %v, want ECONFLICT", err)
	}
	var entry string
	if err := db.ReaderDB().QueryRowContext(ctx, db.Dialect().Rebind("SELECT entry FROM log_entries WHERE ref = ?"),
		fmt.Sprintf("capture-%d", first.ID)).Scan(&entry); err != nil {
		t.Fatalf("no log entry for the capture: %v", err)
	}
	for _, want := range []string{`"kind":"capture"`, `"sha256":"` + done.WARCSHA256 + `"`, `"warc":"/captures/`, `"warc_sha256":"` + done.WARCSHA256} {
		if !strings.Contains(entry, want) {
			t.Errorf("capture log entry %s lacks %s", entry, want)
		}
	}
	if c, err := db.FindCapture(ctx, first.ID); err != nil || c.LogIndex != nil {
		t.Fatalf("log index before integration: %v %v", c, err)
	}
	lg, err := ledger.New(ledger.Config{Origin: "test/log", Storage: db.LogStorage()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lg.Integrate(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if c, err := db.FindCapture(ctx, first.ID); err != nil || c.LogIndex == nil {
		t.Fatalf("log index after integration: %+v %v", c, err)
	}
	missing := done
	missing.ID = 99999
	if err := db.CompleteCapture(ctx, &missing); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("completing a missing capture: %v, want ENOTFOUND", err)
	}
	got, err := db.FindCapture(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != domain.CaptureDone || got.Status != 200 || !got.FetchedAt.Equal(fetched) || string(got.Manifest) != `{"z":1,"a":2}` ||
		got.IncidentID != inc.ID || got.IncidentRef != inc.Ref || got.RequestedBy != u.ID || got.CompletedAt == nil || got.Title != "Headline" {
		t.Errorf("found %+v", got)
	}
	second := &domain.Capture{URL: first.URL}
	if err := db.CreateCapture(ctx, second); err != nil {
		t.Fatal(err)
	}
	second.State, second.Error, second.RevisitOf = domain.CaptureFailed, "connection refused", first.ID
	if err := db.CompleteCapture(ctx, second); err != nil {
		t.Fatal(err)
	}
	latest, err := db.LatestCapture(ctx, first.URL, 0)
	if err != nil || latest.ID != first.ID {
		t.Fatalf("latest done capture = %v, %v; want %d", latest, err, first.ID)
	}
	list, err := db.CapturesOfURL(ctx, first.URL)
	if err != nil || len(list) != 2 || list[0].ID != second.ID || list[0].RevisitOf != first.ID || !list[0].FetchedAt.IsZero() {
		t.Fatalf("captures of url: %v %v", list, err)
	}
	byInc, err := db.CapturesOfIncident(ctx, inc.ID)
	if err != nil || len(byInc) != 1 {
		t.Fatalf("captures of incident: %v %v", byInc, err)
	}
	if _, err := db.FindCapture(ctx, 424242); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("missing capture: %v", err)
	}
	if err := db.CreateCapture(ctx, &domain.Capture{URL: " "}); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("empty URL: %v", err)
	}
}
