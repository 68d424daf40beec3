package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/presswatch/presswatch/internal/blob"
	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/intake"
	"github.com/presswatch/presswatch/internal/web"
)

// intakeOptions are serve's flags for anonymous intake.
type intakeOptions struct {
	maxBytes  int64
	quota     int64
	retention time.Duration
	offline   string
}

func (o *intakeOptions) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.Int64Var(&o.maxBytes, "intake-max-bytes", envInt(getenv, "PRESSWATCH_INTAKE_MAX_BYTES", intake.DefaultMaxBytes), "largest anonymous submission, all files together, in bytes (env PRESSWATCH_INTAKE_MAX_BYTES)")
	fs.Int64Var(&o.quota, "intake-quota-bytes", envInt(getenv, "PRESSWATCH_INTAKE_QUOTA_BYTES", intake.DefaultQuota), "storage quota of all sealed attachments, in bytes (env PRESSWATCH_INTAKE_QUOTA_BYTES)")
	fs.DurationVar(&o.retention, "intake-retention", intake.DefaultRetention, "unconverted anonymous reports are destroyed after this time (keys, rows and files)")
	fs.StringVar(&o.offline, "intake-offline-recipient", getenv("PRESSWATCH_INTAKE_OFFLINE_RECIPIENT"), "optional age1… public key of an offline key that can open exports with `presswatch intake decrypt` (env PRESSWATCH_INTAKE_OFFLINE_RECIPIENT)")
}

func envInt(getenv func(string) string, key string, def int64) int64 {
	if v, err := strconv.ParseInt(getenv(key), 10, 64); err == nil && v > 0 {
		return v
	}
	return def
}

// openIntake opens the intake service of the data folder: sealed blobs in
// <data>/blobs/intake, the codename pepper in <data>/intake/pepper (0600,
// created on first start; copy it to every web host sharing a database).
func openIntake(cfg *config.Config, s *Server, o intakeOptions) (*intake.Service, error) {
	blobs, err := blob.Open(filepath.Join(cfg.DataDir, "blobs", "intake"))
	if err != nil {
		return nil, err
	}
	pepper, err := intake.LoadPepper(filepath.Join(cfg.DataDir, "intake", "pepper"))
	if err != nil {
		return nil, err
	}
	return intake.NewService(intake.Options{Store: s.DB, Blobs: blobs, Pepper: pepper, OfflineRecipient: o.offline,
		MaxBytes: o.maxBytes, Quota: o.quota, Retention: o.retention, Logger: s.Logger})
}

// wireIntake gives serve anonymous intake: orphans of interrupted uploads
// are cleaned before the first request, and a loop destroys expired
// reports and forgets idle sessions' keys every minute.
func wireIntake(ctx context.Context, cfg *config.Config, o intakeOptions, s *Server, w *web.Options) error {
	svc, err := openIntake(cfg, s, o)
	if err != nil {
		return fmt.Errorf("anonymous intake: %w", err)
	}
	c, err := svc.CleanOrphans(ctx)
	if err != nil {
		return fmt.Errorf("anonymous intake: cleaning interrupted uploads: %w", err)
	}
	if c.Temp+c.Orphans+c.Missing > 0 {
		s.Logger.Warn("intake: start-up cleanup", "temp_files", c.Temp, "orphan_blobs", c.Orphans, "missing_blobs", c.Missing)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx, time.Minute) }()
	s.stops = append(s.stops, func() { cancel(); <-done })
	w.Intake = svc
	return nil
}
