package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

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

// TestLogConcurrentIntegrators runs two integrators (as two serve processes
// would) on one database: each entry lands once, in a tree whose stored
// hashes match the entries.
func TestLogConcurrentIntegrators(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testConcurrentIntegrators(t, storetest.MustOpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) {
		storetest.PostgresURL(t)
		testConcurrentIntegrators(t, storetest.MustOpenPostgres(t))
	})
}

func testConcurrentIntegrators(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const n = 600
	for i := 0; i < n; i++ {
		mustEnqueue(t, db.LogStorage(), ledger.Entry{Kind: ledger.KindMeasurement, Ref: "m-" + strconv.Itoa(i), Time: time.Unix(1_700_000_000, 0)})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for w := 0; w < 2; w++ {
		lg, err := ledger.New(ledger.Config{Origin: "race.test/log", Storage: db.LogStorage()})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, err := lg.Integrate(ctx, 50)
				if domain.ErrorCode(err) == domain.ECONFLICT {
					continue // the other integrator won this batch
				}
				if err != nil {
					errs <- err
					return
				}
				if left, _ := db.LogStorage().OutboxLen(ctx); left == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s := db.LogStorage()
	size, err := s.Size(ctx)
	if err != nil || size != n {
		t.Fatalf("size %d, %v", size, err)
	}
	entries, err := s.ReadEntries(ctx, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var hashes []tlog.Hash
	for i, e := range entries {
		if seen[string(e)] {
			t.Fatalf("entry %d appended twice", i)
		}
		seen[string(e)] = true
		hs, err := tlog.StoredHashes(int64(i), e, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			for j, x := range idx {
				out[j] = hashes[x]
			}
			return out, nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, hs...)
	}
	got, err := s.ReadHashes(ctx, []int64{0, int64(len(hashes) - 1), tlog.StoredHashIndex(0, n-1)})
	if err != nil || got[0] != hashes[0] || got[1] != hashes[len(hashes)-1] || got[2] != tlog.RecordHash(entries[n-1]) {
		t.Fatalf("stored hashes differ from the entries' (%v)", err)
	}
	want, _ := tlog.TreeHash(n, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for j, x := range idx {
			out[j] = hashes[x]
		}
		return out, nil
	}))
	lg, _ := ledger.New(ledger.Config{Origin: "race.test/log", Storage: s})
	if root, err := lg.Root(ctx, n); err != nil || root != want {
		t.Fatalf("root %s, want %s (%v)", root, want, err)
	}
}
