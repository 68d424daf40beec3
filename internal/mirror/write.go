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
// full build of 100,000 incidents writes some 450,000 files, and a temporary
// file, a chmod and a rename for each was a sixth of the build's CPU.
//
// Once started, one goroutine writes every file, in the order given, while
// the pages are rendered on the other cores.
type fileWriter struct {
	dirs sync.Map // folders known to exist

	queue chan writeJob
	done  chan struct{}
	mu    sync.Mutex
	err   error // the first write that failed
	// sending is held (shared) while a write is queued, and by wait to
	// close the queue: no write is sent on a closed queue.
	sending sync.RWMutex
	closed  bool
}

type writeJob struct {
	path  string
	data  *[]byte // from writeBuffers
	fresh bool
}

// writeBuffers hold the bytes of queued writes: the caller's may be reused
// as soon as write returns.
var writeBuffers = sync.Pool{New: func() any { return new([]byte) }}

// start makes write queue its files for one goroutine. wait must follow.
func (fw *fileWriter) start() {
	fw.queue = make(chan writeJob, 256)
	fw.done = make(chan struct{})
	go func() {
		defer close(fw.done)
		for j := range fw.queue {
			if fw.failed() == nil {
				if err := fw.writeNow(j.path, *j.data, j.fresh); err != nil {
					fw.mu.Lock()
					fw.err = err
					fw.mu.Unlock()
				}
			}
			*j.data = (*j.data)[:0]
			writeBuffers.Put(j.data)
		}
	}()
}

// wait returns once every queued file is written, with the first error.
// The writer takes no more files; wait may be called again.
func (fw *fileWriter) wait() error {
	if fw.queue == nil {
		return nil
	}
	fw.sending.Lock()
	if !fw.closed {
		fw.closed = true
		close(fw.queue)
	}
	fw.sending.Unlock()
	<-fw.done
	return fw.failed()
}

func (fw *fileWriter) failed() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.err
}

// write stores data at path, or queues it when the writer was started
// (an error then surfaces at a later write or at wait).
func (fw *fileWriter) write(path string, data []byte, fresh bool) error {
	if fw.queue == nil || len(data) > 1<<20 {
		// A large file (an export of the whole record) is written by its
		// caller: a copy would cost more than the writer saves.
		return fw.writeNow(path, data, fresh)
	}
	if err := fw.failed(); err != nil {
		return err
	}
	fw.sending.RLock()
	defer fw.sending.RUnlock()
	if fw.closed {
		return errors.New("mirror: a file was written after the build's writer stopped")
	}
	buf := writeBuffers.Get().(*[]byte)
	*buf = append((*buf)[:0], data...)
	fw.queue <- writeJob{path: path, data: buf, fresh: fresh}
	return nil
}

// writeNow stores data at path. A file the previous build did not have
// (fresh) is created in place: no reader knows it yet. Any other file is
// replaced atomically, so that a mirror served while it is rebuilt never
// shows half a page.
func (fw *fileWriter) writeNow(path string, data []byte, fresh bool) error {
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
