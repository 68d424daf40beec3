package web

import (
	"context"

	"github.com/presswatch/presswatch/internal/domain"
)

// The read and the formatting of an export are about equal in cost (the
// database engine walking its b-trees; decoding and printing the rows), so
// readAhead runs them on two goroutines: one copies records out of the
// database into batches, the caller's goroutine formats them. A few
// batches are in flight at any time, so memory stays the same at any row
// count.

const (
	pipeBatchRows  = 256
	pipeBatchBytes = 512 << 10
	pipeBatches    = 4
)

// recordBatch holds records of a fixed number of fields end to end in buf;
// ends[i] is where the i-th field (of all records in turn) ends.
type recordBatch struct {
	buf  []byte
	ends []int
}

func (b *recordBatch) full(fields int) bool {
	return len(b.ends) >= pipeBatchRows*fields || len(b.buf) >= pipeBatchBytes
}

// readAhead calls read on another goroutine and fn, on the caller's, with
// every record read emits, in order. Every record has fields fields (emit
// copies them; read may reuse the slice); a nil field arrives as an empty
// one. fn's fields are valid only during the call.
func readAhead(ctx context.Context, fields int, read func(ctx context.Context, emit func(fields [][]byte) error) error, fn func(fields [][]byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	free := make(chan *recordBatch, pipeBatches)
	for range pipeBatches {
		free <- &recordBatch{buf: make([]byte, 0, pipeBatchBytes+64<<10), ends: make([]int, 0, pipeBatchRows*fields)}
	}
	full := make(chan *recordBatch, pipeBatches)
	readErr := make(chan error, 1)
	go func() {
		defer close(full)
		var cur *recordBatch
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
			err = read(ctx, func(fs [][]byte) error {
				for _, f := range fs {
					cur.buf = append(cur.buf, f...)
					cur.ends = append(cur.ends, len(cur.buf))
				}
				if !cur.full(fields) {
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
	rec := make([][]byte, fields)
	for b := range full {
		if err == nil {
			start := 0
			for i := 0; i+fields <= len(b.ends); i += fields {
				for j := range rec {
					end := b.ends[i+j]
					rec[j] = b.buf[start:end:end]
					start = end
				}
				if err = fn(rec); err != nil {
					cancel() // stop the reader; keep draining so it can finish
					break
				}
			}
		}
		free <- b
	}
	if rerr := <-readErr; err == nil {
		err = rerr
	}
	return err
}

// eachDoc streams the stored documents f selects to fn, in order, reading
// ahead on another goroutine. fn's doc is valid only during the call.
func eachDoc(ctx context.Context, docs publicDocs, f domain.IncidentFilter, fn func(doc []byte) error) error {
	return readAhead(ctx, 1, func(ctx context.Context, emit func([][]byte) error) error {
		rec := make([][]byte, 1)
		return docs.EachPublicJSON(ctx, f, func(doc []byte) error {
			rec[0] = doc
			return emit(rec)
		})
	}, func(rec [][]byte) error { return fn(rec[0]) })
}
