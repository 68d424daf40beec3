//go:build unix

package blob

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockOwner takes an exclusive, non-blocking flock on <dir>/.owner and
// keeps the file open (the lock lives as long as the process). false when
// another process holds it.
func lockOwner(dir string) (*os.File, bool) {
	f, err := os.OpenFile(filepath.Join(dir, ".owner"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return f, true
}
