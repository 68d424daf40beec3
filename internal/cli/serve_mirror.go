package cli

import (
	"context"
	"flag"
	"time"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/mirror"
	"github.com/presswatch/presswatch/internal/safehttp"
	"github.com/presswatch/presswatch/internal/web"
)

// mirrorOptions are serve's flags for the mirror watch.
type mirrorOptions struct {
	watchEvery time.Duration // --mirror-watch-interval; 0 turns the watch off
	maxAge     time.Duration // --mirror-max-age
	sample     int           // --mirror-sample
}

func (o *mirrorOptions) register(fs *flag.FlagSet) {
	fs.DurationVar(&o.watchEvery, "mirror-watch-interval", time.Hour, "how often the listed mirrors are fetched and checked against the log (0 turns the watch off)")
	fs.DurationVar(&o.maxAge, "mirror-max-age", mirror.DefaultMaxAge, "a mirror older than this that misses log entries is stale")
	fs.IntVar(&o.sample, "mirror-sample", 8, "files besides index.html fetched from each mirror per round and compared with its manifest")
}

// wireMirror gives the web layer the list of mirrors (footer, /mirrors.json,
// /admin/mirrors) and starts the watch loop: every interval, each listed
// mirror is fetched through safehttp and checked; stale, altered or
// unreachable mirrors show as an alert in the back office.
func wireMirror(ctx context.Context, cfg *config.Config, opt serveOptions, s *Server, w *web.Options) error {
	dir := mirror.NewDirectory(s.DB)
	w.Mirrors = dir
	if opt.mirror.watchEvery <= 0 {
		return nil
	}
	lg, _, err := openLog(cfg, opt.log, s.DB)
	if err != nil {
		return err
	}
	client := safehttp.New(safehttp.Options{AllowPrivate: cfg.AllowPrivate, Proxy: cfg.Proxy, Timeout: 60 * time.Second,
		MaxBodyBytes: 64 << 20, Logger: s.Logger})
	lo := mirror.ListOptions{WatchOptions: mirror.WatchOptions{MaxAge: opt.mirror.maxAge, SampleFiles: opt.mirror.sample}, Proxy: cfg.Proxy != ""}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// A first round soon after start, then every interval.
		next := time.NewTimer(min(time.Minute, opt.mirror.watchEvery))
		defer next.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-next.C:
			}
			res, err := mirror.WatchList(ctx, mirror.SafeFetcher{Client: client}, lg, dir, lo)
			if err != nil && ctx.Err() == nil {
				s.Logger.Warn("mirror watch", "err", err)
			}
			for _, r := range res {
				if r.State != domain.MirrorOK {
					s.Logger.Warn("mirror watch: a mirror is not ok", "url", r.URL, "state", r.State, "problem", r.Problem)
				}
			}
			next.Reset(opt.mirror.watchEvery)
		}
	}()
	s.stops = append(s.stops, func() { cancel(); <-done })
	return nil
}
