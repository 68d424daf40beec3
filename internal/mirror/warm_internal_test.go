package mirror

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// warmHandler is a one-page site that counts WarmPublic calls and finishes
// them late.
type warmHandler struct {
	calls, finished atomic.Int32
}

func (h *warmHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(`<!doctype html><title>t</title><p>home</p>`))
}

func (h *warmHandler) WarmPublic(ctx context.Context) error {
	h.calls.Add(1)
	time.Sleep(50 * time.Millisecond)
	h.finished.Add(1)
	return nil
}

// TestIncrementalBuildWarmsTheStore: a rebuild asks the handler to warm the
// store at its start, and returns only once that is done; a first build,
// which renders every page anyway, does not ask.
func TestIncrementalBuildWarmsTheStore(t *testing.T) {
	h := &warmHandler{}
	out := t.TempDir()
	build := func() {
		t.Helper()
		if _, err := Build(context.Background(), Options{Handler: h, Out: out, Version: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	build()
	if n := h.calls.Load(); n != 0 {
		t.Errorf("a first build warmed the store %d times", n)
	}
	build()
	if n, f := h.calls.Load(), h.finished.Load(); n != 1 || f != 1 {
		t.Errorf("a rebuild warmed the store %d times, %d finished before it returned", n, f)
	}
}
