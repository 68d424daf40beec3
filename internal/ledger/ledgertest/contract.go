// Package ledgertest holds the contract every ledger.Storage must keep, as a
// test suite that the SQL stores run on SQLite and PostgreSQL and that the
// ledger package runs on its MemoryStorage.
package ledgertest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/ledger"
	"golang.org/x/mod/sumdb/tlog"
)

// Harness opens a fresh, empty storage for one subtest. Enqueue puts an entry
// in the outbox the way a publishing transaction does.
type Harness struct {
	Open    func(t *testing.T) ledger.Storage
	Enqueue func(t *testing.T, s ledger.Storage, entry []byte)
}

func entries(t *testing.T, from, to int) [][]byte {
	t.Helper()
	var out [][]byte
	for i := from; i < to; i++ {
		b, err := ledger.Entry{Kind: ledger.KindIncidentRevision, Ref: fmt.Sprintf("PK-2024-%04d", i),
			Time: time.Unix(1_700_000_000+int64(i), 0)}.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func openLog(t *testing.T, s ledger.Storage) *ledger.Log {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "log")
	skey, err := ledger.LoadOrCreateKey(dir, "contract.test/log")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.New(ledger.Config{Origin: "contract.test/log", Storage: s, SignerKey: skey, StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Run runs the storage contract.
func Run(t *testing.T, h Harness) {
	ctx := context.Background()
	t.Run("empty", func(t *testing.T) {
		s := h.Open(t)
		if n, err := s.Size(ctx); err != nil || n != 0 {
			t.Fatalf("Size = %d, %v", n, err)
		}
		if _, err := s.ReadCheckpoint(ctx); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("ReadCheckpoint on empty = %v, want ENOTFOUND", err)
		}
		if out, err := s.ReadOutbox(ctx, 10); err != nil || len(out) != 0 {
			t.Fatalf("ReadOutbox = %v, %v", out, err)
		}
	})
	t.Run("append and read back", func(t *testing.T) {
		s := h.Open(t)
		l := openLog(t, s)
		want := entries(t, 0, 700)
		for i := 0; i < 700; i += 300 {
			if _, err := l.AppendRaw(ctx, want[i:min(i+300, 700)]); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.ReadEntries(ctx, 250, 520)
		if err != nil || len(got) != 270 {
			t.Fatalf("ReadEntries = %d, %v", len(got), err)
		}
		for i := range got {
			if string(got[i]) != string(want[250+i]) {
				t.Fatalf("entry %d differs", 250+i)
			}
		}
		hs, err := s.ReadHashes(ctx, []int64{tlog.StoredHashIndex(0, 699), tlog.StoredHashIndex(0, 3), tlog.StoredHashIndex(8, 1)})
		if err != nil || len(hs) != 3 || hs[0] != tlog.RecordHash(want[699]) || hs[1] != tlog.RecordHash(want[3]) {
			t.Fatalf("ReadHashes = %v, %v", hs, err)
		}
		if _, err := s.ReadEntries(ctx, 690, 701); err == nil {
			t.Fatal("ReadEntries past the end succeeded")
		}
	})
	t.Run("stale batch is a conflict and stores nothing", func(t *testing.T) {
		s := h.Open(t)
		l := openLog(t, s)
		if _, err := l.AppendRaw(ctx, entries(t, 0, 5)); err != nil {
			t.Fatal(err)
		}
		err := s.AppendBatch(ctx, ledger.Batch{Start: 3, Entries: entries(t, 5, 6), Hashes: make([]tlog.Hash, tlog.StoredHashCount(4)-tlog.StoredHashCount(3))})
		if domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale AppendBatch = %v, want ECONFLICT", err)
		}
		if n, _ := s.Size(ctx); n != 5 {
			t.Fatalf("size %d after a refused batch", n)
		}
	})
	t.Run("outbox is consumed in order with the batch", func(t *testing.T) {
		s := h.Open(t)
		l := openLog(t, s)
		want := entries(t, 0, 2100)
		for _, e := range want {
			h.Enqueue(t, s, e)
		}
		n, err := l.Integrate(ctx, 1000)
		if err != nil || n != 2100 {
			t.Fatalf("Integrate = %d, %v", n, err)
		}
		if out, _ := s.ReadOutbox(ctx, 10); len(out) != 0 {
			t.Fatalf("%d entries left in the outbox", len(out))
		}
		got, err := s.ReadEntries(ctx, 0, 2100)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if string(got[i]) != string(want[i]) {
				t.Fatalf("entry %d out of order", i)
			}
		}
	})
	t.Run("checkpoint, tiles and verification", func(t *testing.T) {
		s := h.Open(t)
		l := openLog(t, s)
		if _, err := l.AppendRaw(ctx, entries(t, 0, 600)); err != nil {
			t.Fatal(err)
		}
		cp, err := l.Sign(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.ReadCheckpoint(ctx); err != nil || string(got) != string(cp) {
			t.Fatalf("ReadCheckpoint = %q, %v", got, err)
		}
		dir := t.TempDir()
		if err := l.WriteStatic(ctx, dir); err != nil {
			t.Fatal(err)
		}
		if _, err := ledger.Verify(ctx, ledger.DirSource(dir), l.VerifierKey(), ledger.VerifyOptions{}); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})
}
