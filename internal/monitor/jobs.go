package monitor

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/presswatch/presswatch/internal/jobs"
)

// Background work on River (queue jobs.QueueMonitor). A periodic RoundArgs
// job polls the due outlets and splits the due re-checks into BatchArgs
// jobs; any number of workers (processes, machines) take batches, and the
// store's leases make sure no article is selected by two batches, so no URL
// is fetched twice in one round.

// DefaultBatchSize is how many re-checks one batch job makes.
const DefaultBatchSize = 200

// RoundArgs starts a round: discovery, then batches of re-checks.
type RoundArgs struct{}

// Kind implements river.JobArgs.
func (RoundArgs) Kind() string { return "monitor_round" }

// InsertOpts puts rounds on the monitor queue, one at a time.
func (RoundArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMonitor, MaxAttempts: 1,
		// A round already waiting or running makes a new one needless.
		UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// BatchArgs re-checks up to Limit due articles.
type BatchArgs struct {
	Limit int `json:"limit"`
}

// Kind implements river.JobArgs.
func (BatchArgs) Kind() string { return "monitor_batch" }

// InsertOpts puts batches on the monitor queue.
func (BatchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMonitor, MaxAttempts: 3}
}

// DueCounter counts due articles (the SQL store has it).
type DueCounter interface {
	CountDue(ctx context.Context, now time.Time) (int, error)
}

// Jobs holds what the monitor's job workers use.
type Jobs struct {
	Monitor *Monitor
	Store   DueCounter
	// BatchSize is the re-checks per batch job (DefaultBatchSize).
	BatchSize int
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

func (j *Jobs) now() time.Time {
	if j.Now != nil {
		return j.Now()
	}
	return time.Now()
}

func (j *Jobs) log() *slog.Logger {
	if j.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return j.Logger
}

type roundWorker struct {
	river.WorkerDefaults[RoundArgs]
	j *Jobs
}

// Work polls the due outlets, then inserts one batch job per BatchSize due
// articles.
func (w *roundWorker) Work(ctx context.Context, job *river.Job[RoundArgs]) error {
	now := w.j.now()
	st, err := w.j.Monitor.RunOnce(ctx, now, RunOptions{SkipRechecks: true})
	if err != nil {
		return err
	}
	due, err := w.j.Store.CountDue(ctx, now)
	if err != nil {
		return err
	}
	size := w.j.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	client := river.ClientFromContext[*sql.Tx](ctx)
	n := (due + size - 1) / size
	for i := 0; i < n; i++ {
		if _, err := client.Insert(ctx, BatchArgs{Limit: size}, nil); err != nil {
			return fmt.Errorf("monitor: insert batch: %w", err)
		}
	}
	w.j.log().Info("monitor round", "outlets_polled", st.OutletsPolled, "new_articles", st.NewArticles, "due", due, "batches", n)
	return nil
}

type batchWorker struct {
	river.WorkerDefaults[BatchArgs]
	j *Jobs
}

// Work re-checks up to Limit due articles (claimed under a lease).
func (w *batchWorker) Work(ctx context.Context, job *river.Job[BatchArgs]) error {
	st, err := w.j.Monitor.RunOnce(ctx, w.j.now(), RunOptions{SkipDiscovery: true, Limit: job.Args.Limit})
	w.j.log().Info("monitor batch", "rechecks", st.Rechecks, "detections", st.Detections, "errors", st.Errors)
	return err
}

// Timeout bounds a batch (politeness waits included).
func (w *batchWorker) Timeout(*river.Job[BatchArgs]) time.Duration { return 30 * time.Minute }

// RegisterJobs adds the round and batch workers.
func RegisterJobs(workers *jobs.Workers, j *Jobs) error {
	if err := river.AddWorkerSafely(workers, &roundWorker{j: j}); err != nil {
		return err
	}
	return river.AddWorkerSafely(workers, &batchWorker{j: j})
}

// PeriodicRound runs a round every interval (and once at start).
func PeriodicRound(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return RoundArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
