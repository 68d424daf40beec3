package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

const testOrigin = "presswatch.test/log"

// testEntry returns a distinct, valid entry for i.
func testEntry(i int) Entry {
	sum := sha256.Sum256([]byte(fmt.Sprint("content ", i)))
	return Entry{
		Kind:   KindCapture,
		Ref:    fmt.Sprintf("cap-%d", i),
		Time:   time.Unix(1_700_000_000+int64(i), 0),
		SHA256: hex.EncodeToString(sum[:]),
		Data:   json.RawMessage(fmt.Sprintf(`{"incident":"PK-2024-%04d","url":"https://example.org/a/%d"}`, i%50, i)),
	}
}

// testEntries returns canonical entries for [from, to).
func testEntries(tb testing.TB, from, to int) [][]byte {
	tb.Helper()
	out := make([][]byte, 0, to-from)
	for i := from; i < to; i++ {
		b, err := testEntry(i).Canonical()
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

type testLog struct {
	*Log
	store    *MemoryStorage
	skey     string
	vkey     string
	stateDir string
}

// MustNewLog returns a signing log on a fresh MemoryStorage with its state in
// a temporary folder.
func MustNewLog(tb testing.TB) *testLog {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "log")
	skey, err := LoadOrCreateKey(dir, testOrigin)
	if err != nil {
		tb.Fatal(err)
	}
	return MustOpenLog(tb, NewMemoryStorage(), skey, dir)
}

// MustOpenLog opens a signing log on store with the given key and state.
func MustOpenLog(tb testing.TB, store *MemoryStorage, skey, stateDir string, witnesses ...string) *testLog {
	tb.Helper()
	l, err := New(Config{Origin: testOrigin, Storage: store, SignerKey: skey, StateDir: stateDir, Witnesses: witnesses})
	if err != nil {
		tb.Fatal(err)
	}
	return &testLog{Log: l, store: store, skey: skey, vkey: l.VerifierKey(), stateDir: stateDir}
}

// MustAppend appends test entries [from, to) in batches of 1000.
func MustAppend(tb testing.TB, l *Log, from, to int) {
	tb.Helper()
	for i := from; i < to; i += 1000 {
		if _, err := l.AppendRaw(context.Background(), testEntries(tb, i, min(i+1000, to))); err != nil {
			tb.Fatal(err)
		}
	}
}

// MustSign signs and returns the checkpoint.
func MustSign(tb testing.TB, l *Log) []byte {
	tb.Helper()
	b, err := l.Sign(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// MustWriteStatic writes the log's public files into a new temp folder.
func MustWriteStatic(tb testing.TB, l *Log) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := l.WriteStatic(context.Background(), dir); err != nil {
		tb.Fatal(err)
	}
	return dir
}
