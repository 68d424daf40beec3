package cli

import (
	"context"
	"time"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/web"
)

// wireEvidence gives serve its captures: the archive service, the job
// workers running in-process (captures are queued from the back office;
// not with opt.noJobs) and the evidence pages.
func wireEvidence(ctx context.Context, env *Env, cfg *config.Config, opt serveOptions, s *Server, o *web.Options) error {
	svc, err := openArchive(cfg, s.DB, s.Logger, evidenceOptions{screenshots: true, chromium: env.Getenv("PRESSWATCH_CHROMIUM")})
	if err != nil {
		return err
	}
	o.Captures = svc
	if opt.noJobs {
		return nil
	}
	client, err := startJobs(ctx, &jobRuntime{Config: cfg, DB: s.DB, Logger: s.Logger, Archive: svc})
	if err != nil {
		return err
	}
	s.stops = append(s.stops, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := client.Stop(sctx); err != nil {
			s.Logger.Warn("stopping the job workers", "err", err)
		}
	})
	return nil
}
