package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/evidence/archive"
	"github.com/presswatch/presswatch/internal/jobs"
	"github.com/presswatch/presswatch/internal/monitor"
	"github.com/presswatch/presswatch/internal/safehttp"
	"github.com/presswatch/presswatch/internal/store"
)

// testResolverEnv names a test-only variable: with
// --insecure-allow-private-addresses, PRESSWATCH_INSECURE_TEST_RESOLVER=test
// makes every host name ending in ".test" resolve to 127.0.0.1, so that the
// end-to-end tests can drive the real commands against the simulated
// newsroom's virtual hosts. It is ignored without the insecure flag.
const testResolverEnv = "PRESSWATCH_INSECURE_TEST_RESOLVER"

type testTLDResolver struct{ tld string }

func (r testTLDResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	if strings.HasSuffix(strings.TrimSuffix(host, "."), "."+r.tld) {
		return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
	}
	return net.DefaultResolver.LookupIPAddr(ctx, host)
}

// monitorClient is the safehttp client of the monitor (feeds, sitemaps,
// robots.txt, probes, and article captures).
func monitorClient(cfg *config.Config, getenv func(string) string, logger *slog.Logger) *safehttp.Client {
	opts := safehttp.Options{
		AllowPrivate: cfg.AllowPrivate,
		Proxy:        cfg.Proxy,
		Timeout:      30 * time.Second,
		UserAgent:    "presswatch/" + version() + " (+https://github.com/presswatch/presswatch; monitor)",
		Logger:       logger,
	}
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if tld := getenv(testResolverEnv); tld != "" && cfg.AllowPrivate {
		opts.Resolver = testTLDResolver{tld: strings.Trim(tld, ".")}
	}
	return safehttp.New(opts)
}

// monitorRuntime is a monitor wired to the database and the evidence
// pipeline.
type monitorRuntime struct {
	Monitor  *monitor.Monitor
	Store    *store.MonitorStore
	Captures *monitor.CaptureFetcher
}

// monitorSettings tune newMonitor.
type monitorSettings struct {
	now          func() time.Time // capture clock (tests); nil: time.Now
	hostInterval time.Duration
	workers      int
}

// newMonitor builds the monitor: feeds through safehttp, articles through
// the evidence pipeline (no screenshots on re-checks), each detection opening
// a draft incident.
func newMonitor(cfg *config.Config, getenv func(string) string, db *store.DB, svc *archive.Service, logger *slog.Logger, set monitorSettings) (*monitorRuntime, error) {
	client := monitorClient(cfg, getenv, logger)
	capt := *svc.Capturer
	capt.Client = client
	capt.Renderer, capt.RendererMissing = nil, "the monitor takes no screenshots"
	if set.now != nil {
		capt.Now = set.now
	}
	msvc := *svc
	msvc.Capturer, msvc.Screenshot = &capt, false
	cf := &monitor.CaptureFetcher{Archive: &msvc}
	ms := db.Monitor()
	opener := &incidentOpener{db: db, store: ms, logger: logger}
	m, err := monitor.New(monitor.Options{
		Store:        ms,
		Fetcher:      monitor.SafeFetcher{Client: client},
		Articles:     cf,
		Workers:      set.workers,
		HostInterval: set.hostInterval,
		Logger:       logger,
		OnDetection:  opener.open,
	})
	if err != nil {
		return nil, err
	}
	return &monitorRuntime{Monitor: m, Store: ms, Captures: cf}, nil
}

// MonitorAuthor is the clearly marked automatic author of the draft
// incidents the monitor opens (no account: created_by stays empty).
var MonitorAuthor = &domain.User{Name: "presswatch monitor (automatic)", Email: "monitor@presswatch.invalid", Role: domain.RoleEditor}

// incidentOpener opens a draft incident for each detection of a deletion or
// an edit (restorations and outages are recorded, not opened as incidents).
type incidentOpener struct {
	db     *store.DB
	store  *store.MonitorStore
	logger *slog.Logger
}

