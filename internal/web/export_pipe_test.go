package web

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
)

// docList is a publicDocs over documents in memory; fail, when set, is
// returned by the stream after that many documents.
type docList struct {
	docs [][]byte
	fail int
}

func (l docList) EachPublicJSON(ctx context.Context, f domain.IncidentFilter, fn func([]byte) error) error {
	for i, d := range l.docs {
		if l.fail > 0 && i == l.fail {
			return errors.New("read failed")
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return nil
}

func TestEachDoc(t *testing.T) {
	var docs [][]byte
	for i := range 5000 {
		docs = append(docs, fmt.Appendf(nil, `{"ref":"PK-2024-%04d","pad":%q}`, i, make([]byte, i%3000)))
	}
	ctx := context.Background()
	t.Run("order and content", func(t *testing.T) {
		i := 0
		err := eachDoc(ctx, docList{docs: docs}, domain.IncidentFilter{}, func(d []byte) error {
			if string(d) != string(docs[i]) {
				t.Fatalf("doc %d differs", i)
			}
			i++
			return nil
		})
		if err != nil || i != len(docs) {
			t.Fatalf("%d docs, err %v", i, err)
		}
	})
	t.Run("fn error stops the reader", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := eachDoc(ctx, docList{docs: docs}, domain.IncidentFilter{}, func([]byte) error {
			if n++; n == 1000 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 1000 {
			t.Fatalf("n=%d err=%v", n, err)
		}
	})
	t.Run("read error", func(t *testing.T) {
		n := 0
		err := eachDoc(ctx, docList{docs: docs, fail: 777}, domain.IncidentFilter{}, func([]byte) error { n++; return nil })
		if err == nil || err.Error() != "read failed" || n > 777 {
			t.Fatalf("n=%d err=%v", n, err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		n := 0
		err := eachDoc(cctx, docList{docs: docs}, domain.IncidentFilter{}, func([]byte) error {
			if n++; n == 10 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("n=%d err=%v", n, err)
		}
	})
}
