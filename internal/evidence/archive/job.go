package archive

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/presswatch/presswatch/internal/jobs"
)

// CaptureArgs is the job that performs one queued capture.
type CaptureArgs struct {
	CaptureID int64 `json:"capture_id"`
}

// Kind implements river.JobArgs.
func (CaptureArgs) Kind() string { return "capture" }

// CaptureAttempts is how many times a capture job runs before its failure
// is stored as a failed capture.
const CaptureAttempts = 4

// InsertOpts puts capture jobs on the capture queue.
func (CaptureArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueCapture, MaxAttempts: CaptureAttempts}
}

// Worker performs capture jobs.
type Worker struct {
	river.WorkerDefaults[CaptureArgs]
	Service *Service
	// RetryBase is the first retry's delay; later ones grow as the square
	// of the attempt (1, 4, 9 × RetryBase). Zero means 30 seconds.
	RetryBase time.Duration
}

// Work runs the capture; its last attempt stores whatever failure remains.
func (w *Worker) Work(ctx context.Context, job *river.Job[CaptureArgs]) error {
	final := job.Attempt >= job.MaxAttempts
	_, err := w.Service.Perform(ctx, job.Args.CaptureID, final)
	if err != nil && !errors.Is(err, ErrRetry) {
		w.Service.log().Error("capture job", "id", job.Args.CaptureID, "attempt", job.Attempt, "err", err)
	}
	return err
}

// Timeout bounds one attempt (fetch, render and storage).
func (w *Worker) Timeout(*river.Job[CaptureArgs]) time.Duration { return 3 * time.Minute }

// NextRetry backs off quadratically from RetryBase.
func (w *Worker) NextRetry(job *river.Job[CaptureArgs]) time.Time {
	base := w.RetryBase
	if base <= 0 {
		base = 30 * time.Second
	}
	n := time.Duration(job.Attempt)
	return time.Now().Add(base * n * n)
}

// Register adds the capture worker to workers.
func Register(workers *jobs.Workers, w *Worker) error {
	return river.AddWorkerSafely(workers, w)
}

// JobEnqueuer returns the Enqueuer that inserts capture jobs with client.
func JobEnqueuer(client *jobs.Client) Enqueuer {
	return func(ctx context.Context, tx *sql.Tx, id int64) error {
		_, err := client.InsertTx(ctx, tx, CaptureArgs{CaptureID: id}, nil)
		return err
	}
}
