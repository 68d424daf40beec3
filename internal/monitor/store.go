package monitor

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// ArticleState is where an article stands.
type ArticleState string

// Article states.
const (
	// StateNew: discovered, no readable copy yet (the first capture failed
	// or has not run).
	StateNew ArticleState = "new"
	// StateLive: the last confirmed answer was the article.
	StateLive ArticleState = "live"
	// StateDeleted: a deletion was detected and not undone.
	StateDeleted ArticleState = "deleted"
	// StateSkipped: robots.txt forbids fetching it.
	StateSkipped ArticleState = "skipped"
)

// Article is a monitored article.
type Article struct {
	URL       string // normalised; the key
	Outlet    string // outlet slug
	Title     string // from the feed or sitemap, until captured
	FirstSeen time.Time
	LastCheck time.Time
	NextCheck time.Time
	// Done: the schedule is over; the article is no longer re-checked.
	Done  bool
	State ArticleState
	// Baseline is the last confirmed copy of the article (StateLive), or
	// the last one before it was deleted.
	Baseline Snapshot
	// Gone is the answer that confirmed the deletion (StateDeleted).
	Gone Snapshot
	// DownSince is when the article was first seen unavailable in the
	// current outage (zero when it is up); DownReported says the outage was
	// reported.
	DownSince    time.Time
	DownReported bool
	Checks       int
}

// Kind is the kind of a detection.
type Kind string

// Detection kinds.
const (
	KindDeleted     Kind = "deleted"
	KindEdited      Kind = "edited"
	KindRestored    Kind = "restored"
	KindUnavailable Kind = "unavailable"
)

// Detection is a confirmed change of an article.
type Detection struct {
	ID     int64
	Kind   Kind
	URL    string
	Outlet string
	At     time.Time
	// Reason says why, in a short sentence ("HTTP 410", "redirected to the
	// home page", "soft 404: same text as a missing page").
	Reason string
	// Parts lists what an edit changed: "title", "lede", "body".
	Parts  []string
	Before Snapshot
	After  Snapshot
	// Diff compares Before and After's texts (for restored: the last copy
	// before the deletion against the restored one).
	Diff TextDiff
	// Review is the editors' decision (ReviewOpen, ReviewConfirmed,
	// ReviewDismissed) and IncidentID the draft incident opened for it;
	// stores that do not track them leave them empty.
	Review     string
	IncidentID int64
}

// Review states of a detection.
const (
	ReviewOpen      = "open"
	ReviewConfirmed = "confirmed"
	ReviewDismissed = "dismissed"
)

// OutletState is the monitor's memory of an outlet between rounds.
type OutletState struct {
	Slug     string
	LastPoll time.Time
	// ProbeAt, ProbeStatus and ProbeText describe the site's answer for a
	// deliberately missing URL (the soft-404 fingerprint).
	ProbeAt     time.Time
	ProbeStatus int
	ProbeText   string
}

// ArticleFilter selects articles for a round.
type ArticleFilter struct {
	// DueBy selects articles whose NextCheck is at or before it.
	DueBy time.Time
	// All selects every article that is not Done, due or not.
	All   bool
	Limit int // 0: no limit
	// Lease, when positive, claims the selected articles: the store moves
	// their NextCheck to DueBy+Lease in the same step, so that another
	// round (another process) does not select them until the check saves
	// the real next time or the lease runs out.
	Lease time.Duration
}

// DetectionFilter selects detections.
type DetectionFilter struct {
	Since  time.Time
	Kind   Kind
	Outlet string
	URL    string
}

