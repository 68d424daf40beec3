package ledger

import (
	"context"
	"testing"
)

// BenchmarkAppendBatch appends canonical entries in batches of 1,000 to a
// MemoryStorage (hashing and tlog's stored hashes included).
func BenchmarkAppendBatch(b *testing.B) {
	ctx := context.Background()
	l := MustNewLog(b)
	batch := testEntries(b, 0, 1000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := l.AppendRaw(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkAppendEntries is BenchmarkAppendBatch plus canonical JSON encoding.
func BenchmarkAppendEntries(b *testing.B) {
	ctx := context.Background()
	l := MustNewLog(b)
	entries := make([]Entry, 1000)
	for i := range entries {
		entries[i] = testEntry(i)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := l.Append(ctx, entries...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(entries))/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkSign signs a checkpoint of a 1,000,000-entry tree that grew by one
// entry: root, consistency proof against the last signed checkpoint, Ed25519
// signature, durable write of the last-signed file (fsync), publication.
func BenchmarkSign(b *testing.B) {
	ctx := context.Background()
	l := MustNewLog(b)
	MustAppend(b, l.Log, 0, 1_000_000)
	MustSign(b, l.Log)
	i := 1_000_000
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if _, err := l.AppendRaw(ctx, testEntries(b, i, i+1)); err != nil {
			b.Fatal(err)
		}
		i++
		b.StartTimer()
		if _, err := l.Sign(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify1M verifies a 1,000,000-entry log from its tiles in a temp
// folder, reporting the SHA-256 rate.
func BenchmarkVerify1M(b *testing.B) {
	ctx := context.Background()
	l := MustNewLog(b)
	MustAppend(b, l.Log, 0, 1_000_000)
	MustSign(b, l.Log)
	dir := MustWriteStatic(b, l.Log)
	var sum *VerifySummary
	b.ResetTimer()
	for b.Loop() {
		var err error
		if sum, err = Verify(ctx, DirSource(dir), l.vkey, VerifyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(sum.HashesPerSecond(), "sha256/s")
	b.ReportMetric(sum.MBPerSecond(), "MB/s")
	b.ReportMetric(float64(sum.Size)/sum.Duration.Seconds(), "entries/s")
}
