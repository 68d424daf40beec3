package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
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
	"github.com/presswatch/presswatch/internal/web"
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

// wireMonitor serves the monitor's pages (/outlets, /admin/outlets,
// /admin/detections) from the database; feeds and sitemaps of a new or
// edited outlet are checked through the monitor's safehttp client.
func wireMonitor(env *Env, cfg *config.Config, s *Server, w *web.Options) {
	w.Monitor = &monitorPages{db: s.DB, store: s.DB.Monitor(), svc: s.Service,
		fetcher: monitor.SafeFetcher{Client: monitorClient(cfg, env.Getenv, s.Logger)}, logger: s.Logger}
}

// monitorPages adapts the monitor's store, its diff and the editorial
// service to web.Monitor.
type monitorPages struct {
	db      *store.DB
	store   *store.MonitorStore
	svc     *editorial.Service
	fetcher monitor.Fetcher
	logger  *slog.Logger
}

var _ web.Monitor = (*monitorPages)(nil)

func outletInfo(o monitor.Outlet, c store.OutletCount) *web.OutletInfo {
	return &web.OutletInfo{Slug: o.Slug, Name: o.Name, Country: o.Country, Language: o.Language, Homepage: o.Homepage,
		Feeds: o.Feeds, Sitemaps: o.Sitemaps, IgnoreRobots: o.IgnoreRobots, PollEvery: o.PollEvery,
		Articles: c.Articles, Removals: c.Removals, Edits: c.Edits}
}

