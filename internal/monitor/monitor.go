package monitor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultWorkers          = 16
	DefaultHostInterval     = time.Second
	DefaultUserAgent        = "presswatch"
	DefaultUnavailableAfter = 48 * time.Hour
	DefaultDownRecheck      = 6 * time.Hour
	DefaultProbeEvery       = 24 * time.Hour
	DefaultRobotsEvery      = 24 * time.Hour
	DefaultSoftNotFound     = 0.8
	DefaultMovedSimilarity  = 0.9
	DefaultMaxSitemapDepth  = 2
	DefaultMaxSitemaps      = 50
	DefaultDiscoverMaxAge   = 30 * 24 * time.Hour
	DefaultMaxCrawlDelay    = 30 * time.Second
	DefaultLease            = 15 * time.Minute
)

// Options configure a Monitor. Zero values take the defaults above.
type Options struct {
	Store   Store
	Fetcher Fetcher
	// Articles fetches article pages (first copies, re-checks and
	// confirmations); the evidence pipeline's Fetcher keeps each answer as
	// a capture. Nil: Fetcher.
	Articles Fetcher
	// OnDetection is called after a detection is stored (the product opens
	// a draft incident for it); an error is logged and counted.
	OnDetection func(ctx context.Context, d Detection) error
	// Lease is how long a round holds the articles it selected (see
	// ArticleFilter.Lease); zero means DefaultLease, negative no claim.
	Lease time.Duration
	// Schedule of re-checks; zero means DefaultSchedule().
	Schedule Schedule
	Workers  int
	// HostInterval spaces requests to one host; negative disables spacing
	// (tests). Limiter, when set, replaces it.
	HostInterval time.Duration
	Limiter      *HostLimiter
	// UserAgent is the robots.txt product token obeyed.
	UserAgent string
	// UnavailableAfter: an outage is reported once it has lasted this long.
	UnavailableAfter time.Duration
	// DownRecheck: while an article is unavailable it is re-checked at
	// least this often, so that the outage's length is known.
	DownRecheck time.Duration
	// EditMinWords and EditMinRatio: an edit is reported when at least
	// EditMinWords words changed (default 1) and at least EditMinRatio of
	// the words (default 0). A changed title is always an edit.
	EditMinWords int
	EditMinRatio float64
	// SoftNotFound is the word-overlap F1 above which a page counts as the
	// site's "not found" page.
	SoftNotFound float64
	// MovedSimilarity is the word-overlap F1 above which a redirected page
	// is the same article moved, not a deletion.
	MovedSimilarity float64
	ProbeEvery      time.Duration
	RobotsEvery     time.Duration
	MaxCrawlDelay   time.Duration
	MaxSitemapDepth int
	MaxSitemaps     int
	// DiscoverMaxAge skips sitemap entries dated older than this.
	DiscoverMaxAge time.Duration
	Logger         *slog.Logger
}

// Monitor runs discovery and re-check rounds over a Store.
type Monitor struct {
	opts     Options
	store    Store
	fetcher  Fetcher
	articles Fetcher
	limiter  *HostLimiter
	log      *slog.Logger

	mu     sync.Mutex
	robots map[string]robotsEntry
	locks  map[string]*sync.Mutex // per outlet (probes) and per host (robots)
}

type robotsEntry struct {
	rules *Robots
	at    time.Time
}

