package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/presswatch/presswatch/internal/domain"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// TileHeight is the C2SP tlog-tiles tile height: tiles hold 256 hashes.
const (
	TileHeight = 8
	TileWidth  = 1 << TileHeight
)

// Config says how to open a Log.
type Config struct {
	Origin  string  // the instance's log name, e.g. "news.example.org/log"
	Storage Storage // where entries and hashes live
	// SignerKey signs checkpoints; empty opens the log read-only (a web
	// process serving what the worker signed).
	SignerKey string
	// StateDir holds the last-signed file (normally <data>/log). It must be
	// outside the database: it is how a restored old database is noticed.
	// Required when SignerKey is set.
	StateDir string
	// VerifierKey is the log's verifier key, for a log opened without
	// SignerKey (it is derived from SignerKey otherwise).
	VerifierKey string
	// Witnesses are the verifier keys of witnesses whose cosignatures
	// (C2SP tlog-cosignature, Ed25519) are accepted.
	Witnesses []string
}

// Log is the transparency log of one instance. It is safe for concurrent use.
type Log struct {
	origin    string
	store     Storage
	signer    note.Signer
	verifier  note.Verifier
	vkey      string
	stateDir  string
	witnesses []note.Verifier

	mu      sync.Mutex // serialises appends, signing and cosignature merges
	refused error      // why signing was last refused, if it was
}

// New opens the log described by cfg.
func New(cfg Config) (*Log, error) {
	if !validOrigin(cfg.Origin) {
		return nil, fmt.Errorf("ledger: origin %q must be non-empty without spaces or '+'", cfg.Origin)
	}
	if cfg.Storage == nil {
		return nil, errors.New("ledger: no storage")
	}
	l := &Log{origin: cfg.Origin, store: cfg.Storage, stateDir: cfg.StateDir}
	if cfg.SignerKey != "" {
		if cfg.StateDir == "" {
			return nil, errors.New("ledger: a signing log needs a state folder for the last-signed file")
		}
		s, err := note.NewSigner(cfg.SignerKey)
		if err != nil {
			return nil, fmt.Errorf("ledger: signer key: %w", err)
		}
		if s.Name() != cfg.Origin {
			return nil, fmt.Errorf("ledger: signer key is named %q but the origin is %q", s.Name(), cfg.Origin)
		}
		vkey, err := VerifierKey(cfg.SignerKey)
		if err != nil {
			return nil, err
		}
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return nil, fmt.Errorf("ledger: verifier key: %w", err)
		}
		l.signer, l.verifier, l.vkey = s, v, vkey
	} else if cfg.VerifierKey != "" {
		v, err := note.NewVerifier(cfg.VerifierKey)
		if err != nil {
			return nil, fmt.Errorf("ledger: verifier key: %w", err)
		}
		if v.Name() != cfg.Origin {
			return nil, fmt.Errorf("ledger: verifier key is named %q but the origin is %q", v.Name(), cfg.Origin)
		}
		l.verifier, l.vkey = v, cfg.VerifierKey
	}
	for _, w := range cfg.Witnesses {
		v, err := NewCosignatureVerifier(w)
		if err != nil {
			return nil, fmt.Errorf("ledger: witness key %q: %w", w, err)
		}
		l.witnesses = append(l.witnesses, v)
	}
	return l, nil
}

// Origin returns the log's origin line.
func (l *Log) Origin() string { return l.origin }

// VerifierKey returns the key readers use to check checkpoints ("" when the
// log was opened without a signer key).
func (l *Log) VerifierKey() string { return l.vkey }

// Storage returns the log's storage.
func (l *Log) Storage() Storage { return l.store }

// Size returns the number of entries in the tree.
func (l *Log) Size(ctx context.Context) (int64, error) {
	n, err := l.store.Size(ctx)
	if err != nil {
		return 0, fmt.Errorf("ledger: size: %w", err)
	}
	return n, nil
}

// Append canonicalises entries and appends them in one batch, returning the
// leaf index of the first. Use cases that must not lose an entry write it to
// the outbox in their transaction instead and let Integrate append it.
func (l *Log) Append(ctx context.Context, entries ...Entry) (int64, error) {
	raw := make([][]byte, len(entries))
	for i, e := range entries {
		b, err := e.Canonical()
		if err != nil {
			return 0, err
		}
		raw[i] = b
	}
	return l.AppendRaw(ctx, raw)
}

// AppendRaw appends already canonical entries in one batch and returns the
// leaf index of the first. Unlike Integrate it also appends to a tree that is
// smaller than the last signed one: that is how entries lost with a restored
// database are put back from the public tiles before signing resumes.
func (l *Log) AppendRaw(ctx context.Context, entries [][]byte) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appendLocked(ctx, entries, nil)
}

