package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/ledger"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/web"
)

// logOptions are the public log's flags (serve and `log key`).
type logOptions struct {
	keyFile   string        // --log-key: signing key file; default <data>/log/signing.key
	origin    string        // --log-origin: the log's name in checkpoints
	witnesses string        // --log-witnesses: comma-separated witness verifier keys
	interval  time.Duration // --log-interval: how often the integrator and signer run
	// --log-witness KEY=URL (repeatable; env PRESSWATCH_LOG_WITNESS):
	// witnesses the signer sends each checkpoint to (C2SP tlog-witness).
	pushTo     witnessList
	pushToEnv  string
	pushPeriod time.Duration // --log-witness-interval: retry round for witnesses in backoff
}

func (o *logOptions) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&o.keyFile, "log-key", getenv("PRESSWATCH_LOG_KEY"), "file holding the public log's signing key (default DATA/log/signing.key, created on first start) (env PRESSWATCH_LOG_KEY)")
	fs.StringVar(&o.origin, "log-origin", getenv("PRESSWATCH_LOG_ORIGIN"), "the public log's origin line, e.g. news.example.org/log (default: the key's name, or HOSTNAME/log for a new key) (env PRESSWATCH_LOG_ORIGIN)")
	fs.StringVar(&o.witnesses, "log-witnesses", getenv("PRESSWATCH_LOG_WITNESSES"), "comma-separated verifier keys of witnesses whose cosignatures are accepted (env PRESSWATCH_LOG_WITNESSES)")
	fs.DurationVar(&o.interval, "log-interval", 3*time.Second, "how often the public log integrates new entries and signs a checkpoint (also after each publication)")
	fs.Var(&o.pushTo, "log-witness", "a witness to send each checkpoint to, as its verifier key '=' its submission URL (KEY=https://witness.example/w); repeatable; its cosignatures are accepted (env PRESSWATCH_LOG_WITNESS, space-separated)")
	o.pushToEnv = getenv("PRESSWATCH_LOG_WITNESS")
	fs.DurationVar(&o.pushPeriod, "log-witness-interval", 5*time.Second, "how often witnesses that failed are retried once their backoff has passed")
}

// logDir is the log's state folder: the signing key and the last-signed
// checkpoint live there, outside the database.
func logDir(cfg *config.Config) string { return filepath.Join(cfg.DataDir, "log") }

// loadLogKey returns the signing key and the origin: from --log-key, or
// <data>/log/signing.key (created for the origin when missing).
func loadLogKey(cfg *config.Config, opt logOptions) (skey, origin string, created bool, err error) {
	if opt.keyFile != "" {
		skey, err = ledger.LoadKey(opt.keyFile)
		if err != nil {
			return "", "", false, err
		}
		name := keyName(skey)
		if opt.origin != "" && opt.origin != name {
			return "", "", false, fmt.Errorf("the log key %s is for origin %q but --log-origin is %q", opt.keyFile, name, opt.origin)
		}
		return skey, name, false, nil
	}
	dir := logDir(cfg)
	path := filepath.Join(dir, ledger.KeyFile)
	if _, statErr := os.Stat(path); statErr == nil {
		skey, err = ledger.LoadKey(path)
		if err != nil {
			return "", "", false, err
		}
		name := keyName(skey)
		if opt.origin != "" && opt.origin != name {
			return "", "", false, fmt.Errorf("the log key %s is for origin %q but --log-origin is %q: a log keeps its origin for life (start a new data folder for a new log)", path, name, opt.origin)
		}
		return skey, name, false, nil
	}
	origin = opt.origin
	if origin == "" {
		origin = defaultOrigin()
	}
	skey, err = ledger.LoadOrCreateKey(dir, origin)
	if err != nil {
		return "", "", false, err
	}
	return skey, origin, true, nil
}

