package ledger

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"
)

// TestTreeProperties grows one log through random sizes (up to 100,000, or
// 3,000 with -short) and checks at each size that the root equals
// tlog.TreeHash and an independent compact range over the leaves, and that
// inclusion and consistency proofs verify with transparency-dev/merkle.
// Proofs are checked for every index up to 3,000 entries and for a random
// sample of 2,000 (plus the edges) beyond.
func TestTreeProperties(t *testing.T) {
	ctx := context.Background()
	maxSize := 100_000
	if testing.Short() {
		maxSize = 3_000
	}
	rng := rand.New(rand.NewPCG(5, 5))
	sizes := []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257, 511, 65_536, 65_537, maxSize}
	for range 8 {
		sizes = append(sizes, 1+rng.IntN(maxSize))
	}
	sizes = slices.DeleteFunc(sizes, func(n int) bool { return n > maxSize })
	slices.Sort(sizes)
	sizes = slices.Compact(sizes)

	l := MustNewLog(t)
	factory := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	cr := factory.NewEmptyRange(0)
	hasher := rfc6962.DefaultHasher
	var leafHashes [][]byte
	roots := map[int]tlog.Hash{}
	have := 0
	for _, n := range sizes {
		entries := testEntries(t, have, n)
		for i := 0; i < len(entries); i += 777 { // odd batch sizes on purpose
			if _, err := l.AppendRaw(ctx, entries[i:min(i+777, len(entries))]); err != nil {
				t.Fatal(err)
			}
		}
		for _, e := range entries {
			h := hasher.HashLeaf(e)
			leafHashes = append(leafHashes, h)
			if err := cr.Append(h, nil); err != nil {
				t.Fatal(err)
			}
		}
		have = n

		root, err := l.Root(ctx, int64(n))
		if err != nil {
			t.Fatal(err)
		}
		want, err := tlog.TreeHash(int64(n), l.hashReader(ctx))
		if err != nil {
			t.Fatal(err)
		}
		independent := hasher.EmptyRoot()
		if n > 0 {
			if independent, err = cr.GetRootHash(nil); err != nil {
				t.Fatal(err)
			}
		}
		if root != want || string(root[:]) != string(independent) {
			t.Fatalf("size %d: root %x, tlog.TreeHash %x, compact range %x", n, root, want, independent)
		}
		roots[n] = root

		for _, i := range sample(rng, n, 3_000, 2_000) {
			p, err := l.ProveInclusion(ctx, int64(i), int64(n))
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyInclusion(hasher, uint64(i), uint64(n), leafHashes[i], hashBytes(p), root[:]); err != nil {
				t.Fatalf("size %d: inclusion proof of %d: %v", n, i, err)
			}
		}
		var olds []int
		for m := range roots {
			olds = append(olds, m)
		}
		for _, m := range sample(rng, n+1, 300, 200) {
			olds = append(olds, m)
		}
		for _, m := range olds {
			p, err := l.ProveConsistency(ctx, int64(m), int64(n))
			if err != nil {
				t.Fatal(err)
			}
			old, err := l.Root(ctx, int64(m))
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyConsistency(hasher, uint64(m), uint64(n), hashBytes(p), old[:], root[:]); err != nil {
				t.Fatalf("consistency %d → %d: %v", m, n, err)
			}
		}
	}
}

// sample returns all of [0, n) when n ≤ all, else k random indexes plus both ends.
func sample(rng *rand.Rand, n, all, k int) []int {
	if n == 0 {
		return nil
	}
	if n <= all {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := []int{0, n - 1}
	for range k {
		out = append(out, rng.IntN(n))
	}
	return out
}

func hashBytes(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

func TestIntegrateOutbox(t *testing.T) {
	ctx := context.Background()
	l := MustNewLog(t)
	entries := testEntries(t, 0, 2500)
	for _, e := range entries {
		l.store.Enqueue(e)
	}
	n, err := l.Integrate(ctx, 1000)
	if err != nil || n != 2500 {
		t.Fatalf("Integrate = %d, %v; want 2500", n, err)
	}
	if rest, _ := l.store.ReadOutbox(ctx, 10); len(rest) != 0 {
		t.Fatalf("outbox still has %d entries", len(rest))
	}
	got, err := l.store.ReadEntries(ctx, 0, 2500)
	if err != nil {
		t.Fatal(err)
	}
	for i := range entries {
		if string(got[i]) != string(entries[i]) {
			t.Fatalf("entry %d out of order", i)
		}
	}
	// A stale batch (another integrator won) stores nothing.
	err = l.store.AppendBatch(ctx, Batch{Start: 10, Entries: entries[:1]})
	if err == nil {
		t.Fatal("stale batch accepted")
	}
	if size, _ := l.Size(ctx); size != 2500 {
		t.Fatalf("size %d after stale batch", size)
	}
}