func (o *incidentOpener) open(ctx context.Context, d monitor.Detection) error {
	inc := DetectionIncident(d, o.outlet(ctx, d.Outlet))
	if inc == nil {
		return nil
	}
	svc := editorial.New(o.db, o.db, o.db, o.db, o.db, o.logger)
	note := fmt.Sprintf("Opened automatically by the monitor from detection %d (%s).", d.ID, d.Reason)
	if err := svc.CreateIncident(ctx, MonitorAuthor, inc, note); err != nil {
		return fmt.Errorf("open incident for detection %d: %w", d.ID, err)
	}
	return o.store.SetDetectionIncident(ctx, d.ID, inc.ID)
}

func (o *incidentOpener) outlet(ctx context.Context, slug string) monitor.Outlet {
	out, err := o.store.Outlet(ctx, slug)
	if err != nil {
		return monitor.Outlet{Slug: slug, Name: slug}
	}
	return out
}

// DetectionIncident is the draft incident a detection opens: content_removed
// for a deletion, content_edited for an edit, nil for other kinds.
func DetectionIncident(d monitor.Detection, o monitor.Outlet) *domain.Incident {
	var category, title string
	switch d.Kind {
	case monitor.KindDeleted:
		category, title = "content_removed", "Article removed from "+o.Name
	case monitor.KindEdited:
		category, title = "content_edited", "Article silently edited on "+o.Name
	default:
		return nil
	}
	headline := d.Before.Title
	if headline != "" {
		title += ": " + headline
	}
	if len([]rune(title)) > 300 {
		title = string([]rune(title)[:297]) + "…"
	}
	country := strings.ToUpper(o.Country)
	if len(country) != 2 {
		country = "ZZ" // unknown: editors set it
	}
	summary := fmt.Sprintf("The presswatch monitor detected on %s that %s was %s (%s).", d.At.UTC().Format("2006-01-02"), d.URL, d.Kind, d.Reason)
	if len(d.Parts) > 0 {
		summary += " Changed: " + strings.Join(d.Parts, ", ") + "."
	}
	v := domain.Violation{Category: category,
		Targets: []domain.Target{{Kind: "outlet", Name: o.Name, Outlet: o.Name, URL: o.Homepage}},
		Details: domain.ViolationDetails{ContentURL: d.URL, CaptureBefore: d.Before.CaptureID, CaptureAfter: d.After.CaptureID},
	}
	if d.Kind == monitor.KindDeleted {
		v.Details.RemovedOn = d.At.UTC().Format("2006-01-02")
	}
	return &domain.Incident{
		Title: title, Summary: summary,
		DateStart: d.At.UTC().Format("2006-01-02"), DatePrecision: domain.PrecisionDay,
		Country: country, Violations: []domain.Violation{v},
		Sources: []domain.Source{{Kind: "news_report", URL: d.URL, Title: headline, Visibility: "internal", CaptureID: d.After.CaptureID}},
		Tags:    []string{"monitor"},
	}
}

// monitorSetup adds the monitor's job workers and its periodic round to
// the job registry (serve and `presswatch worker`).
func setupMonitorWorkers(ctx context.Context, rt *jobRuntime, workers *jobs.Workers) error {
	if rt.Archive == nil {
		return nil
	}
	mr, err := newMonitor(rt.Config, rt.Getenv, rt.DB, rt.Archive, rt.Logger, monitorSettings{workers: 4})
	if err != nil {
		return err
	}
	if err := monitor.RegisterJobs(workers, &monitor.Jobs{Monitor: mr.Monitor, Store: mr.Store, Logger: rt.Logger}); err != nil {
		return fmt.Errorf("registering the monitor workers: %w", err)
	}
	rt.Periodic = append(rt.Periodic, monitor.PeriodicRound(time.Minute))
	return nil
}
