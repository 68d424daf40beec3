package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/riverqueue/river"

	"github.com/presswatch/presswatch/internal/blob"
	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/evidence"
	"github.com/presswatch/presswatch/internal/evidence/archive"
	"github.com/presswatch/presswatch/internal/evidence/browser"
	"github.com/presswatch/presswatch/internal/jobs"
	"github.com/presswatch/presswatch/internal/safehttp"
	"github.com/presswatch/presswatch/internal/store"
)

// blobDir is where WARC files and other blobs live: <data>/blobs.
func blobDir(cfg *config.Config) string { return filepath.Join(cfg.DataDir, "blobs") }

// evidenceOptions tune how captures are made.
type evidenceOptions struct {
	// screenshots asks for a Chromium screenshot and DOM when Chromium is
	// installed (chromium names the binary).
	screenshots bool
	chromium    string
}

// openArchive builds the capture service on db: the blob store (temp files
// of interrupted writes removed), the safehttp client of cfg (proxy,
// private-address opt-in) and the Chromium renderer when installed.
func openArchive(cfg *config.Config, db *store.DB, logger *slog.Logger, opt evidenceOptions) (*archive.Service, error) {
	blobs, err := blob.Open(blobDir(cfg))
	if err != nil {
		return nil, fmt.Errorf("cannot open the blob folder %s: %w", blobDir(cfg), err)
	}
	if n, err := blobs.CleanTemp(); err != nil {
		logger.Warn("blob temp files", "err", err)
	} else if n > 0 {
		logger.Info("removed unfinished blob writes", "count", n)
	}
	client := safehttp.New(safehttp.Options{
		AllowPrivate: cfg.AllowPrivate,
		Proxy:        cfg.Proxy,
		UserAgent:    "presswatch/" + version() + " (+https://github.com/presswatch/presswatch; evidence capture)",
		Logger:       logger,
	})
	capt := &evidence.Capturer{Client: client, Software: "presswatch/" + version()}
	if opt.screenshots {
		r, why := browser.Find(opt.chromium)
		if r != nil {
			// Sub-resources (images, style sheets) go through the same guard.
			r.Subresources = client
			capt.Renderer = r
		} else {
			capt.RendererMissing = why
		}
	} else {
		capt.RendererMissing = "screenshots turned off (--screenshots=false)"
	}
	return &archive.Service{Store: db, Blobs: blobs, Capturer: capt, Screenshot: opt.screenshots, Logger: logger}, nil
}

// jobRuntime is what every part's job workers may use.
type jobRuntime struct {
	Config  *config.Config
	DB      *store.DB
	Logger  *slog.Logger
	Archive *archive.Service
	// Getenv reads test-only settings (may be nil); Periodic collects the
	// periodic jobs setups add (the monitor's round).
	Getenv   func(string) string
	Periodic []*river.PeriodicJob
}

// workerSetups add each part's job workers to the registry that serve and
// `presswatch worker` run. A part adds one function here.
var workerSetups = []func(ctx context.Context, rt *jobRuntime, workers *jobs.Workers) error{
	setupCaptureWorker,
	setupMonitorWorkers,
}

func setupCaptureWorker(ctx context.Context, rt *jobRuntime, workers *jobs.Workers) error {
	if err := archive.Register(workers, &archive.Worker{Service: rt.Archive}); err != nil {
		return fmt.Errorf("registering the capture worker: %w", err)
	}
	return nil
}

// startJobs registers every part's workers and starts a working job client;
// the archive then queues captures through it. Stop the client before
// closing the database.
func startJobs(ctx context.Context, rt *jobRuntime) (*jobs.Client, error) {
	workers := jobs.NewWorkers()
	for _, setup := range workerSetups {
		if err := setup(ctx, rt, workers); err != nil {
			return nil, err
		}
	}
	client, err := jobs.New(rt.DB.WriterDB(), rt.DB.Engine(), workers, jobs.Options{Work: true, Logger: rt.Logger, Periodic: rt.Periodic})
	if err != nil {
		return nil, err
	}
	if rt.Archive != nil {
		rt.Archive.Enqueue = archive.JobEnqueuer(client)
	}
	if err := client.Start(ctx); err != nil {
		return nil, fmt.Errorf("starting the job workers: %w", err)
	}
	return client, nil
}
