//go:build unix

package blob

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestCleanTempOnlyByOwner: while another process holds the folder's lock
// (a separate open file description of <dir>/.owner, as serve's would be
// to a worker started beside it) CleanTemp removes nothing; once that lock
// is gone (the process ended, even by kill -9) the next asker owns the
// folder and removes leftovers.
func TestCleanTempOnlyByOwner(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.OpenFile(filepath.Join(dir, ".owner"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(other.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, tempPrefix+"upload-in-progress")
	if err := os.WriteFile(tmp, []byte("first chunk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s.Owns() {
		t.Fatal("Owns = true while another holder has the lock")
	}
	if n, err := s.CleanTemp(); err != nil || n != 0 {
		t.Fatalf("CleanTemp by a non-owner = %d, %v; want 0", n, err)
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("the other process's temp file was removed: %v", err)
	}
	other.Close() // releases the lock, as the end of a process does
	if !s.Owns() {
		t.Fatal("Owns = false after the holder let go")
	}
	if n, err := s.CleanTemp(); err != nil || n != 1 {
		t.Fatalf("CleanTemp by the owner = %d, %v; want 1", n, err)
	}
	// A second Store on the same folder in this process owns it too.
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !s2.Owns() {
		t.Fatal("a second Store of the owning process does not own the folder")
	}
}
