package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// StatePath keeps the last checkpoint this verifier accepted. When it
	// exists, the new checkpoint must extend it; it is rewritten
	// (atomically) only after a successful verification.
	StatePath string
	// Progress, when set, is called after each bundle of entries.
	Progress func(done, total int64)
	// CheckEntry, when set, is called with every entry (or, with OnlyRef,
	// every entry that Mentions it), parsed and checked to be canonical. It
	// is where the caller recomputes the hashes of public content and WARC
	// files; its error fails the verification, naming the entry.
	CheckEntry func(index int64, e Entry) error
	// OnlyRef restricts CheckEntry to the entries that mention this ref. The
	// tree itself is always verified whole.
	OnlyRef string
}

// VerifySummary describes a successful verification.
type VerifySummary struct {
	Origin       string
	Size         int64
	Root         tlog.Hash
	HadState     bool  // a previous checkpoint was found in the state file
	PreviousSize int64 // its size; the new tree was proved to extend it
	Checked      int64 // entries passed to CheckEntry
	Hashes       int64 // SHA-256 computations (leaves and interior nodes)
	BytesHashed  int64
	Duration     time.Duration
}

// HashesPerSecond is the rate of SHA-256 computations over the whole run.
func (s VerifySummary) HashesPerSecond() float64 {
	return float64(s.Hashes) / max(s.Duration.Seconds(), 1e-9)
}

// MBPerSecond is the SHA-256 input rate in MB (10⁶ bytes) per second.
func (s VerifySummary) MBPerSecond() float64 {
	return float64(s.BytesHashed) / 1e6 / max(s.Duration.Seconds(), 1e-9)
}

// Errors Verify wraps; an *EntryError names the first failing entry.
var (
	ErrFork         = errors.New("ledger: the log forked: it does not extend the checkpoint seen before")
	ErrRollback     = errors.New("ledger: the log rolled back: its checkpoint is smaller than the one seen before")
	ErrRootMismatch = errors.New("ledger: the tiles do not add up to the signed root")
)

// EntryError reports the first entry (by leaf index) that failed.
type EntryError struct {
	Index int64
	Err   error
}

func (e *EntryError) Error() string { return fmt.Sprintf("ledger: entry %d: %v", e.Index, e.Err) }
func (e *EntryError) Unwrap() error { return e.Err }

// Verify checks a log from its public files alone: the checkpoint's signature
// by verifierKey, that it extends the checkpoint in the state file, that every
// entry bundle matches the hash tiles, that all hash tiles are recomputed
// equal from the entries, and that they add up to the signed root. It calls
// opts.CheckEntry for content checks and fails naming the first failing entry.
func Verify(ctx context.Context, src Source, verifierKey string, opts VerifyOptions) (*VerifySummary, error) {
	start := time.Now()
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return nil, fmt.Errorf("ledger: verifier key: %w", err)
	}
	raw, err := src.ReadFile(ctx, "checkpoint")
	if err != nil {
		return nil, err
	}
	cp, _, err := OpenCheckpoint(raw, v)
	if err != nil {
		return nil, err
	}
	sum := &VerifySummary{Origin: cp.Origin, Size: cp.Size, Root: cp.Hash}
	var prev *Checkpoint
	if opts.StatePath != "" {
		b, err := os.ReadFile(opts.StatePath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("ledger: state file: %w", err)
		default:
			p, _, err := OpenCheckpoint(b, v)
			if err != nil {
				return nil, fmt.Errorf("ledger: state file %s: %w", opts.StatePath, err)
			}
			prev = &p
			sum.HadState, sum.PreviousSize = true, p.Size
			if p.Size > cp.Size {
				return nil, fmt.Errorf("%w: size %d now, %d before", ErrRollback, cp.Size, p.Size)
			}
			if p.Size == cp.Size && p.Hash != cp.Hash {
				return nil, fmt.Errorf("%w: two different roots for size %d", ErrFork, cp.Size)
			}
		}
	}

	w := &treeWalker{ctx: ctx, src: src, size: cp.Size, sum: sum, opts: opts, upper: map[int]*upperTile{}}
	if prev != nil {
		w.prevSize = prev.Size
	}
	if err := w.run(); err != nil {
		return nil, err
	}
	root := w.root()
	sum.Hashes += int64(max(len(w.stack)-1, 0))
	if root != cp.Hash {
		return nil, fmt.Errorf("%w: computed %s, signed %s", ErrRootMismatch, root, cp.Hash)
	}
	if prev != nil && w.prevRoot != prev.Hash {
		return nil, fmt.Errorf("%w: the first %d entries now have root %s, before %s", ErrFork, prev.Size, w.prevRoot, prev.Hash)
	}
	if opts.StatePath != "" {
		if err := os.MkdirAll(filepath.Dir(opts.StatePath), 0o700); err != nil {
			return nil, fmt.Errorf("ledger: state file: %w", err)
		}
		if err := writeFileAtomic(opts.StatePath, raw, 0o600, true); err != nil {
			return nil, err
		}
	}
	sum.Duration = time.Since(start)
	return sum, nil
}