func (p *monitorPages) Outlets(ctx context.Context) ([]*web.OutletInfo, error) {
	list, err := p.store.Outlets(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := p.store.OutletCounts(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]*web.OutletInfo, 0, len(list))
	for _, o := range list {
		out = append(out, outletInfo(o, counts[o.Slug]))
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

func (p *monitorPages) Outlet(ctx context.Context, slug string) (*web.OutletInfo, error) {
	o, err := p.store.Outlet(ctx, slug)
	if err != nil {
		return nil, err
	}
	counts, err := p.store.OutletCounts(ctx, o.Slug)
	if err != nil {
		return nil, err
	}
	return outletInfo(o, counts[o.Slug]), nil
}

func (p *monitorPages) OutletArticles(ctx context.Context, slug string, limit int) ([]web.MonitoredArticle, error) {
	list, err := p.store.OutletArticles(ctx, slug, limit)
	if err != nil {
		return nil, err
	}
	out := make([]web.MonitoredArticle, 0, len(list))
	for _, a := range list {
		title := a.Title
		if a.Baseline.Title != "" {
			title = a.Baseline.Title
		}
		out = append(out, web.MonitoredArticle{URL: a.URL, Title: title, State: string(a.State), FirstSeen: a.FirstSeen, LastCheck: a.LastCheck, Checks: a.Checks})
	}
	return out, nil
}

// CheckOutlet fetches every feed and sitemap: each must answer 200 with a
// feed (RSS, Atom, JSON Feed) or a sitemap that parses.
func (p *monitorPages) CheckOutlet(ctx context.Context, o *web.OutletInfo) map[string]string {
	problems := map[string]string{}
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	check := func(field, raw string, parse func([]byte) error) {
		if problems[field] != "" {
			return
		}
		u, err := monitor.NormalizeURL(raw)
		if err != nil {
			problems[field] = fmt.Sprintf("%s is not an http or https address.", raw)
			return
		}
		res, err := p.fetcher.Fetch(ctx, u, monitor.Conditional{})
		if err != nil {
			problems[field] = fmt.Sprintf("%s could not be fetched: %s", raw, fetchProblem(err))
			return
		}
		if res.Status != 200 {
			problems[field] = fmt.Sprintf("%s answered HTTP %d.", raw, res.Status)
			return
		}
		if err := parse(res.Body); err != nil {
			what := "an RSS, Atom or JSON feed"
			if field == "sitemaps" {
				what = "a sitemap"
			}
			problems[field] = fmt.Sprintf("%s did not answer with %s presswatch can read.", raw, what)
		}
	}
	for _, f := range o.Feeds {
		check("feeds", f, func(b []byte) error { _, err := monitor.ParseFeed(b); return err })
	}
	for _, sm := range o.Sitemaps {
		check("sitemaps", sm, func(b []byte) error { _, err := monitor.ParseSitemap(b); return err })
	}
	return problems
}

// fetchProblem says why a fetch failed without internal detail.
func fetchProblem(err error) string {
	switch {
	case errors.Is(err, safehttp.ErrBlockedAddress):
		return "the address is private or local, which the monitor never fetches"
	case errors.Is(err, safehttp.ErrBlockedScheme):
		return "only http and https are fetched"
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer in time"
	}
	return "no answer (DNS, refused or reset connection)"
}

func (p *monitorPages) SaveOutlet(ctx context.Context, by *domain.User, in *web.OutletInfo, create bool) error {
	if by == nil || !domain.Can(by.Role, domain.ActionEdit) {
		return domain.Errorf(domain.EFORBIDDEN, "Only editors and admins manage outlets.")
	}
	o, err := newOutlet(in.Name, in.Homepage, in.Slug, in.Country, in.Language, in.Feeds, in.Sitemaps)
	if err != nil {
		return domain.Errorf(domain.EINVALID, "%s", strings.ReplaceAll(err.Error(), "--", ""))
	}
	o.IgnoreRobots, o.PollEvery = in.IgnoreRobots, in.PollEvery
	if create {
		return p.store.CreateOutlet(ctx, o, by.ID)
	}
	return p.store.UpdateOutlet(ctx, o, by.ID)
}

func (p *monitorPages) RemoveOutlet(ctx context.Context, by *domain.User, slug string) error {
	if by == nil || !domain.Can(by.Role, domain.ActionEdit) {
		return domain.Errorf(domain.EFORBIDDEN, "Only editors and admins manage outlets.")
	}
	return p.store.RemoveOutletBy(ctx, slug, by.ID)
}

func (p *monitorPages) Detections(ctx context.Context, f web.DetectionFilter) ([]*web.DetectionInfo, error) {
	list, err := p.store.FindDetections(ctx, store.DetectionQuery{
		DetectionFilter: monitor.DetectionFilter{Kind: monitor.Kind(f.Kind), Outlet: f.Outlet},
		Review:          f.Review, Newest: true, Limit: f.Limit})
	if err != nil {
		return nil, err
	}
	names := p.outletNames(ctx)
	out := make([]*web.DetectionInfo, 0, len(list))
	for _, d := range list {
		out = append(out, p.detectionInfo(ctx, d, names))
	}
	return out, nil
}

func (p *monitorPages) Detection(ctx context.Context, id int64) (*web.DetectionInfo, error) {
	d, err := p.store.Detection(ctx, id)
	if err != nil {
		return nil, err
	}
	info := p.detectionInfo(ctx, d, p.outletNames(ctx))
	for _, row := range monitor.SideBySide(d.Diff) {
		r := web.DiffRow{Op: string(row.Op)}
		for _, s := range row.Left {
			r.Left = append(r.Left, web.DiffSegment{Text: s.Text, Changed: s.Changed})
		}
		for _, s := range row.Right {
			r.Right = append(r.Right, web.DiffSegment{Text: s.Text, Changed: s.Changed})
		}
		info.Rows = append(info.Rows, r)
	}
	return info, nil
}

func (p *monitorPages) outletNames(ctx context.Context) map[string]string {
	names := map[string]string{}
	list, err := p.store.Outlets(ctx)
	if err != nil {
		p.logger.Warn("monitor pages: outlets", "err", err)
	}
	for _, o := range list {
		names[o.Slug] = o.Name
	}
	return names
}

func (p *monitorPages) detectionInfo(ctx context.Context, d monitor.Detection, names map[string]string) *web.DetectionInfo {
	info := &web.DetectionInfo{ID: d.ID, Kind: string(d.Kind), URL: d.URL, Outlet: d.Outlet, OutletName: names[d.Outlet],
		At: d.At, Reason: d.Reason, Parts: d.Parts, Headline: d.Before.Title,
		BeforeStatus: d.Before.Status, AfterStatus: d.After.Status, AfterFinalURL: d.After.FinalURL,
		BeforeCapture: d.Before.CaptureID, AfterCapture: d.After.CaptureID, IncidentID: d.IncidentID, Review: d.Review}
	if info.OutletName == "" {
		info.OutletName = d.Outlet
	}
	if info.AfterFinalURL == d.URL {
		info.AfterFinalURL = ""
	}
	if d.IncidentID != 0 {
		// Only a published incident has a public ref worth linking.
		if inc, err := p.db.FindIncident(ctx, d.IncidentID); err == nil && inc.PublishedVersion > 0 &&
			inc.Publication != domain.PublicationWithdrawn {
			info.IncidentRef = inc.Ref
		}
	}
	return info
}

// monitorDismissedTag marks a draft incident whose detection an editor
// dismissed (it replaces the tag "monitor").
const monitorDismissedTag = "monitor-dismissed"

// ReviewDetection confirms or dismisses a detection (audited by the
// store), then notes the decision on its draft incident: a comment in
// both cases and, on dismissal of a still-draft incident, a new revision
// tagged monitor-dismissed (nothing is deleted). The two steps are two
// transactions: when the second fails the decision stands and the failure
// is logged.
func (p *monitorPages) ReviewDetection(ctx context.Context, by *domain.User, id int64, confirm bool, note string) error {
	if by == nil || !domain.Can(by.Role, domain.ActionEdit) {
		return domain.Errorf(domain.EFORBIDDEN, "Only editors and admins confirm or dismiss detections.")
	}
	d, err := p.store.Detection(ctx, id)
	if err != nil {
		return err
	}
	review := monitor.ReviewDismissed
	if confirm {
		review = monitor.ReviewConfirmed
	}
	if err := p.store.ReviewDetection(ctx, id, review, by.ID); err != nil {
		return err
	}
	if d.IncidentID == 0 {
		return nil
	}
	text := fmt.Sprintf("Detection %d (%s of %s) %s by %s.", d.ID, d.Kind, d.URL, review, by.Email)
	if note != "" {
		text += " " + note
	}
	if err := p.svc.Comment(ctx, by, d.IncidentID, text); err != nil {
		p.logger.Error("monitor pages: comment on incident", "detection", id, "incident", d.IncidentID, "err", err)
	}
	if confirm {
		return nil
	}
	inc, err := p.svc.FindIncident(ctx, by, d.IncidentID)
	if err != nil || inc.Publication != domain.PublicationDraft {
		return nil // published or in review: the comment says it; editors decide
	}
	tags := []string{monitorDismissedTag}
	for _, t := range inc.Tags {
		if t != "monitor" && t != monitorDismissedTag {
			tags = append(tags, t)
		}
	}
	inc.Tags = tags
	if err := p.svc.UpdateIncident(ctx, by, inc, text); err != nil {
		p.logger.Error("monitor pages: mark dismissed incident", "detection", id, "incident", d.IncidentID, "err", err)
	}
	return nil
}