// Store keeps the monitor's outlets, articles and detections. The SQL store
// implements it; MemStore is the in-memory one for tests and benchmarks.
// Lookups of a missing outlet or article return a domain ENOTFOUND error.
type Store interface {
	Outlets(ctx context.Context) ([]Outlet, error)
	// Outlet returns one outlet (ENOTFOUND).
	Outlet(ctx context.Context, slug string) (Outlet, error)
	// SaveOutlet inserts or replaces an outlet (EINVALID when invalid).
	SaveOutlet(ctx context.Context, o Outlet) error
	// RemoveOutlet forgets an outlet, its state and its articles; its
	// detections stay (ENOTFOUND when unknown).
	RemoveOutlet(ctx context.Context, slug string) error
	// ClaimPoll sets the outlet's LastPoll to now when the last poll is
	// older than every (or in the future), and reports whether it did: only
	// one round polls an outlet's feeds at a time.
	ClaimPoll(ctx context.Context, slug string, now time.Time, every time.Duration) (bool, error)
	// OutletState returns the zero state (with Slug set) for an outlet
	// never polled.
	OutletState(ctx context.Context, slug string) (OutletState, error)
	// SaveOutletState stores the probe fields; LastPoll only moves forward.
	SaveOutletState(ctx context.Context, s OutletState) error
	// Validators returns the validators last stored for a feed or sitemap
	// URL, zero when none.
	Validators(ctx context.Context, url string) (Conditional, error)
	SaveValidators(ctx context.Context, url string, c Conditional) error
	// AddArticle inserts an article unless its URL is known; it reports
	// whether it was added.
	AddArticle(ctx context.Context, a Article) (bool, error)
	Article(ctx context.Context, url string) (Article, error)
	// Articles returns the articles a filter selects, soonest due first.
	Articles(ctx context.Context, f ArticleFilter) ([]Article, error)
	SaveArticle(ctx context.Context, a Article) error
	// AddDetection stores a detection and returns it with its ID.
	AddDetection(ctx context.Context, d Detection) (Detection, error)
	// Detections returns the detections a filter selects, oldest first.
	Detections(ctx context.Context, f DetectionFilter) ([]Detection, error)
}

// MemStore is an in-memory Store.
type MemStore struct {
	// DropRaw makes the store forget Snapshot.Raw (benchmarks: the bodies
	// live in WARCs in production).
	DropRaw bool

	mu         sync.Mutex
	outlets    map[string]Outlet
	states     map[string]OutletState
	validators map[string]Conditional
	articles   map[string]*Article
	detections []Detection
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{
		outlets:    map[string]Outlet{},
		states:     map[string]OutletState{},
		validators: map[string]Conditional{},
		articles:   map[string]*Article{},
	}
}

// Outlets implements Store.
func (s *MemStore) Outlets(ctx context.Context) ([]Outlet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Outlet, 0, len(s.outlets))
	for _, o := range s.outlets {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out, nil
}

// SaveOutlet implements Store.
func (s *MemStore) SaveOutlet(ctx context.Context, o Outlet) error {
	if err := o.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outlets[o.Slug] = o
	return nil
}

// Outlet implements Store.
func (s *MemStore) Outlet(ctx context.Context, slug string) (Outlet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.outlets[slug]
	if !ok {
		return Outlet{}, domain.Errorf(domain.ENOTFOUND, "Outlet %q not found.", slug)
	}
	return o, nil
}

// RemoveOutlet implements Store.
func (s *MemStore) RemoveOutlet(ctx context.Context, slug string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.outlets[slug]; !ok {
		return domain.Errorf(domain.ENOTFOUND, "Outlet %q not found.", slug)
	}
	delete(s.outlets, slug)
	delete(s.states, slug)
	for u, a := range s.articles {
		if a.Outlet == slug {
			delete(s.articles, u)
		}
	}
	return nil
}

// ClaimPoll implements Store.
func (s *MemStore) ClaimPoll(ctx context.Context, slug string, now time.Time, every time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.outlets[slug]; !ok {
		return false, domain.Errorf(domain.ENOTFOUND, "Outlet %q not found.", slug)
	}
	st, ok := s.states[slug]
	if !ok {
		st.Slug = slug
	}
	if !st.LastPoll.IsZero() && now.Sub(st.LastPoll) < every && !now.Before(st.LastPoll) {
		return false, nil
	}
	st.LastPoll = now
	s.states[slug] = st
	return true, nil
}

