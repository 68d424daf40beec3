package ledger

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/presswatch/presswatch/internal/domain"
	"golang.org/x/mod/sumdb/tlog"
)

// Storage is what the database implements for the log. Entries reach the log
// in two steps so that none is lost: the use case that publishes a record
// inserts the canonical entry into an outbox in its own transaction; the
// integrator (Log.Integrate) later reads the outbox in order, assigns leaf
// indexes, computes tlog's stored hashes and hands them to AppendBatch, which
// must commit entries, hashes and the removal of the outbox rows in one
// transaction.
type Storage interface {
	// Size returns the number of entries in the tree.
	Size(ctx context.Context) (int64, error)
	// ReadHashes returns the stored hashes at the given stored-hash indexes
	// (see tlog.StoredHashIndex), in the same order.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// ReadEntries returns the entries with leaf indexes in [start, end).
	ReadEntries(ctx context.Context, start, end int64) ([][]byte, error)
	// AppendBatch stores b atomically. It fails with code ECONFLICT, storing
	// nothing, when the tree size is no longer b.Start (another integrator
	// won the race) or an outbox row in b.Outbox is already gone.
	AppendBatch(ctx context.Context, b Batch) error
	// ReadOutbox returns up to limit pending entries, oldest first.
	ReadOutbox(ctx context.Context, limit int) ([]OutboxEntry, error)
	// ReadCheckpoint returns the published checkpoint (a signed note with any
	// witness cosignatures), or an error with code ENOTFOUND before the first.
	ReadCheckpoint(ctx context.Context) ([]byte, error)
	// WriteCheckpoint replaces the published checkpoint.
	WriteCheckpoint(ctx context.Context, note []byte) error
}

// Batch is a run of consecutive entries appended in one transaction.
type Batch struct {
	Start   int64    // leaf index of Entries[0]; must equal the current size
	Entries [][]byte // canonical entries
	// Hashes are tlog's stored hashes for the new entries, in order, starting
	// at stored-hash index tlog.StoredHashCount(Start).
	Hashes []tlog.Hash
	// Outbox lists the outbox ids consumed by this batch: Outbox[i] became
	// leaf Start+i. Empty when entries were appended directly.
	Outbox []int64
}

// OutboxEntry is an entry waiting for its leaf index.
type OutboxEntry struct {
	ID    int64
	Entry []byte
}

// MemoryStorage is a Storage in memory, for tests, benchmarks and tools.
type MemoryStorage struct {
	mu         sync.Mutex
	entries    [][]byte
	hashes     []tlog.Hash // indexed by stored-hash index
	outbox     []OutboxEntry
	nextID     int64
	checkpoint []byte
}

var _ Storage = (*MemoryStorage)(nil)

// NewMemoryStorage returns an empty MemoryStorage.
func NewMemoryStorage() *MemoryStorage { return &MemoryStorage{nextID: 1} }

// Enqueue adds an entry to the outbox, as a use case's transaction would.
func (m *MemoryStorage) Enqueue(entry []byte) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := m.nextID
	m.nextID++
	m.outbox = append(m.outbox, OutboxEntry{ID: id, Entry: slices.Clone(entry)})
	return id
}

// Size implements Storage.
func (m *MemoryStorage) Size(ctx context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.entries)), nil
}

// ReadHashes implements Storage.
func (m *MemoryStorage) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, domain.Errorf(domain.ENOTFOUND, "ledger: no stored hash %d", x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

// ReadEntries implements Storage.
func (m *MemoryStorage) ReadEntries(ctx context.Context, start, end int64) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if start < 0 || end < start || end > int64(len(m.entries)) {
		return nil, domain.Errorf(domain.ENOTFOUND, "ledger: no entries [%d, %d) in a log of %d", start, end, len(m.entries))
	}
	out := make([][]byte, end-start)
	for i := range out {
		out[i] = slices.Clone(m.entries[start+int64(i)])
	}
	return out, nil
}

// AppendBatch implements Storage.
func (m *MemoryStorage) AppendBatch(ctx context.Context, b Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if b.Start != int64(len(m.entries)) {
		return domain.Errorf(domain.ECONFLICT, "ledger: batch starts at %d but the log has %d entries", b.Start, len(m.entries))
	}
	if want := tlog.StoredHashCount(b.Start+int64(len(b.Entries))) - tlog.StoredHashCount(b.Start); int64(len(b.Hashes)) != want {
		return fmt.Errorf("ledger: batch has %d stored hashes, want %d", len(b.Hashes), want)
	}
	if len(b.Outbox) > 0 {
		if len(b.Outbox) != len(b.Entries) || len(m.outbox) < len(b.Outbox) {
			return domain.Errorf(domain.ECONFLICT, "ledger: outbox rows are gone")
		}
		for i, id := range b.Outbox {
			if m.outbox[i].ID != id {
				return domain.Errorf(domain.ECONFLICT, "ledger: outbox row %d is gone", id)
			}
		}
		m.outbox = slices.Delete(m.outbox, 0, len(b.Outbox))
	}
	for _, e := range b.Entries {
		m.entries = append(m.entries, slices.Clone(e))
	}
	m.hashes = append(m.hashes, b.Hashes...)
	return nil
}

// ReadOutbox implements Storage.
func (m *MemoryStorage) ReadOutbox(ctx context.Context, limit int) ([]OutboxEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := min(limit, len(m.outbox))
	return slices.Clone(m.outbox[:n]), nil
}

// ReadCheckpoint implements Storage.
func (m *MemoryStorage) ReadCheckpoint(ctx context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.checkpoint == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "ledger: no checkpoint has been published yet")
	}
	return slices.Clone(m.checkpoint), nil
}

// WriteCheckpoint implements Storage.
func (m *MemoryStorage) WriteCheckpoint(ctx context.Context, note []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checkpoint = slices.Clone(note)
	return nil
}

// Snapshot returns a copy of m, as a database backup would be.
func (m *MemoryStorage) Snapshot() *MemoryStorage {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := &MemoryStorage{nextID: m.nextID, checkpoint: slices.Clone(m.checkpoint)}
	for _, e := range m.entries {
		c.entries = append(c.entries, slices.Clone(e))
	}
	c.hashes = slices.Clone(m.hashes)
	c.outbox = slices.Clone(m.outbox)
	return c
}
