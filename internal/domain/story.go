package domain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Kinds of story.
const (
	StoryCensored  = "censored_story" // a piece a newsroom spiked or a regulator forced off air
	StoryTestimony = "testimony"      // a first-person account of intimidation
	StoryAnalysis  = "analysis"
)

// How a story's author is shown.
const (
	AuthorNamed        = "named"
	AuthorPseudonymous = "pseudonymous"
	AuthorAnonymous    = "anonymous"
)

// StoryKinds and AuthorDisplays list the allowed values in display order.
var (
	StoryKinds     = []string{StoryCensored, StoryTestimony, StoryAnalysis}
	AuthorDisplays = []string{AuthorNamed, AuthorPseudonymous, AuthorAnonymous}
)

// Story is the working copy of a censored story, a testimony or an
// analysis. Readers see its PublicStory. The real name of an author who is
// not shown by name is never kept in clear: AuthorSealed holds it sealed to
// the editors' keys (or it is not kept at all).
type Story struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Kind string `json:"kind"`

	Title        string                 `json:"title"`
	Standfirst   string                 `json:"standfirst"`
	Body         string                 `json:"body"` // markdown, sanitised when rendered
	Language     string                 `json:"language"`
	Translations map[string]Translation `json:"translations,omitempty"` // Summary holds the standfirst
	Topics       []string               `json:"topics,omitempty"`
	Country      string                 `json:"country,omitempty"`

	AuthorDisplay string `json:"author_display"`
	// AuthorName is what readers see: the name (named), the pen name
	// (pseudonymous), empty (anonymous).
	AuthorName string `json:"author_name,omitempty"`
	// AuthorSealed is the real name sealed to the editors (an age file);
	// never part of a revision document or of anything public.
	AuthorSealed []byte `json:"-"`

	RefusingOutlet string   `json:"refusing_outlet,omitempty"`
	Incidents      []string `json:"incidents,omitempty"` // refs of related incidents
	Evidence       []Source `json:"evidence,omitempty"`

	// IntakeReportID is the intake report the story came from: publishing
	// then needs the source's approval of the very revision.
	IntakeReportID int64 `json:"intake_report_id,omitempty"`
	// IntakeFiles are the report's attachments carried over: references to
	// the sealed originals (never re-encrypted, never modified), which stay
	// in the intake blob store with the report. Staff only.
	IntakeFiles []IntakeFileRef `json:"intake_files,omitempty"`
	// DepositID is the safe-box deposit the story was released from.
	DepositID int64 `json:"deposit_id,omitempty"`

	Publication      string     `json:"publication"`
	WithdrawalReason string     `json:"withdrawal_reason,omitempty"`
	Version          int        `json:"version"`
	PublishedVersion int        `json:"published_version,omitempty"`
	PublishedAt      *time.Time `json:"published_at,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	CreatedBy        int64      `json:"created_by,omitempty"`
	UpdatedBy        int64      `json:"updated_by,omitempty"`
}

// IntakeFileRef points a story at a sealed original of the intake report
// it came from: the attachment, its ciphertext blob and the SHA-256 of its
// plaintext (what the source sent).
type IntakeFileRef struct {
	AttachmentID    int64  `json:"attachment_id"`
	BlobSHA256      string `json:"blob_sha256"`
	PlaintextSHA256 string `json:"plaintext_sha256"`
	Size            int64  `json:"size"`
}

var (
	reLanguage = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	reTopic    = reTag
)

// Normalize trims text, fills defaults and drops empty list entries.
func (s *Story) Normalize() {
	s.Title = strings.TrimSpace(s.Title)
	s.Standfirst = strings.TrimSpace(s.Standfirst)
	s.Language = strings.TrimSpace(s.Language)
	if s.Language == "" {
		s.Language = "en"
	}
	s.Country = strings.ToUpper(strings.TrimSpace(s.Country))
	s.AuthorName = strings.TrimSpace(s.AuthorName)
	s.RefusingOutlet = strings.TrimSpace(s.RefusingOutlet)
	if s.Publication == "" {
		s.Publication = PublicationDraft
	}
	if s.AuthorDisplay == "" {
		s.AuthorDisplay = AuthorAnonymous
	}
	if s.AuthorDisplay == AuthorAnonymous {
		s.AuthorName = ""
	}
	topics := s.Topics[:0]
	for _, t := range s.Topics {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" && !oneOf(t, topics) {
			topics = append(topics, t)
		}
	}
	s.Topics = topics
	rel := s.Incidents[:0]
	for _, r := range s.Incidents {
		if r = strings.ToUpper(strings.TrimSpace(r)); r != "" && !oneOf(r, rel) {
			rel = append(rel, r)
		}
	}
	s.Incidents = rel
	for i := range s.Evidence {
		if s.Evidence[i].Visibility == "" {
			s.Evidence[i].Visibility = VisibilityPublic
		}
		s.Evidence[i].URL = strings.TrimSpace(s.Evidence[i].URL)
	}
}

// Validate reports every problem with the story as field → message.
func (s *Story) Validate() error {
	p := map[string]string{}
	if !oneOf(s.Kind, StoryKinds) {
		p["kind"] = "Choose a kind of story."
	}
	if s.Title == "" {
		p["title"] = "A title is required."
	} else if len(s.Title) > 300 {
		p["title"] = "Titles are at most 300 characters."
	}
	if len(s.Standfirst) > 2000 {
		p["standfirst"] = "The standfirst is at most 2,000 characters."
	}
	if strings.TrimSpace(s.Body) == "" {
		p["body"] = "The story needs its text."
	} else if len(s.Body) > 400000 {
		p["body"] = "The text is at most 400,000 characters."
	}
	if !reLanguage.MatchString(s.Language) {
		p["language"] = "Use a BCP 47 language code, such as ur or en."
	}
	if s.Country != "" && !reCountry.MatchString(s.Country) {
		p["country"] = "Use a two-letter ISO 3166-1 country code, such as PK."
	}
	if !oneOf(s.AuthorDisplay, AuthorDisplays) {
		p["author_display"] = "Choose how the author is shown."
	} else if s.AuthorDisplay != AuthorAnonymous && s.AuthorName == "" {
		p["author_name"] = "Give the name (or pen name) readers will see."
	}
	if len(s.AuthorName) > 200 {
		p["author_name"] = "Names are at most 200 characters."
	}
	if len(s.RefusingOutlet) > 200 {
		p["refusing_outlet"] = "At most 200 characters."
	}
	for i, t := range s.Topics {
		if !reTopic.MatchString(t) {
			p[fmt.Sprintf("topics.%d", i)] = "Topics are single words of letters, digits, - or _ (at most 40)."
		}
	}
	for i, r := range s.Incidents {
		if !ValidRef(r) {
			p[fmt.Sprintf("incidents.%d", i)] = "Use the ref of an incident, such as PK-2024-0153."
		}
	}
	for i, e := range s.Evidence {
		pre := fmt.Sprintf("evidence.%d.", i)
		if e.URL != "" && !ValidWebURL(e.URL) {
			p[pre+"url"] = "Use a full http:// or https:// address."
		}
		if e.URL == "" && e.Title == "" && e.CaptureID == 0 {
			p[pre+"url"] = "Give the evidence's address, a title or a capture."
		}
		if !oneOf(e.Visibility, Visibilities) {
			p[pre+"visibility"] = "Choose public or internal."
		}
	}
	for loc := range s.Translations {
		if !oneOf(loc, Locales) || loc == s.Language {
			p["translations"] = "Translations are for the site's other languages."
		}
	}
	if len(p) > 0 {
		return InvalidFields(p)
	}
	return nil
}

// PublicView returns what readers see of the story's working copy: no
// sealed name, no internal evidence, no intake or staff ids.
func (s *Story) PublicView(now time.Time) *PublicStory {
	p := &PublicStory{ID: s.ID, Slug: s.Slug, Kind: s.Kind, Title: s.Title, Standfirst: s.Standfirst, Body: s.Body,
		Language: s.Language, Translations: s.Translations, Topics: s.Topics, Country: s.Country,
		AuthorDisplay: s.AuthorDisplay, AuthorName: s.AuthorName, RefusingOutlet: s.RefusingOutlet,
		Incidents: s.Incidents, Status: s.Publication, WithdrawalReason: s.WithdrawalReason,
		Revision: s.PublishedVersion, UpdatedAt: now}
	if s.AuthorDisplay == AuthorAnonymous {
		p.AuthorName = ""
	}
	if s.PublishedAt != nil {
		p.FirstPublishedAt = *s.PublishedAt
	}
	for _, e := range s.Evidence {
		if e.Visibility == VisibilityPublic {
			p.Evidence = append(p.Evidence, e)
		}
	}
	return p
}

// PublicStory is a story as published: what its page, feed, JSON and the
// log entry carry.
type PublicStory struct {
	ID               int64                  `json:"-"`
	Slug             string                 `json:"slug"`
	Kind             string                 `json:"kind"`
	Title            string                 `json:"title"`
	Standfirst       string                 `json:"standfirst,omitempty"`
	Body             string                 `json:"body"`
	Language         string                 `json:"language"`
	Translations     map[string]Translation `json:"translations,omitempty"`
	Topics           []string               `json:"topics,omitempty"`
	Country          string                 `json:"country,omitempty"`
	AuthorDisplay    string                 `json:"author_display"`
	AuthorName       string                 `json:"author_name,omitempty"`
	RefusingOutlet   string                 `json:"refusing_outlet,omitempty"`
	Incidents        []string               `json:"incidents,omitempty"`
	Evidence         []Source               `json:"evidence,omitempty"`
	Status           string                 `json:"status"`
	WithdrawalReason string                 `json:"withdrawal_reason,omitempty"`
	Revision         int                    `json:"revision"`
	FirstPublishedAt time.Time              `json:"first_published_at"`
	UpdatedAt        time.Time              `json:"updated_at"`
	// Deposit is the safe-box deposit the story was released from: the
	// SHA-256 entered in the log on the day of deposit, and that entry's ref.
	Deposit *DepositProof `json:"deposit,omitempty"`
	// LogIndex is the leaf of the latest log entry, once integrated.
	LogIndex *int64 `json:"log_index,omitempty"`
}

// DepositProof ties a published story to the log entry of its deposit.
type DepositProof struct {
	Ref         string    `json:"ref"`    // the deposit entry's ref in the log
	SHA256      string    `json:"sha256"` // of the deposit's sealed-in plaintext
	DepositedAt time.Time `json:"deposited_at"`
}

// ContentHash is the SHA-256 of the story's public JSON without its log
// index (what the log entry commits to).
func (p *PublicStory) ContentHash() string {
	c := *p
	c.LogIndex = nil
	b, _ := json.Marshal(&c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TitleIn returns the title in locale and whether it was translated.
func (p *PublicStory) TitleIn(locale string) (string, bool) {
	if locale == p.Language {
		return p.Title, true
	}
	if t, ok := p.Translations[locale]; ok && t.Title != "" {
		return t.Title, true
	}
	return p.Title, false
}

// StandfirstIn and BodyIn return the text in locale, or the original.
func (p *PublicStory) StandfirstIn(locale string) string {
	if t, ok := p.Translations[locale]; ok && t.Summary != "" && locale != p.Language {
		return t.Summary
	}
	return p.Standfirst
}

// BodyIn returns the body in locale, or the original.
func (p *PublicStory) BodyIn(locale string) string {
	if t, ok := p.Translations[locale]; ok && t.Body != "" && locale != p.Language {
		return t.Body
	}
	return p.Body
}

// ReadingMinutes estimates the reading time of text at 200 words a minute
// (at least one minute).
func ReadingMinutes(text string) int {
	n := len(strings.Fields(text))
	return max(1, (n+199)/200)
}

// StoryFilter selects published stories: the same query string means the
// same set on the HTML list, the JSON and the Atom feed.
type StoryFilter struct {
	Kind     string
	Topic    string
	Country  string
	Language string
	Q        string
	Page     int
	PerPage  int
}

// StoryPage is one page of published stories.
type StoryPage struct {
	Items []*PublicStory
	Total int
}

// StoryStaffFilter selects working copies in the back office.
type StoryStaffFilter struct {
	Publication string
	Page        int
	PerPage     int
}

// StoryRevision is one saved state of a story's working copy.
type StoryRevision struct {
	StoryID    int64
	Number     int
	Doc        []byte
	AuthorID   int64
	AuthorName string
	Note       string
	CreatedAt  time.Time
}

// StoryApproval is an approval of a story revision: by staff (UserID) or,
// for a story from intake, by its source (UserID 0, Source true).
type StoryApproval struct {
	StoryID   int64
	Revision  int
	UserID    int64
	UserName  string
	Source    bool
	Comment   string
	CreatedAt time.Time
}

// StoryMessage is one message between the editors and the source of a
// story from intake, sealed like intake messages (age file).
type StoryMessage struct {
	ID        int64
	StoryID   int64
	Direction string // FromSource or FromEditors
	AuthorID  int64
	Text      string // plaintext, only in memory
	CreatedAt time.Time
}

// StoryStore keeps stories' working copies, revisions, approvals and
// publication. Each method is one transaction with its audit row. Errors:
// ENOTFOUND, ECONFLICT (stale version, disallowed transition), EFORBIDDEN
// (two-person rule, source approval missing), EINVALID.
type StoryStore interface {
	CreateStory(ctx context.Context, s *Story, by *User, note string) error
	UpdateStory(ctx context.Context, s *Story, by *User, note string) error
	FindStory(ctx context.Context, id int64) (*Story, error)
	ListStories(ctx context.Context, f StoryStaffFilter) ([]*Story, int, error)
	StoryRevisions(ctx context.Context, id int64) ([]*StoryRevision, error)
	TransitionStory(ctx context.Context, id int64, version int, action string, by *User, note string) (*Story, error)
	// ApproveStory records an approval of revision version (by == nil and
	// source == true for the source of a story from intake).
	ApproveStory(ctx context.Context, id int64, version int, by *User, source bool, comment string) error
	// RevokeSourceApproval records that the source withdrew consent.
	RevokeSourceApproval(ctx context.Context, id int64, comment string) error
	StoryApprovals(ctx context.Context, id int64) ([]*StoryApproval, error)
	// PublishStory requires the story in review at version, an approval of
	// that version by another staff member, and (from intake) the source's
	// approval of that version. It writes the PublicStory and a log entry
	// (kind story_revision) referring to the deposit entry when there is one.
	PublishStory(ctx context.Context, id int64, version int, by *User) (*PublicStory, error)
	WithdrawStory(ctx context.Context, id int64, reason string, by *User) (*PublicStory, error)
}

// PublicStoryStore reads published stories.
type PublicStoryStore interface {
	FindPublicStory(ctx context.Context, slug string) (*PublicStory, error)
	SearchStories(ctx context.Context, f StoryFilter) (*StoryPage, error)
	// StoriesForIncident lists the published stories related to an incident.
	StoriesForIncident(ctx context.Context, ref string) ([]*PublicStory, error)
}

// Safe-box deposit states.
const (
	DepositActive     = "active"     // check-ins on time
	DepositOverdue    = "overdue"    // a check-in was missed: editors alerted
	DepositReleasable = "releasable" // grace period over, instructions say publish: two editors may release
	DepositReleased   = "released"   // opened by two editors' decision
)

// What happens when check-ins stop.
const (
	OnSilenceAlert   = "alert"
	OnSilencePublish = "publish"
)

// Deposit is a safe-box deposit: sealed content plus instructions. Editors
// who are not named readers see only this row: that it exists and its
// check-in state. The content's SHA-256 is public (in the log).
type Deposit struct {
	ID  int64
	Ref string // public ref in the log, e.g. deposit-7f3a…
	// Depositor: a staff member, or a source known by the lookup key of a codename.
	DepositorUserID int64
	DepositorLookup []byte `json:"-"`
	DepositorKey    string // age public key the depositor envelope is sealed to

	Readers        []int64 // editors who may read now
	ReleaseEditors []int64 // editors who take part in a release decision
	CheckInEvery   time.Duration
	Grace          time.Duration
	OnSilence      string

	SHA256      string // of the plaintext bundle
	Size        int64  // plaintext bytes
	State       string
	StoryID     int64
	LastCheckIn time.Time
	AlertedAt   *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DueAt is when the next check-in is due.
func (d *Deposit) DueAt() time.Time { return d.LastCheckIn.Add(d.CheckInEvery) }

// ReleasableAt is when, silent, the deposit may be released.
func (d *Deposit) ReleasableAt() time.Time { return d.DueAt().Add(d.Grace) }

// DepositEnvelope holds the deposit's key sealed for someone. Kind is
// "depositor", "reader" (one editor), "pair" (sealed to Inner, then to
// Outer: opening needs both) or "half" (a pair whose outer layer Outer has
// already opened while voting: still sealed to Inner).
type DepositEnvelope struct {
	DepositID int64
	Kind      string
	Outer     int64
	Inner     int64
	Sealed    []byte
}

// DepositAlert is a back-office alert about a silent deposit.
type DepositAlert struct {
	ID        int64
	DepositID int64
	Kind      string // overdue, releasable
	Message   string
	CreatedAt time.Time
	ClearedAt *time.Time
}

// DepositStore keeps deposits, their envelopes, sealed content, votes and
// alerts. Errors: ENOTFOUND, ECONFLICT, EINVALID.
type DepositStore interface {
	// CreateDeposit writes the deposit, its envelopes, its sealed content,
	// the log entry (kind deposit, its SHA-256) and an audit row.
	CreateDeposit(ctx context.Context, d *Deposit, envs []*DepositEnvelope, sealed []byte, by *User) error
	FindDeposit(ctx context.Context, id int64) (*Deposit, error)
	ListDeposits(ctx context.Context) ([]*Deposit, error)
	DepositsByLookup(ctx context.Context, lookup []byte) ([]*Deposit, error)
	DepositsByUser(ctx context.Context, userID int64) ([]*Deposit, error)
	DepositEnvelopes(ctx context.Context, id int64) ([]*DepositEnvelope, error)
	DepositContent(ctx context.Context, id int64) ([]byte, error)
	// CheckIn records a check-in at the transaction's time: the deposit is
	// active again and its alerts are cleared.
	CheckIn(ctx context.Context, id int64, by *User) (*Deposit, error)
	// CancelDeposit destroys the deposit: envelopes, content, votes, alerts
	// and the row (crypto-shredding). The log entry stays (a hash only).
	CancelDeposit(ctx context.Context, id int64, by *User) error
	// MarkDeposit moves a deposit to state with an alert (the sweep).
	MarkDeposit(ctx context.Context, id int64, state string, alert *DepositAlert) error
	Alerts(ctx context.Context, open bool) ([]*DepositAlert, error)
	// VoteRelease stores the half-opened envelopes of by's vote.
	VoteRelease(ctx context.Context, id int64, by *User, halves []*DepositEnvelope) error
	// Released marks the deposit released as storyID and adds reader
	// envelopes (the release editors may read it from now on).
	Released(ctx context.Context, id int64, storyID int64, readers []*DepositEnvelope, by *User) error
}
