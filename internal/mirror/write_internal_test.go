package mirror

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// The writer goroutine writes every queued file with the bytes it was
// given (the caller reuses its buffer at once), and a write that fails
// surfaces at wait and stops the later ones.
func TestFileWriterQueue(t *testing.T) {
	dir := t.TempDir()
	var fw fileWriter
	fw.start()
	buf := []byte("page 0")
	for i := range 500 {
		buf = append(buf[:0], "page "+strconv.Itoa(i)...)
		if err := fw.write(filepath.Join(dir, "p", strconv.Itoa(i)+".html"), buf, true); err != nil {
			t.Fatal(err)
		}
	}
	big := bytes.Repeat([]byte("x"), 2<<20) // written by the caller
	if err := fw.write(filepath.Join(dir, "big.csv"), big, true); err != nil {
		t.Fatal(err)
	}
	if err := fw.wait(); err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		got, err := os.ReadFile(filepath.Join(dir, "p", strconv.Itoa(i)+".html"))
		if err != nil || string(got) != "page "+strconv.Itoa(i) {
			t.Fatalf("file %d: %q, %v", i, got, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "big.csv")); err != nil || fi.Size() != 2<<20 {
		t.Fatalf("big file: %v, %v", fi, err)
	}

	// A folder that cannot be made: a file stands in its place.
	if err := os.WriteFile(filepath.Join(dir, "blocked"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var bad fileWriter
	bad.start()
	if err := bad.write(filepath.Join(dir, "blocked", "a.html"), []byte("a"), true); err != nil {
		t.Fatalf("the write was not queued: %v", err)
	}
	if err := bad.wait(); err == nil {
		t.Fatal("wait did not report the failed write")
	}
	if err := bad.wait(); err == nil {
		t.Fatal("a second wait forgot the failed write")
	}
	if err := fw.write(filepath.Join(dir, "late.html"), []byte("late"), true); err == nil {
		t.Fatal("a write after wait was accepted")
	}
}
