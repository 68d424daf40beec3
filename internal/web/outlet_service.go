package web

import (
	"context"
	"net/http"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// Monitor is what the monitor's pages need: the outlets watched, their
// articles and the queue of detections. The cli adapts the monitor's SQL
// store, its diff and the editorial service to it; the web package never
// sees the monitor's own types.
type Monitor interface {
	// Outlets lists every outlet (by slug) with its counts.
	Outlets(ctx context.Context) ([]*OutletInfo, error)
	// Outlet returns one outlet with its counts (ENOTFOUND).
	Outlet(ctx context.Context, slug string) (*OutletInfo, error)
	// OutletArticles lists an outlet's newest monitored articles.
	OutletArticles(ctx context.Context, slug string, limit int) ([]MonitoredArticle, error)
	// CheckOutlet fetches every feed and sitemap of o (through safehttp) and
	// returns the problems by form field ("feeds", "sitemaps"); empty when
	// all of them answer with a feed or a sitemap.
	CheckOutlet(ctx context.Context, o *OutletInfo) map[string]string
	// SaveOutlet adds (create) or updates an outlet and writes an audit
	// row: EINVALID for a bad outlet, ECONFLICT when create finds the slug
	// taken, ENOTFOUND when an update finds none.
	SaveOutlet(ctx context.Context, by *domain.User, o *OutletInfo, create bool) error
	// RemoveOutlet forgets an outlet and its articles (detections stay);
	// ENOTFOUND.
	RemoveOutlet(ctx context.Context, by *domain.User, slug string) error
	// Detections lists detections, newest first.
	Detections(ctx context.Context, f DetectionFilter) ([]*DetectionInfo, error)
	// Detection returns one detection with its side-by-side diff
	// (ENOTFOUND).
	Detection(ctx context.Context, id int64) (*DetectionInfo, error)
	// ReviewDetection confirms or dismisses an open detection in one
	// action and notes it on its draft incident (ECONFLICT when already
	// decided, ENOTFOUND).
	ReviewDetection(ctx context.Context, by *domain.User, id int64, confirm bool, note string) error
}

// OutletInfo is an outlet as the pages show and edit it.
type OutletInfo struct {
	Slug, Name, Country, Language, Homepage string
	Feeds, Sitemaps                         []string
	// IgnoreRobots: the monitor fetches pages robots.txt disallows (shown
	// on the outlet's public page).
	IgnoreRobots bool
	PollEvery    time.Duration
	// Counts (read only): monitored articles, confirmed removals and
	// confirmed edits.
	Articles, Removals, Edits int
}

// MonitoredArticle is one article the monitor re-checks.
type MonitoredArticle struct {
	URL, Title, State    string
	FirstSeen, LastCheck time.Time
	Checks               int
}

// DetectionFilter selects detections; empty fields select all.
type DetectionFilter struct {
	Kind, Outlet, Review string
	Limit                int
}

// Review states of a detection.
const (
	DetectionOpen      = "open"
	DetectionConfirmed = "confirmed"
	DetectionDismissed = "dismissed"
)

// DetectionInfo is a detection with what its pages show.
type DetectionInfo struct {
	ID         int64
	Kind       string // deleted, edited, restored, unavailable
	URL        string
	Outlet     string // slug
	OutletName string
	At         time.Time
	Reason     string
	Parts      []string // title, lede, body (edits)
	Headline   string   // the article's title before the change
	// Both answers and their evidence captures (0 when none).
	BeforeStatus, AfterStatus   int
	AfterFinalURL               string
	BeforeCapture, AfterCapture int64
	// The draft incident opened for it (0 when none) and, once that
	// incident is published, its public ref.
	IncidentID  int64
	IncidentRef string
	Review      string
	// Rows is the paragraph-level diff with word-level marks (filled by
	// Detection, not by Detections).
	Rows []DiffRow
}

// DiffRow is one line of a side-by-side diff: the old paragraph on the
// left, the new one on the right (either may be empty). Op is equal,
// delete, insert or replace.
type DiffRow struct {
	Op          string
	Left, Right []DiffSegment
}

// DiffSegment is a run of text; Changed marks deleted (left) or inserted
// (right) words.
type DiffSegment struct {
	Text    string
	Changed bool
}

// DetectionKinds are the kinds a detection may have, for filters.
var DetectionKinds = []string{"deleted", "edited", "restored", "unavailable"}

func (s *Server) monitorOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Monitor == nil {
			s.notFound(w, r)
			return
		}
		h(w, r)
	}
}