// upperTile collects the recomputed hashes of one level ≥ 1 hash tile.
type upperTile struct {
	n      int64
	hashes []byte
}

// treeWalker recomputes the tree from the entry bundles as a compact range
// (the stack of perfect subtrees on its right edge), checking each hash tile
// as its hashes become known.
type treeWalker struct {
	ctx      context.Context
	src      Source
	size     int64
	sum      *VerifySummary
	opts     VerifyOptions
	stack    []tlog.Hash
	levels   []int
	upper    map[int]*upperTile
	prevSize int64
	prevRoot tlog.Hash
}

type fetchedBundle struct {
	n      int64
	width  int
	bundle []byte
	tile   []byte
	err    error
}

func (w *treeWalker) run() error {
	ctx, cancel := context.WithCancel(w.ctx)
	defer cancel()
	tiles := (w.size + TileWidth - 1) / TileWidth
	ch := make(chan fetchedBundle, 8)
	go func() { // fetch ahead while hashing
		defer close(ch)
		for n := int64(0); n < tiles; n++ {
			f := fetchedBundle{n: n, width: int(min(TileWidth, w.size-n*TileWidth))}
			f.bundle, f.err = w.src.ReadFile(ctx, TilePath{Level: EntriesLevel, N: n, Width: f.width}.String())
			if f.err == nil {
				f.tile, f.err = w.src.ReadFile(ctx, TilePath{Level: 0, N: n, Width: f.width}.String())
			}
			select {
			case ch <- f:
			case <-ctx.Done():
				return
			}
			if f.err != nil {
				return
			}
		}
	}()
	if w.prevSize == 0 {
		w.prevRoot, _ = tlog.TreeHash(0, nil)
	}
	for f := range ch {
		first := f.n * TileWidth
		if f.err != nil {
			return &EntryError{Index: first, Err: f.err}
		}
		if len(f.tile) != f.width*tlog.HashSize {
			return &EntryError{Index: first, Err: fmt.Errorf("hash tile %s has %d bytes, want %d", TilePath{Level: 0, N: f.n, Width: f.width}, len(f.tile), f.width*tlog.HashSize)}
		}
		b := f.bundle
		for i := 0; i < f.width; i++ {
			idx := first + int64(i)
			if len(b) < 2 || int(binary.BigEndian.Uint16(b))+2 > len(b) {
				return &EntryError{Index: idx, Err: fmt.Errorf("entry bundle %s ends before this entry", TilePath{Level: EntriesLevel, N: f.n, Width: f.width})}
			}
			l := int(binary.BigEndian.Uint16(b))
			e := b[2 : 2+l]
			b = b[2+l:]
			h := recordHash(e)
			w.sum.Hashes++
			w.sum.BytesHashed += int64(l) + 1
			if !bytes.Equal(h[:], f.tile[i*tlog.HashSize:(i+1)*tlog.HashSize]) {
				return &EntryError{Index: idx, Err: fmt.Errorf("the entry does not match its hash in %s (the entry or the tile was altered)", TilePath{Level: 0, N: f.n, Width: f.width})}
			}
			if err := w.checkEntry(idx, e); err != nil {
				return err
			}
			if err := w.push(h, idx); err != nil {
				return err
			}
			if idx+1 == w.prevSize {
				w.prevRoot = w.root()
			}
		}
		if len(b) != 0 {
			return &EntryError{Index: first + int64(f.width) - 1, Err: fmt.Errorf("entry bundle %s has data after its last entry", TilePath{Level: EntriesLevel, N: f.n, Width: f.width})}
		}
		if w.opts.Progress != nil {
			w.opts.Progress(first+int64(f.width), w.size)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The partial tiles on the right edge of each level.
	for level := 1; w.size>>(TileHeight*level) > 0; level++ {
		u := w.upper[level]
		if u == nil || len(u.hashes) == 0 {
			continue
		}
		if err := w.compareUpper(level, u); err != nil {
			return err
		}
	}
	return nil
}

func recordHash(e []byte) tlog.Hash {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(e)
	var out tlog.Hash
	h.Sum(out[:0])
	return out
}

func (w *treeWalker) checkEntry(idx int64, raw []byte) error {
	if w.opts.CheckEntry == nil {
		return nil
	}
	if w.opts.OnlyRef != "" {
		var q bytes.Buffer
		writeString(&q, w.opts.OnlyRef) // as the ref appears in a canonical entry
		if !bytes.Contains(raw, q.Bytes()) {
			return nil
		}
	}
	e, err := ParseEntry(raw)
	if err != nil {
		return &EntryError{Index: idx, Err: err}
	}
	if w.opts.OnlyRef != "" && !e.Mentions(w.opts.OnlyRef) {
		return nil
	}
	w.sum.Checked++
	if err := w.opts.CheckEntry(idx, e); err != nil {
		return &EntryError{Index: idx, Err: err}
	}
	return nil
}

// push adds leaf idx's hash to the compact range, merging equal subtrees and
// checking each completed node at a tile level against its hash tile.
func (w *treeWalker) push(h tlog.Hash, idx int64) error {
	level := 0
	for len(w.stack) > 0 && w.levels[len(w.levels)-1] == level {
		top := len(w.stack) - 1
		h = tlog.NodeHash(w.stack[top], h)
		w.sum.Hashes++
		w.sum.BytesHashed += 1 + 2*tlog.HashSize
		w.stack, w.levels = w.stack[:top], w.levels[:top]
		level++
		if level%TileHeight == 0 {
			tl := level / TileHeight
			u := w.upper[tl]
			if u == nil {
				u = &upperTile{}
				w.upper[tl] = u
			}
			u.hashes = append(u.hashes, h[:]...)
			if len(u.hashes) == TileWidth*tlog.HashSize {
				if err := w.compareUpper(tl, u); err != nil {
					return err
				}
				u.n++
				u.hashes = u.hashes[:0]
			}
		}
	}
	w.stack = append(w.stack, h)
	w.levels = append(w.levels, level)
	return nil
}

func (w *treeWalker) compareUpper(level int, u *upperTile) error {
	t := TilePath{Level: level, N: u.n, Width: len(u.hashes) / tlog.HashSize}
	data, err := w.src.ReadFile(w.ctx, t.String())
	first := (u.n * TileWidth) << (TileHeight * level)
	if err != nil {
		return &EntryError{Index: first, Err: err}
	}
	if len(data) != len(u.hashes) {
		return &EntryError{Index: first, Err: fmt.Errorf("hash tile %s has %d bytes, want %d", t, len(data), len(u.hashes))}
	}
	for i := 0; i < t.Width; i++ {
		if !bytes.Equal(data[i*tlog.HashSize:(i+1)*tlog.HashSize], u.hashes[i*tlog.HashSize:(i+1)*tlog.HashSize]) {
			lo := (u.n*TileWidth + int64(i)) << (TileHeight * level)
			hi := lo + 1<<(TileHeight*level) - 1
			return &EntryError{Index: lo, Err: fmt.Errorf("entries %d–%d do not add up to their hash in %s (the tiles were altered)", lo, hi, t)}
		}
	}
	return nil
}

// root folds the compact range into the tree hash of the leaves pushed so far.
func (w *treeWalker) root() tlog.Hash {
	if len(w.stack) == 0 {
		h, _ := tlog.TreeHash(0, nil)
		return h
	}
	h := w.stack[len(w.stack)-1]
	for i := len(w.stack) - 2; i >= 0; i-- {
		h = tlog.NodeHash(w.stack[i], h)
	}
	return h
}
