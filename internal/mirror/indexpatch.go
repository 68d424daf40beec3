package mirror

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/presswatch/presswatch/internal/domain"
)

// An incremental build needs the search index of the record as it is now:
// every listed incident, in list order. Streaming the record for it decodes
// every incident's document (2.8 CPU-s at 100,000 incidents, the longest
// part of such a build). The previous build's index holds the same items
// for every incident the new log entries do not mention, so the build asks
// the store only for the refs in list order and for the few incidents the
// log mentions, and takes the rest from the previous index: the bytes of
// search/index.json the previous manifest lists, else it streams.

// listedRefs gives the refs of the public list in order, and one listed
// incident, without decoding the others; *web.Server has it.
type listedRefs interface {
	ListedRefs(ctx context.Context) ([]string, error)
	ListedIncident(ctx context.Context, ref string) (*domain.PublicIncident, error)
}

// maxPatched is the most incidents an index patch looks up one by one;
// past it the record is streamed.
const maxPatched = 2000

// indexPatch is what an incremental build prepares while it reads the
// previous manifest and the log: the previous index as its file says, and
// the refs of the list now.
type indexPatch struct {
	old    []IndexItem
	sha256 string // of the previous index file
	refs   []string
	err    error
}

// prepareIndexPatch reads the previous index and the list's refs; nil when
// the handler cannot give refs or there is no previous index.
func (b *builder) prepareIndexPatch(ctx context.Context) *indexPatch {
	lr, ok := b.opts.Handler.(listedRefs)
	if !ok {
		return nil
	}
	raw, err := os.ReadFile(filepath.Join(b.opts.Out, filepath.FromSlash(IndexFile)))
	if err != nil {
		return nil
	}
	sum := sha256.Sum256(raw)
	pp := &indexPatch{sha256: hex.EncodeToString(sum[:])}
	if pp.old, err = decodeIndexItems(raw); err != nil {
		return nil
	}
	pp.refs, pp.err = lr.ListedRefs(ctx)
	return pp
}

// apply returns the index now: the refs in order, each with the previous
// item unless affected or new. ok is false when the previous index is not
// the one the previous manifest lists (a build stopped half-way may have
// written it), or too many incidents would be looked up.
func (pp *indexPatch) apply(ctx context.Context, lr listedRefs, prev *fileTable, affected map[string]bool) (items []IndexItem, ok bool, err error) {
	if pp == nil || pp.err != nil || affected == nil || prevIndexSum(prev) != pp.sha256 {
		return nil, false, nil
	}
	byRef := make(map[string]int, len(pp.old))
	for i, it := range pp.old {
		byRef[it.Ref] = i
	}
	looked := 0
	items = make([]IndexItem, 0, len(pp.refs))
	for _, ref := range pp.refs {
		i, had := byRef[ref]
		if had && !affected[ref] {
			items = append(items, pp.old[i])
			continue
		}
		if looked++; looked > maxPatched {
			return nil, false, nil
		}
		p, err := lr.ListedIncident(ctx, ref)
		if err != nil {
			return nil, false, err
		}
		items = append(items, indexItem(p))
	}
	return items, true, nil
}

// previousIndex is the previous build's index for computeAffectedFilters:
// the one the patch read, else the file, if the previous manifest lists its
// bytes (nil otherwise: every filter and block page is rendered again).
func (b *builder) previousIndex() []IndexItem {
	if b.oldIndex != nil {
		return b.oldIndex
	}
	raw, err := os.ReadFile(filepath.Join(b.opts.Out, filepath.FromSlash(IndexFile)))
	if err != nil {
		return nil
	}
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != prevIndexSum(b.prevFiles) {
		return nil
	}
	old, err := decodeIndexItems(raw)
	if err != nil {
		return nil
	}
	return old
}

// prevIndexSum is the SHA-256 the previous manifest lists for the search
// index ("" when it lists none).
func prevIndexSum(prev *fileTable) string {
	e, _ := prev.get(IndexFile)
	return e.SHA256
}