// New returns a Monitor.
func New(opts Options) (*Monitor, error) {
	if opts.Store == nil || opts.Fetcher == nil {
		return nil, errors.New("monitor: Store and Fetcher are required")
	}
	if len(opts.Schedule.Steps) == 0 && opts.Schedule.Every == 0 {
		opts.Schedule = DefaultSchedule()
	}
	setDefault(&opts.Workers, DefaultWorkers)
	setDefault(&opts.UserAgent, DefaultUserAgent)
	setDefault(&opts.UnavailableAfter, DefaultUnavailableAfter)
	setDefault(&opts.DownRecheck, DefaultDownRecheck)
	setDefault(&opts.EditMinWords, 1)
	setDefault(&opts.SoftNotFound, DefaultSoftNotFound)
	setDefault(&opts.MovedSimilarity, DefaultMovedSimilarity)
	setDefault(&opts.ProbeEvery, DefaultProbeEvery)
	setDefault(&opts.RobotsEvery, DefaultRobotsEvery)
	setDefault(&opts.MaxCrawlDelay, DefaultMaxCrawlDelay)
	setDefault(&opts.MaxSitemapDepth, DefaultMaxSitemapDepth)
	setDefault(&opts.MaxSitemaps, DefaultMaxSitemaps)
	setDefault(&opts.DiscoverMaxAge, DefaultDiscoverMaxAge)
	setDefault(&opts.Lease, DefaultLease)
	if opts.Articles == nil {
		opts.Articles = opts.Fetcher
	}
	if opts.HostInterval == 0 {
		opts.HostInterval = DefaultHostInterval
	}
	m := &Monitor{opts: opts, store: opts.Store, fetcher: opts.Fetcher, articles: opts.Articles, limiter: opts.Limiter, log: opts.Logger,
		robots: map[string]robotsEntry{}, locks: map[string]*sync.Mutex{}}
	if m.limiter == nil {
		m.limiter = NewHostLimiter(opts.HostInterval)
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	return m, nil
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// RunOptions select what a round does.
type RunOptions struct {
	// RecheckAll re-checks every monitored article now, due or not.
	RecheckAll bool
	// SkipDiscovery leaves feeds and sitemaps alone; SkipRechecks leaves
	// the articles alone (discovery only).
	SkipDiscovery bool
	SkipRechecks  bool
	// Limit caps the articles re-checked in the round (0: no cap).
	Limit int
}

// RoundStats summarise a round.
type RoundStats struct {
	OutletsPolled int
	NewArticles   int
	Rechecks      int
	// Fetches counts every request (feeds, sitemaps, robots.txt, probes,
	// articles, confirmations); NotModified the 304 answers among them;
	// RecheckNotModified the 304 answers to article re-checks.
	Fetches            int
	NotModified        int
	RecheckNotModified int
	Bytes              int64
	RecheckBytes       int64
	Errors             int
	Detections         int
	ByKind             map[Kind]int
	Duration           time.Duration
}

// NotModifiedShare is the share of article re-checks answered 304.
func (s RoundStats) NotModifiedShare() float64 {
	if s.Rechecks == 0 {
		return 0
	}
	return float64(s.RecheckNotModified) / float64(s.Rechecks)
}

type round struct {
	now   time.Time
	mu    sync.Mutex
	stats RoundStats
	err   error
}

func (r *round) add(f func(s *RoundStats)) {
	r.mu.Lock()
	f(&r.stats)
	r.mu.Unlock()
}

func (r *round) fail(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.stats.Errors++
	r.mu.Unlock()
}

// RunOnce runs one round at time now: it polls the outlets whose poll is
// due, then re-checks the articles whose check is due (or all of them) with
// a bounded pool of workers. Store errors are returned (the first one) after
// the round has done what it could; fetch failures are counted, not errors.
func (m *Monitor) RunOnce(ctx context.Context, now time.Time, opts RunOptions) (RoundStats, error) {
	start := time.Now()
	r := &round{now: now, stats: RoundStats{ByKind: map[Kind]int{}}}
	outlets, err := m.store.Outlets(ctx)
	if err != nil {
		return r.stats, fmt.Errorf("monitor: outlets: %w", err)
	}
	byslug := make(map[string]Outlet, len(outlets))
	for _, o := range outlets {
		byslug[o.Slug] = o
	}
	if !opts.SkipDiscovery {
		runPool(ctx, m.opts.Workers, len(outlets), func(i int) { m.discover(ctx, r, outlets[i]) })
	}
	if opts.SkipRechecks {
		r.stats.Duration = time.Since(start)
		return r.stats, r.err
	}
	arts, err := m.store.Articles(ctx, ArticleFilter{DueBy: now, All: opts.RecheckAll, Limit: opts.Limit, Lease: max(m.opts.Lease, 0)})
	if err != nil {
		return r.stats, fmt.Errorf("monitor: due articles: %w", err)
	}
	arts = interleaveHosts(arts)
	runPool(ctx, m.opts.Workers, len(arts), func(i int) {
		o, ok := byslug[arts[i].Outlet]
		if !ok {
			return // outlet removed: leave the article alone
		}
		m.check(ctx, r, o, arts[i])
	})
	r.stats.Duration = time.Since(start)
	if ctx.Err() != nil && r.err == nil {
		r.err = ctx.Err()
	}
	return r.stats, r.err
}

// interleaveHosts reorders articles round-robin by host, keeping each
// host's order, so that the workers are not all waiting on one host's
// politeness limit while other hosts are idle.
func interleaveHosts(arts []Article) []Article {
	byHost := map[string][]Article{}
	var hosts []string
	for _, a := range arts {
		h := hostOf(a.URL)
		if _, ok := byHost[h]; !ok {
			hosts = append(hosts, h)
		}
		byHost[h] = append(byHost[h], a)
	}
	out := make([]Article, 0, len(arts))
	for i := 0; len(out) < len(arts); i++ {
		for _, h := range hosts {
			if q := byHost[h]; i < len(q) {
				out = append(out, q[i])
			}
		}
	}
	return out
}

// runPool calls fn(0..n-1) on up to workers goroutines, stopping early when
// ctx is done.
func runPool(ctx context.Context, workers, n int, fn func(i int)) {
	if n == 0 {
		return
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
}

func (m *Monitor) lock(key string) *sync.Mutex {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.locks[key]
	if !ok {
		l = &sync.Mutex{}
		m.locks[key] = l
	}
	return l
}

// errRobots is returned by fetch when robots.txt forbids the URL.
var errRobots = errors.New("monitor: disallowed by robots.txt")

// fetch makes one polite request: robots.txt (unless the outlet ignores
// it), then the per-host limiter, then the Fetcher.
func (m *Monitor) fetch(ctx context.Context, r *round, o Outlet, rawURL string, cond Conditional) (*Fetched, error) {
	return m.fetchWith(ctx, r, o, m.fetcher, rawURL, cond)
}

// fetchArticle is fetch with the article Fetcher (evidence).
func (m *Monitor) fetchArticle(ctx context.Context, r *round, o Outlet, rawURL string, cond Conditional) (*Fetched, error) {
	return m.fetchWith(ctx, r, o, m.articles, rawURL, cond)
}

func (m *Monitor) fetchWith(ctx context.Context, r *round, o Outlet, fetcher Fetcher, rawURL string, cond Conditional) (*Fetched, error) {
	host := hostOf(rawURL)
	if !o.IgnoreRobots {
		rules := m.robotsFor(ctx, r, rawURL)
		if !rules.Allowed(m.opts.UserAgent, rawURL) {
			return nil, errRobots
		}
	}
	if err := m.limiter.Wait(ctx, host); err != nil {
		return nil, fmt.Errorf("monitor: wait for %s: %w", host, err)
	}
	f, err := fetcher.Fetch(ctx, rawURL, cond)
	r.add(func(s *RoundStats) {
		s.Fetches++
		if f != nil {
			s.Bytes += f.WireBytes
			if f.Status == 304 {
				s.NotModified++
			}
		}
	})
	if err == nil && f.FetchedAt.IsZero() {
		f.FetchedAt = r.now
	}
	return f, err
}

// robotsFor returns the robots.txt rules of rawURL's host, fetched at most
// once per RobotsEvery. A missing robots.txt (4xx) allows everything; an
// unreachable one keeps the rules known before, or allows everything, so
// that an outage is seen as an outage and not as a ban.
func (m *Monitor) robotsFor(ctx context.Context, r *round, rawURL string) *Robots {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	key := u.Scheme + "://" + u.Host
	l := m.lock("robots " + key)
	l.Lock()
	defer l.Unlock()
	m.mu.Lock()
	e, ok := m.robots[key]
	m.mu.Unlock()
	if ok && r.now.Sub(e.at) < m.opts.RobotsEvery && !r.now.Before(e.at) {
		return e.rules
	}
	if err := m.limiter.Wait(ctx, strings.ToLower(u.Host)); err != nil {
		return e.rules
	}
	f, ferr := m.fetcher.Fetch(ctx, key+"/robots.txt", Conditional{})
	r.add(func(s *RoundStats) {
		s.Fetches++
		if f != nil {
			s.Bytes += f.WireBytes
		}
	})
	next := robotsEntry{rules: e.rules, at: r.now}
	switch {
	case ferr != nil || f.Status >= 500:
	case f.Status >= 200 && f.Status < 300:
		next.rules = ParseRobots(f.Body)
	default:
		next.rules = nil
	}
	if d := next.rules.CrawlDelay(m.opts.UserAgent); d > 0 {
		m.limiter.SetDelay(strings.ToLower(u.Host), min(d, m.opts.MaxCrawlDelay))
	}
	m.mu.Lock()
	m.robots[key] = next
	m.mu.Unlock()
	return next.rules
}

// probeFingerprint returns the outlet's answer for a deliberately missing
// URL, fetched at most once per ProbeEvery, and whether it is a 200 page
// (only those can be soft 404s).
func (m *Monitor) probeFingerprint(ctx context.Context, r *round, o Outlet, articleURL string) (string, bool) {
	l := m.lock("probe " + o.Slug)
	l.Lock()
	defer l.Unlock()
	st, err := m.store.OutletState(ctx, o.Slug)
	if err != nil {
		r.fail(fmt.Errorf("monitor: outlet state %s: %w", o.Slug, err))
		return "", false
	}
	if st.ProbeAt.IsZero() || r.now.Sub(st.ProbeAt) >= m.opts.ProbeEvery || r.now.Before(st.ProbeAt) {
		u, err := url.Parse(articleURL)
		if err != nil {
			return "", false
		}
		var tok [8]byte
		_, _ = rand.Read(tok[:])
		probe := u.Scheme + "://" + u.Host + "/presswatch-probe-" + hex.EncodeToString(tok[:])
		f, err := m.fetch(ctx, r, o, probe, Conditional{})
		if err != nil {
			return "", false // try again next time
		}
		st.ProbeAt, st.ProbeStatus, st.ProbeText = r.now, f.Status, ""
		if f.Status >= 200 && f.Status < 300 {
			snap := NewSnapshot(f)
			st.ProbeText = withoutURLWords(snap.Text(), probe)
		}
		if err := m.store.SaveOutletState(ctx, st); err != nil {
			r.fail(fmt.Errorf("monitor: save outlet state %s: %w", o.Slug, err))
		}
	}
	return st.ProbeText, st.ProbeStatus >= 200 && st.ProbeStatus < 300
}
