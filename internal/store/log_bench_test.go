package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/ledger"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

func benchEntries(b *testing.B, from, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		e, err := ledger.Entry{Kind: ledger.KindIncidentRevision, Ref: fmt.Sprintf("PK-2024-%06d", from+i),
			Time: time.Unix(1_700_000_000, 0), SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			Data: []byte(`{"revision":1,"status":"published","url":"/incidents/PK-2024-0001/content/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.json"}`)}.Canonical()
		if err != nil {
			b.Fatal(err)
		}
		out[i] = e
	}
	return out
}

// BenchmarkLogAppendSQLite appends entries in batches of 1,000 to the
// SQLite log storage (entries, stored hashes, one transaction per batch).
func BenchmarkLogAppendSQLite(b *testing.B) {
	ctx := context.Background()
	db := storetest.MustOpenSQLite(b)
	lg, err := ledger.New(ledger.Config{Origin: "bench/log", Storage: db.LogStorage()})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 1000
	entries := benchEntries(b, 0, batch)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := lg.AppendRaw(ctx, entries); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, b.N*batch, cpu0)
}

// BenchmarkLogIntegrateSQLite moves outbox rows into the tree in batches of
// 1,000 (the path every publication takes); filling the outbox is not timed.
func BenchmarkLogIntegrateSQLite(b *testing.B) {
	ctx := context.Background()
	db := storetest.MustOpenSQLite(b)
	lg, err := ledger.New(ledger.Config{Origin: "bench/log", Storage: db.LogStorage()})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 1000
	entries := benchEntries(b, 0, batch)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tx, err := db.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range entries {
			if _, err := tx.Exec(ctx, "INSERT INTO log_entries (kind, ref, entry, created_at) VALUES ('incident_revision', 'x', ?, 'now')", e); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if n, err := lg.Integrate(ctx, batch); err != nil || n != batch {
			b.Fatalf("Integrate = %d, %v", n, err)
		}
	}
	reportRates(b, b.N*batch, cpu0)
}

// BenchmarkLogSignSQLite signs a checkpoint of a 100,000-entry tree grown by
// one entry each time: root from stored hashes, consistency with the last
// signed checkpoint, Ed25519, durable last-signed file, publication.
func BenchmarkLogSignSQLite(b *testing.B) {
	ctx := context.Background()
	db := storetest.MustOpenSQLite(b)
	dir := filepath.Join(b.TempDir(), "log")
	skey, err := ledger.LoadOrCreateKey(dir, "bench/log")
	if err != nil {
		b.Fatal(err)
	}
	lg, err := ledger.New(ledger.Config{Origin: "bench/log", Storage: db.LogStorage(), SignerKey: skey, StateDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if _, err := lg.AppendRaw(ctx, benchEntries(b, i*1000, 1000)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := lg.Sign(ctx); err != nil {
		b.Fatal(err)
	}
	more := benchEntries(b, 100_000, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if _, err := lg.AppendRaw(ctx, more[i:i+1]); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := lg.Sign(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime is the process's user+system CPU time: on a shared, loaded
// machine entries per CPU second says more than entries per wall second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportRates(b *testing.B, n int, cpu0 time.Duration) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "entries/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "entries/cpu-s")
	}
}