// keyName returns the name in a signed-note key ("PRIVATE+KEY+name+…").
func keyName(skey string) string {
	parts := strings.SplitN(skey, "+", 4)
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

func defaultOrigin() string {
	h, err := os.Hostname()
	if err != nil || h == "" || strings.ContainsAny(h, " +") {
		return "presswatch/log"
	}
	return h + "/log"
}

// openLog opens the instance's log on db with its signing key.
func openLog(cfg *config.Config, opt logOptions, db *store.DB) (*ledger.Log, bool, error) {
	skey, origin, created, err := loadLogKey(cfg, opt)
	if err != nil {
		return nil, false, err
	}
	var witnesses []string
	for _, w := range strings.Split(opt.witnesses, ",") {
		if w = strings.TrimSpace(w); w != "" {
			witnesses = append(witnesses, w)
		}
	}
	pushTo, err := opt.endpoints()
	if err != nil {
		return nil, false, err
	}
	for _, w := range pushTo {
		witnesses = append(witnesses, w.Key)
	}
	lg, err := ledger.New(ledger.Config{Origin: origin, Storage: db.LogStorage(), SignerKey: skey,
		StateDir: logDir(cfg), Witnesses: witnesses})
	if err != nil {
		return nil, false, err
	}
	return lg, created, nil
}

// wireLog opens the public log, mounts its files at /log/, feeds the /log
// page, incident pages and the back-office banner, and starts the
// integrator and signer, which stops when ctx ends or the server closes.
func wireLog(ctx context.Context, env *Env, cfg *config.Config, opt logOptions, s *Server, w *web.Options) error {
	lg, created, err := openLog(cfg, opt, s.DB)
	if err != nil {
		return fmt.Errorf("opening the public log: %w", err)
	}
	if created {
		fmt.Fprintf(env.Stdout, "Created the public log's signing key %s for origin %q: back it up offline.\n",
			filepath.Join(logDir(cfg), ledger.KeyFile), lg.Origin())
	}
	fmt.Fprintf(env.Stdout, "Public log %s, verifier key: %s\n", lg.Origin(), lg.VerifierKey())
	interval := opt.interval
	if interval <= 0 {
		interval = 3 * time.Second
	}
	r := &logRunner{lg: lg, logger: s.Logger, interval: interval, nudge: make(chan struct{}, 1), done: make(chan struct{})}
	pusher, err := startWitnessPusher(ctx, cfg, opt, lg, s)
	if err != nil {
		return err
	}
	if pusher != nil {
		r.signed = pusher.Notify
	}
	r.step(ctx) // sign (or refuse, loudly) before serving
	rctx, cancel := context.WithCancel(ctx)
	go r.run(rctx)
	s.stops = append(s.stops, func() { cancel(); <-r.done })

	if w.Mounts == nil {
		w.Mounts = map[string]http.Handler{}
	}
	logMux := http.NewServeMux()
	logMux.Handle("POST /log/cosignature", lg.CosignatureHandler())
	logMux.Handle("/log/", lg.Handler())
	w.Mounts["/log/"] = logMux
	w.Service = nudgingEditorial{Editorial: w.Service, nudge: r.Nudge}
	w.Log = r.info
	w.LogContent = s.DB.FindLogContent
	w.LogProblem = r.Problem
	return nil
}

// logRunner integrates the outbox and signs checkpoints: after each
// publication (Nudge) and every interval.
type logRunner struct {
	lg       *ledger.Log
	logger   *slog.Logger
	interval time.Duration
	nudge    chan struct{}
	done     chan struct{}
	signed   func() // after each successful signature (witness push); may be nil

	mu      sync.Mutex
	problem string // why signing is refused, "" when it works
}

func (r *logRunner) run(ctx context.Context) {
	defer close(r.done)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.nudge:
		}
		r.step(ctx)
	}
}

// Nudge asks for an integration and a signature soon (never blocks).
func (r *logRunner) Nudge() {
	select {
	case r.nudge <- struct{}{}:
	default:
	}
}

// Problem returns why the log is read-only, "" when it is not.
func (r *logRunner) Problem() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.problem
}

// step integrates pending entries and signs the tree. Another process
// integrating at the same time (PostgreSQL) makes the batch fail with
// ECONFLICT; it is retried after a short random pause.
func (r *logRunner) step(ctx context.Context) {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		_, err = r.lg.Integrate(ctx, 1000)
		if domain.ErrorCode(err) != domain.ECONFLICT {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(10+rand.IntN(90)) * time.Millisecond):
		}
	}
	if err == nil || errors.Is(err, ledger.ErrRefused) {
		_, signErr := r.lg.Sign(ctx)
		if err == nil {
			err = signErr
		}
		if signErr == nil && r.signed != nil {
			r.signed()
		}
	}
	r.report(ctx, err)
}

func (r *logRunner) report(ctx context.Context, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var refused *ledger.RefusedError
	switch {
	case err == nil:
		if r.problem != "" {
			r.logger.Warn("public log: signing works again; the log is growing", "origin", r.lg.Origin())
		}
		r.problem = ""
	case errors.As(err, &refused):
		if refused.Reason != r.problem {
			r.logger.Error("PUBLIC LOG READ-ONLY: " + refused.Reason)
		}
		r.problem = refused.Reason
	case ctx.Err() != nil:
	default:
		r.logger.Warn("public log: integrating or signing failed; will retry", "err", err)
	}
}

// info feeds the public /log page.
func (r *logRunner) info(ctx context.Context) (*web.LogInfo, error) {
	info := &web.LogInfo{Origin: r.lg.Origin(), VerifierKey: r.lg.VerifierKey(), ReadOnly: r.Problem()}
	cp, err := r.lg.Checkpoint(ctx)
	if domain.IsCode(err, domain.ENOTFOUND) {
		return info, nil
	} else if err != nil {
		return nil, err
	}
	info.Checkpoint = string(cp)
	if t, err := r.lg.PublishedTree(ctx); err == nil {
		info.Size = t.Size
	}
	cos, err := r.lg.Cosignatures(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cos {
		wi := web.WitnessInfo{Name: c.Name}
		if !c.Time.IsZero() {
			wi.Time = c.Time.Format(time.RFC3339)
		}
		info.Witnesses = append(info.Witnesses, wi)
	}
	return info, nil
}

// nudgingEditorial wakes the log's integrator after each publication and
// withdrawal, so that their entries reach the log at once.
type nudgingEditorial struct {
	web.Editorial
	nudge func()
}

func (n nudgingEditorial) Publish(ctx context.Context, by *domain.User, id int64, version int) (*domain.PublicIncident, error) {
	p, err := n.Editorial.Publish(ctx, by, id, version)
	if err == nil {
		n.nudge()
	}
	return p, err
}

func (n nudgingEditorial) Withdraw(ctx context.Context, by *domain.User, id int64, reason string) (*domain.PublicIncident, error) {
	p, err := n.Editorial.Withdraw(ctx, by, id, reason)
	if err == nil {
		n.nudge()
	}
	return p, err
}
