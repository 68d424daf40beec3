// Package jobs runs presswatch's background work (captures, feed polls,
// re-checks) on River, with its queue kept in presswatch's own database:
// SQLite by default, PostgreSQL at scale, where any number of worker
// processes share one queue without running a job twice.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// Engines, as the store names them.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// Queues presswatch uses. Captures and monitor work are kept apart so that a
// large re-check round does not delay an editor's capture.
const (
	QueueCapture = "capture"
	QueueMonitor = "monitor"
)

// Client is the job client type for both engines: both drivers work on
// database/sql, so a job can be inserted in the same *sql.Tx as the change
// that asks for it.
type Client = river.Client[*sql.Tx]

// Workers is River's worker registry.
type Workers = river.Workers

func driver(db *sql.DB, engine string) (riverdriver.Driver[*sql.Tx], error) {
	switch engine {
	case EngineSQLite:
		return riversqlite.New(db), nil
	case EnginePostgres:
		return riverdatabasesql.New(db), nil
	}
	return nil, fmt.Errorf("jobs: unknown engine %q", engine)
}

// Migrate creates or upgrades River's own tables. It is idempotent.
func Migrate(ctx context.Context, db *sql.DB, engine string) error {
	d, err := driver(db, engine)
	if err != nil {
		return err
	}
	m, err := rivermigrate.New(d, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("jobs: migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

// Options configure a client.
type Options struct {
	// Work says whether this process works jobs (serve and worker) or only
	// inserts them (command-line tools).
	Work bool
	// CaptureWorkers and MonitorWorkers bound the work done at once.
	CaptureWorkers int
	MonitorWorkers int
	Logger         *slog.Logger
	// Periodic jobs (the monitor's round) run only in working clients.
	Periodic []*river.PeriodicJob
}

// New returns a job client on db. Register workers in workers before.
func New(db *sql.DB, engine string, workers *Workers, opt Options) (*Client, error) {
	d, err := driver(db, engine)
	if err != nil {
		return nil, err
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	cfg := &river.Config{
		Logger:               opt.Logger,
		MaxAttempts:          8,
		JobTimeout:           10 * time.Minute,
		RescueStuckJobsAfter: 30 * time.Minute,
	}
	if opt.Work {
		if opt.CaptureWorkers <= 0 {
			opt.CaptureWorkers = 4
		}
		if opt.MonitorWorkers <= 0 {
			opt.MonitorWorkers = 8
		}
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 2},
			QueueCapture:       {MaxWorkers: opt.CaptureWorkers},
			QueueMonitor:       {MaxWorkers: opt.MonitorWorkers},
		}
		cfg.PeriodicJobs = opt.Periodic
		if engine == EngineSQLite {
			// SQLite has no LISTEN/NOTIFY: poll often enough to feel instant.
			cfg.FetchPollInterval = 200 * time.Millisecond
		}
	}
	c, err := river.NewClient(d, cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: client: %w", err)
	}
	return c, nil
}

// NewWorkers returns an empty worker registry.
func NewWorkers() *Workers { return river.NewWorkers() }
