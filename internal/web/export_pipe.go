package web

import (
	"context"

	"github.com/presswatch/presswatch/internal/domain"
)

// The read and the formatting of an export are about equal in cost (the
// database engine walking its b-trees; decoding and printing the rows), so
// eachDoc runs them on two goroutines: one copies documents out of the
// database into batches, the caller's goroutine formats them. A few
// batches are in flight at any time, so memory stays the same at any row
// count.

const (
	pipeBatchRows  = 256
	pipeBatchBytes = 512 << 10
	pipeBatches    = 4
)

// docBatch holds documents end to end in buf; ends[i] is where the i-th
// ends.
type docBatch struct {
	buf  []byte
	ends []int
}

func (b *docBatch) full() bool { return len(b.ends) >= pipeBatchRows || len(b.buf) >= pipeBatchBytes }

// eachDoc streams the stored documents f selects to fn, in order, reading
// ahead on another goroutine. fn's doc is valid only during the call.
func eachDoc(ctx context.Context, docs publicDocs, f domain.IncidentFilter, fn func(doc []byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	free := make(chan *docBatch, pipeBatches)
	for range pipeBatches {
		free <- &docBatch{buf: make([]byte, 0, pipeBatchBytes+64<<10), ends: make([]int, 0, pipeBatchRows)}
	}
	full := make(chan *docBatch, pipeBatches)
	readErr := make(chan error, 1)
	go func() {
		defer close(full)
		var cur *docBatch
		take := func() error {
			select {
			case cur = <-free:
				cur.buf, cur.ends = cur.buf[:0], cur.ends[:0]
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		err := take()
		if err == nil {
			err = docs.EachPublicJSON(ctx, f, func(doc []byte) error {
				cur.buf = append(cur.buf, doc...)
				cur.ends = append(cur.ends, len(cur.buf))
				if !cur.full() {
					return nil
				}
				full <- cur // never blocks for long: there are as many slots as batches
				return take()
			})
		}
		if err == nil && len(cur.ends) > 0 {
			full <- cur
		}
		readErr <- err
	}()
	var err error
	for b := range full {
		if err == nil {
			start := 0
			for _, end := range b.ends {
				if err = fn(b.buf[start:end]); err != nil {
					cancel() // stop the reader; keep draining so it can finish
					break
				}
				start = end
			}
		}
		free <- b
	}
	if rerr := <-readErr; err == nil {
		err = rerr
	}
	return err
}
