package mirror

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// fileWriter writes a build's files with as few system calls as it can: a
// full build of 100,000 incidents writes some 400,000 files, and a temporary
// file, a chmod and a rename for each was a sixth of the build's CPU.
type fileWriter struct {
	dirs sync.Map // folders known to exist
}

// write stores data at path. A file the previous build did not have
// (fresh) is created in place: no reader knows it yet. Any other file is
// replaced atomically, so that a mirror served while it is rebuilt never
// shows half a page.
func (fw *fileWriter) write(path string, data []byte, fresh bool) error {
	if err := fw.mkdir(filepath.Dir(path)); err != nil {
		return err
	}
	if fresh {
		err := createNew(path, data)
		if err == nil {
			return nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return err
		}
		// Left by an interrupted build: replace it like any other.
	}
	return writeAtomic(path, data)
}

func (fw *fileWriter) mkdir(dir string) error {
	if _, ok := fw.dirs.Load(dir); ok {
		return nil
	}
	err := os.Mkdir(dir, 0o755)
	if errors.Is(err, fs.ErrNotExist) {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("mirror: %w", err)
	}
	fw.dirs.Store(dir, true)
	return nil
}

// createNew writes a file that must not exist yet (fs.ErrExist if it does).
func createNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("mirror: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("mirror: write %s: %w", path, err)
	}
	return nil
}
