package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/ledger"
	"github.com/presswatch/presswatch/internal/ledger/ledgertest"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

func logHarness(open func(t *testing.T) *store.DB) ledgertest.Harness {
	return ledgertest.Harness{
		Open: func(t *testing.T) ledger.Storage { return open(t).LogStorage() },
		Enqueue: func(t *testing.T, s ledger.Storage, entry []byte) {
			t.Helper()
			e, err := ledger.ParseEntry(entry)
			if err != nil {
				t.Fatal(err)
			}
			mustEnqueue(t, s.(*store.LogStorage), e)
		},
	}
}

func mustEnqueue(tb testing.TB, s *store.LogStorage, e ledger.Entry) {
	tb.Helper()
	ctx := context.Background()
	tx, err := s.DB().Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	if err := store.InsertLedgerEntry(ctx, tx, e); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

func TestLogStorageSQLite(t *testing.T) {
	ledgertest.Run(t, logHarness(func(t *testing.T) *store.DB { return storetest.MustOpenSQLite(t) }))
}

func TestLogStoragePostgres(t *testing.T) {
	storetest.PostgresURL(t) // skips without the variable
	ledgertest.Run(t, logHarness(func(t *testing.T) *store.DB { return storetest.MustOpenPostgres(t) }))
}

// TestPublishLogsCanonicalEntry checks that publishing writes a canonical
// ledger entry whose sha256 is the public content's hash and whose data.url
// serves exactly the hashed bytes.
func TestPublishLogsCanonicalEntry(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSQLite(t)
	ed := storetest.MustUser(t, db, "ed@example.org", domain.RoleEditor)
	ed2 := storetest.MustUser(t, db, "ed2@example.org", domain.RoleEditor)
	inc := storetest.NewIncident("Channel taken off air")
	if err := db.CreateIncident(ctx, inc, ed, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Transition(ctx, inc.ID, 1, domain.ActionSubmit, ed, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.Approve(ctx, inc.ID, 1, ed2, ""); err != nil {
		t.Fatal(err)
	}
	pub, err := db.Publish(ctx, inc.ID, 1, ed)
	if err != nil {
		t.Fatal(err)
	}
	out, err := db.LogStorage().ReadOutbox(ctx, 10)
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox = %d, %v", len(out), err)
	}
	e, err := ledger.ParseEntry(out[0].Entry)
	if err != nil {
		t.Fatalf("the logged entry is not canonical: %v\n%s", err, out[0].Entry)
	}
	if e.Kind != ledger.KindIncidentRevision || e.Ref != pub.Ref || e.SHA256 != pub.ContentHash() {
		t.Fatalf("entry = %+v, want sha256 %s", e, pub.ContentHash())
	}
	var data struct {
		URL      string `json:"url"`
		Revision int    `json:"revision"`
	}
	if err := json.Unmarshal(e.Data, &data); err != nil || data.Revision != 1 {
		t.Fatalf("data = %s (%v)", e.Data, err)
	}
	content, err := db.FindLogContent(ctx, data.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := sha256Hex(content); got != e.SHA256 {
		t.Fatalf("content at %s hashes to %s, entry says %s", data.URL, got, e.SHA256)
	}
	if _, err := db.LogIndex(ctx, pub.Ref); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("LogIndex before integration = %v", err)
	}
	lg, err := ledger.New(ledger.Config{Origin: "test/log", Storage: db.LogStorage()})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := lg.Integrate(ctx, 100); err != nil || n != 1 {
		t.Fatalf("Integrate = %d, %v", n, err)
	}
	if idx, err := db.LogIndex(ctx, pub.Ref); err != nil || idx != 0 {
		t.Fatalf("LogIndex = %d, %v", idx, err)
	}
	if fp, err := db.FindPublic(ctx, pub.Ref); err != nil || fp.LogIndex == nil || *fp.LogIndex != 0 {
		t.Fatalf("FindPublic log index = %v, %v", fp, err)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