func (l *Log) appendLocked(ctx context.Context, entries [][]byte, outbox []int64) (int64, error) {
	for i, e := range entries {
		if len(e) > MaxEntrySize {
			return 0, domain.Errorf(domain.EINVALID, "ledger: entry %d of the batch is %d bytes, more than %d", i, len(e), MaxEntrySize)
		}
	}
	start, err := l.store.Size(ctx)
	if err != nil {
		return 0, fmt.Errorf("ledger: append: %w", err)
	}
	if outbox != nil {
		if err := l.checkNotBehind(start); err != nil {
			return 0, err
		}
	}
	base := tlog.StoredHashCount(start)
	r := &batchReader{ctx: ctx, store: l.store, base: base, cache: map[int64]tlog.Hash{}}
	for i, e := range entries {
		hs, err := tlog.StoredHashes(start+int64(i), e, r)
		if err != nil {
			return 0, fmt.Errorf("ledger: hash entry %d: %w", start+int64(i), err)
		}
		r.pending = append(r.pending, hs...)
	}
	b := Batch{Start: start, Entries: entries, Hashes: r.pending, Outbox: outbox}
	if err := l.store.AppendBatch(ctx, b); err != nil {
		return 0, fmt.Errorf("ledger: append batch at %d: %w", start, err)
	}
	return start, nil
}

// checkNotBehind refuses to grow a tree that is smaller than the last signed
// one: the missing entries must come back first (from a newer backup or the
// public tiles), or the new ones would fork the log. Outbox rows stay queued.
func (l *Log) checkNotBehind(size int64) error {
	if l.signer == nil {
		return nil
	}
	last, err := l.lastSigned()
	if err != nil || last == nil {
		return err
	}
	if size < last.Size {
		return l.refuse(rollbackMessage(size, last.Size))
	}
	return nil
}

// Integrate moves pending outbox entries into the tree, in order, in batches
// of at most batchSize, and returns how many it appended. Run it after each
// publishing transaction and periodically; it is safe to run concurrently
// with other integrators, which make it stop with code ECONFLICT.
func (l *Log) Integrate(ctx context.Context, batchSize int) (int, error) {
	if batchSize <= 0 {
		batchSize = 1000
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	total := 0
	for {
		pending, err := l.store.ReadOutbox(ctx, batchSize)
		if err != nil {
			return total, fmt.Errorf("ledger: read outbox: %w", err)
		}
		if len(pending) == 0 {
			return total, nil
		}
		entries := make([][]byte, len(pending))
		ids := make([]int64, len(pending))
		for i, p := range pending {
			entries[i], ids[i] = p.Entry, p.ID
		}
		if _, err := l.appendLocked(ctx, entries, ids); err != nil {
			return total, err
		}
		total += len(pending)
	}
}

// batchReader reads stored hashes for a batch being built: those of the
// batch from memory, older ones from storage through a cache.
type batchReader struct {
	ctx     context.Context
	store   Storage
	base    int64 // stored-hash index of pending[0]
	pending []tlog.Hash
	cache   map[int64]tlog.Hash
}

func (r *batchReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var miss []int64
	for i, x := range indexes {
		if x >= r.base {
			if x-r.base >= int64(len(r.pending)) {
				return nil, fmt.Errorf("ledger: stored hash %d is not computed yet", x)
			}
			out[i] = r.pending[x-r.base]
		} else if h, ok := r.cache[x]; ok {
			out[i] = h
		} else {
			miss = append(miss, x)
		}
	}
	if len(miss) == 0 {
		return out, nil
	}
	hs, err := r.store.ReadHashes(r.ctx, miss)
	if err != nil {
		return nil, err
	}
	for i, x := range miss {
		r.cache[x] = hs[i]
	}
	for i, x := range indexes {
		if x < r.base {
			out[i] = r.cache[x]
		}
	}
	return out, nil
}

// hashReader adapts Storage to tlog.HashReader.
func (l *Log) hashReader(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return l.store.ReadHashes(ctx, indexes)
	})
}

// Root returns the tree hash of the first size entries.
func (l *Log) Root(ctx context.Context, size int64) (tlog.Hash, error) {
	h, err := tlog.TreeHash(size, l.hashReader(ctx))
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("ledger: root at %d: %w", size, err)
	}
	return h, nil
}

// LeafHash returns the RFC 6962 leaf hash of entry index.
func (l *Log) LeafHash(ctx context.Context, index int64) (tlog.Hash, error) {
	hs, err := l.store.ReadHashes(ctx, []int64{tlog.StoredHashIndex(0, index)})
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("ledger: leaf hash %d: %w", index, err)
	}
	return hs[0], nil
}

// ProveInclusion returns the RFC 6962 inclusion proof of entry index in the
// tree of the given size.
func (l *Log) ProveInclusion(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if index < 0 || index >= size {
		return nil, domain.Errorf(domain.EINVALID, "ledger: entry %d is not in a tree of size %d", index, size)
	}
	p, err := tlog.ProveRecord(size, index, l.hashReader(ctx))
	if err != nil {
		return nil, fmt.Errorf("ledger: prove entry %d in %d: %w", index, size, err)
	}
	return p, nil
}

// ProveConsistency returns the RFC 6962 consistency proof between the trees
// of sizes oldSize and newSize.
func (l *Log) ProveConsistency(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	if oldSize < 0 || oldSize > newSize {
		return nil, domain.Errorf(domain.EINVALID, "ledger: no consistency proof from %d to %d", oldSize, newSize)
	}
	if oldSize == 0 || oldSize == newSize {
		return tlog.TreeProof{}, nil // RFC 6962: nothing to prove
	}
	p, err := tlog.ProveTree(newSize, oldSize, l.hashReader(ctx))
	if err != nil {
		return nil, fmt.Errorf("ledger: prove %d → %d: %w", oldSize, newSize, err)
	}
	return p, nil
}