// OutletState implements Store.
func (s *MemStore) OutletState(ctx context.Context, slug string) (OutletState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.outlets[slug]; !ok {
		return OutletState{}, domain.Errorf(domain.ENOTFOUND, "Outlet %q not found.", slug)
	}
	st, ok := s.states[slug]
	if !ok {
		st.Slug = slug
	}
	return st, nil
}

// SaveOutletState implements Store.
func (s *MemStore) SaveOutletState(ctx context.Context, st OutletState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.states[st.Slug]; ok && old.LastPoll.After(st.LastPoll) {
		st.LastPoll = old.LastPoll
	}
	s.states[st.Slug] = st
	return nil
}

// Validators implements Store.
func (s *MemStore) Validators(ctx context.Context, url string) (Conditional, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.validators[url], nil
}

// SaveValidators implements Store.
func (s *MemStore) SaveValidators(ctx context.Context, url string, c Conditional) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.validators[url] = c
	return nil
}

// AddArticle implements Store.
func (s *MemStore) AddArticle(ctx context.Context, a Article) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.articles[a.URL]; ok {
		return false, nil
	}
	s.articles[a.URL] = s.keep(a)
	return true, nil
}

func (s *MemStore) keep(a Article) *Article {
	if s.DropRaw {
		a.Baseline.Raw, a.Gone.Raw = nil, nil
	}
	return &a
}

// Article implements Store.
func (s *MemStore) Article(ctx context.Context, url string) (Article, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.articles[url]
	if !ok {
		return Article{}, domain.Errorf(domain.ENOTFOUND, "Article %q not found.", url)
	}
	return *a, nil
}

// Articles implements Store.
func (s *MemStore) Articles(ctx context.Context, f ArticleFilter) ([]Article, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sel []*Article
	for _, a := range s.articles {
		if a.Done || a.State == StateSkipped {
			continue
		}
		if !f.All && a.NextCheck.After(f.DueBy) {
			continue
		}
		sel = append(sel, a)
	}
	sort.Slice(sel, func(i, j int) bool {
		if !sel[i].NextCheck.Equal(sel[j].NextCheck) {
			return sel[i].NextCheck.Before(sel[j].NextCheck)
		}
		return sel[i].URL < sel[j].URL
	})
	if f.Limit > 0 && len(sel) > f.Limit {
		sel = sel[:f.Limit]
	}
	out := make([]Article, len(sel))
	for i, a := range sel {
		out[i] = *a
		if f.Lease > 0 {
			a.NextCheck = f.DueBy.Add(f.Lease)
		}
	}
	return out, nil
}

// SaveArticle implements Store.
func (s *MemStore) SaveArticle(ctx context.Context, a Article) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.articles[a.URL]; !ok {
		return domain.Errorf(domain.ENOTFOUND, "Article %q not found.", a.URL)
	}
	s.articles[a.URL] = s.keep(a)
	return nil
}

// AddDetection implements Store.
func (s *MemStore) AddDetection(ctx context.Context, d Detection) (Detection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d.ID = int64(len(s.detections) + 1)
	if d.Review == "" {
		d.Review = ReviewOpen
	}
	s.detections = append(s.detections, d)
	return d, nil
}

// Detections implements Store.
func (s *MemStore) Detections(ctx context.Context, f DetectionFilter) ([]Detection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Detection
	for _, d := range s.detections {
		if (!f.Since.IsZero() && d.At.Before(f.Since)) || (f.Kind != "" && d.Kind != f.Kind) ||
			(f.Outlet != "" && d.Outlet != f.Outlet) || (f.URL != "" && d.URL != f.URL) {
			continue
		}
		out = append(out, d)
	}
	return out, nil
}
