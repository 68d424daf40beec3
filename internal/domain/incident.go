package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Enumerations of an incident. The string values are stable codes.
const (
	PrecisionDay     = "day"
	PrecisionMonth   = "month"
	PrecisionYear    = "year"
	PrecisionUnknown = "unknown"

	LocationExact    = "exact"
	LocationCity     = "city"
	LocationDistrict = "district"
	LocationAdmin1   = "admin1"
	LocationCountry  = "country"
	LocationHidden   = "hidden"

	VerificationUnverified   = "unverified"
	VerificationCorroborated = "corroborated"
	VerificationConfirmed    = "confirmed"
	VerificationDisputed     = "disputed"

	WorkRelatedConfirmed   = "confirmed"
	WorkRelatedUnconfirmed = "unconfirmed"
	WorkRelatedNotRelated  = "not_related"

	PublicationDraft     = "draft"
	PublicationInReview  = "in_review"
	PublicationPublished = "published"
	PublicationWithdrawn = "withdrawn"

	SensitivityNormal          = "normal"
	SensitivityProtectIdentity = "protect_victim_identity"
	SensitivityEmbargoed       = "embargoed"

	TargetPerson  = "person"
	TargetOutlet  = "outlet"
	TargetAccount = "account"
	TargetWebsite = "website"

	AttributionConfirmed = "confirmed"
	AttributionSuspected = "suspected"
	AttributionAlleged   = "alleged"
	AttributionUnknown   = "unknown"

	EmploymentStaff     = "staff"
	EmploymentFreelance = "freelance"
	EmploymentUnknown   = "unknown"

	VisibilityPublic   = "public"
	VisibilityInternal = "internal"

	BlockDNS         = "dns"
	BlockTCPIP       = "tcp_ip"
	BlockHTTPFailure = "http-failure"
	BlockHTTPDiff    = "http-diff"
	BlockSNI         = "sni"
	BlockUnknown     = "unknown"
)

// Allowed values, in display order.
var (
	DatePrecisions     = []string{PrecisionDay, PrecisionMonth, PrecisionYear, PrecisionUnknown}
	LocationPrecisions = []string{LocationExact, LocationCity, LocationDistrict, LocationAdmin1, LocationCountry, LocationHidden}
	Verifications      = []string{VerificationUnverified, VerificationCorroborated, VerificationConfirmed, VerificationDisputed}
	WorkRelations      = []string{WorkRelatedConfirmed, WorkRelatedUnconfirmed, WorkRelatedNotRelated}
	Publications       = []string{PublicationDraft, PublicationInReview, PublicationPublished, PublicationWithdrawn}
	Sensitivities      = []string{SensitivityNormal, SensitivityProtectIdentity, SensitivityEmbargoed}
	TargetKinds        = []string{TargetPerson, TargetOutlet, TargetAccount, TargetWebsite}
	Attributions       = []string{AttributionConfirmed, AttributionSuspected, AttributionAlleged, AttributionUnknown}
	Employments        = []string{EmploymentStaff, EmploymentFreelance, EmploymentUnknown}
	Visibilities       = []string{VisibilityPublic, VisibilityInternal}
	BlockMethods       = []string{BlockDNS, BlockTCPIP, BlockHTTPFailure, BlockHTTPDiff, BlockSNI, BlockUnknown}
	DetentionStatuses  = []string{"detained", "released_on_bail", "released", "convicted", "acquitted", "unknown"}
)

// Incident is one documented event: who did what to whom, when and where.
// It is the working copy editors edit; readers see its PublicIncident.
type Incident struct {
	ID   int64  `json:"id"`
	Ref  string `json:"ref"`
	Slug string `json:"slug"`

	Title        string                 `json:"title"`
	Summary      string                 `json:"summary"`
	Body         string                 `json:"body"` // markdown, sanitised when rendered
	Translations map[string]Translation `json:"translations,omitempty"`

	DateStart     string `json:"date_start"` // YYYY-MM-DD, YYYY-MM or YYYY by precision
	DateEnd       string `json:"date_end,omitempty"`
	DatePrecision string `json:"date_precision"`

	Country                 string   `json:"country"`          // ISO 3166-1 alpha-2
	Admin1                  string   `json:"admin1,omitempty"` // ISO 3166-2, e.g. PK-PB
	District                string   `json:"district,omitempty"`
	City                    string   `json:"city,omitempty"`
	Lat                     *float64 `json:"lat,omitempty"`
	Lon                     *float64 `json:"lon,omitempty"`
	LocationPrecision       string   `json:"location_precision"`
	PublicLocationPrecision string   `json:"public_location_precision"`

	Verification string `json:"verification"`
	WorkRelated  string `json:"work_related"`
	Publication  string `json:"publication"`
	Sensitivity  string `json:"sensitivity"`
	EmbargoUntil string `json:"embargo_until,omitempty"` // YYYY-MM-DD

	Tags       []string    `json:"tags,omitempty"`
	Related    []string    `json:"related,omitempty"` // refs of related incidents
	Violations []Violation `json:"violations"`
	Sources    []Source    `json:"sources,omitempty"`
	Timeline   []Update    `json:"timeline,omitempty"`

	WithdrawalReason string `json:"withdrawal_reason,omitempty"`
	Demo             bool   `json:"demo,omitempty"`

	Version   int       `json:"version"` // revision number of this working copy
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	CreatedBy int64     `json:"created_by,omitempty"`
	UpdatedBy int64     `json:"updated_by,omitempty"`
	// PublishedVersion is the revision readers see, 0 when never published.
	PublishedVersion int        `json:"published_version,omitempty"`
	PublishedAt      *time.Time `json:"published_at,omitempty"`
}

// Translation holds an incident's text in another locale.
type Translation struct {
	Title   string `json:"title,omitempty"`
	Summary string `json:"summary,omitempty"`
	Body    string `json:"body,omitempty"`
}

// Violation is one act within an incident.
type Violation struct {
	Category    string           `json:"category"`
	Description string           `json:"description,omitempty"`
	Actors      []Actor          `json:"actors,omitempty"`
	Targets     []Target         `json:"targets,omitempty"`
	Details     ViolationDetails `json:"details,omitzero"`
}

// ViolationDetails holds the fields that only some categories use.
type ViolationDetails struct {
	// Detention, cases, convictions.
	Charges         string         `json:"charges,omitempty"`
	DetentionStatus []StatusChange `json:"detention_status,omitempty"`
	// Website blocks.
	Domain          string   `json:"domain,omitempty"`
	ISPs            []string `json:"isps,omitempty"`
	BlockMethod     string   `json:"block_method,omitempty"`
	MeasurementURLs []string `json:"measurement_urls,omitempty"`
	// Content removal and edits.
	ContentURL    string `json:"content_url,omitempty"`
	CaptureBefore int64  `json:"capture_before,omitempty"`
	CaptureAfter  int64  `json:"capture_after,omitempty"`
	RemovedOn     string `json:"removed_on,omitempty"`
	Restored      bool   `json:"restored,omitempty"`
}

// StatusChange records a change of a detention's status on a date.
type StatusChange struct {
	Date   string `json:"date"`
	Status string `json:"status"`
}

// Target is who or what was targeted.
type Target struct {
	Kind         string `json:"kind"`
	Name         string `json:"name,omitempty"`
	NameWithheld bool   `json:"name_withheld,omitempty"`
	Gender       string `json:"gender,omitempty"`
	Role         string `json:"role,omitempty"`
	Employment   string `json:"employment,omitempty"`
	Foreign      bool   `json:"foreign,omitempty"`
	Outlet       string `json:"outlet,omitempty"`
	URL          string `json:"url,omitempty"` // account or website
}

// Actor is who is responsible, and how sure we are.
type Actor struct {
	Type        string `json:"type"`
	Name        string `json:"name,omitempty"`
	Attribution string `json:"attribution"`
}

// Source is where a fact comes from.
type Source struct {
	Kind       string `json:"kind"`
	Title      string `json:"title,omitempty"`
	URL        string `json:"url,omitempty"`
	Publisher  string `json:"publisher,omitempty"`
	Date       string `json:"date,omitempty"`
	CaptureID  int64  `json:"capture_id,omitempty"`
	Visibility string `json:"visibility"`
}

// Update is one entry of an incident's public timeline.
type Update struct {
	Date string `json:"date"`
	Text string `json:"text"`
}

// Vocab is what Validate needs to know about vocabularies: whether a code is
// an active term of a vocabulary.
type Vocab interface {
	HasTerm(vocab, code string) bool
}

var (
	reCountry = regexp.MustCompile(`^[A-Z]{2}$`)
	reAdmin1  = regexp.MustCompile(`^[A-Z]{2}-[A-Z0-9]{1,3}$`)
	reRef     = regexp.MustCompile(`^[A-Z]{2}-\d{4}-\d{4,}$`)
	reTag     = regexp.MustCompile(`^[\p{L}\p{N}_-]{1,40}$`)
)

// ValidRef reports whether s looks like an incident ref (PK-2024-0153).
func ValidRef(s string) bool { return reRef.MatchString(s) }

// Validate reports every problem with the incident as field → message. Field
// names match the back-office form (violations.0.category, …).
func (inc *Incident) Validate(v Vocab) error {
	p := map[string]string{}
	if strings.TrimSpace(inc.Title) == "" {
		p["title"] = "A title is required."
	} else if len(inc.Title) > 300 {
		p["title"] = "Titles are at most 300 characters."
	}
	if len(inc.Summary) > 2000 {
		p["summary"] = "Summaries are at most 2,000 characters."
	}
	if len(inc.Body) > 200000 {
		p["body"] = "The text is at most 200,000 characters."
	}
	if !oneOf(inc.DatePrecision, DatePrecisions) {
		p["date_precision"] = "Choose how precise the date is."
	} else if inc.DatePrecision != PrecisionUnknown || inc.DateStart != "" {
		if _, err := ParseFuzzyDate(inc.DateStart, inc.DatePrecision); err != nil {
			p["date_start"] = err.Error()
		}
	}
	if inc.DateEnd != "" {
		end, err := ParseFuzzyDate(inc.DateEnd, inc.DatePrecision)
		if err != nil {
			p["date_end"] = err.Error()
		} else if start, err := ParseFuzzyDate(inc.DateStart, inc.DatePrecision); err == nil && end.Before(start) {
			p["date_end"] = "The end date is before the start date."
		}
	}
	if !reCountry.MatchString(inc.Country) {
		p["country"] = "Use a two-letter ISO 3166-1 country code, such as PK."
	}
	if inc.Admin1 != "" && (!reAdmin1.MatchString(inc.Admin1) || !strings.HasPrefix(inc.Admin1, inc.Country+"-")) {
		p["admin1"] = "Use an ISO 3166-2 code of the incident's country, such as PK-PB."
	}
	if inc.Lat != nil && (*inc.Lat < -90 || *inc.Lat > 90) {
		p["lat"] = "Latitude is between -90 and 90."
	}
	if inc.Lon != nil && (*inc.Lon < -180 || *inc.Lon > 180) {
		p["lon"] = "Longitude is between -180 and 180."
	}
	if (inc.Lat == nil) != (inc.Lon == nil) {
		p["lat"] = "Give both latitude and longitude, or neither."
	}
	if !oneOf(inc.LocationPrecision, LocationPrecisions) {
		p["location_precision"] = "Choose how precise the location is."
	}
	if !oneOf(inc.PublicLocationPrecision, LocationPrecisions) {
		p["public_location_precision"] = "Choose how precise the public location is."
	} else if precisionRank(inc.PublicLocationPrecision) < precisionRank(inc.LocationPrecision) {
		p["public_location_precision"] = "The public location cannot be more precise than the known location."
	}
	if !oneOf(inc.Verification, Verifications) {
		p["verification"] = "Choose a verification state."
	}
	if !oneOf(inc.WorkRelated, WorkRelations) {
		p["work_related"] = "Say whether the incident is related to journalistic work."
	}
	if !oneOf(inc.Publication, Publications) {
		p["publication"] = "Unknown publication state."
	}
	if !oneOf(inc.Sensitivity, Sensitivities) {
		p["sensitivity"] = "Choose a sensitivity."
	}
	if inc.Sensitivity == SensitivityEmbargoed {
		if _, err := ParseFuzzyDate(inc.EmbargoUntil, PrecisionDay); err != nil {
			p["embargo_until"] = "An embargoed incident needs the date the embargo ends (YYYY-MM-DD)."
		}
	}
	for i, t := range inc.Tags {
		if !reTag.MatchString(t) {
			p[fmt.Sprintf("tags.%d", i)] = "Tags are single words of letters, digits, - or _ (at most 40)."
		}
	}
	for i, r := range inc.Related {
		if !ValidRef(r) || r == inc.Ref {
			p[fmt.Sprintf("related.%d", i)] = "Use the ref of another incident, such as PK-2024-0153."
		}
	}
	if len(inc.Violations) == 0 {
		p["violations.0.category"] = "Add at least one violation."
	}
	for i, vi := range inc.Violations {
		vi.validate(v, fmt.Sprintf("violations.%d.", i), p)
	}
	for i, s := range inc.Sources {
		pre := fmt.Sprintf("sources.%d.", i)
		if !v.HasTerm(VocabSourceKind, s.Kind) {
			p[pre+"kind"] = "Choose a kind of source."
		}
		if s.URL != "" && !ValidWebURL(s.URL) {
			p[pre+"url"] = "Use a full http:// or https:// address."
		}
		if s.URL == "" && s.Title == "" {
			p[pre+"url"] = "Give the source's address or a title."
		}
		if !oneOf(s.Visibility, Visibilities) {
			p[pre+"visibility"] = "Choose public or internal."
		}
		if s.Date != "" {
			if _, err := ParseFuzzyDate(s.Date, PrecisionDay); err != nil {
				p[pre+"date"] = err.Error()
			}
		}
	}
	for i, u := range inc.Timeline {
		pre := fmt.Sprintf("timeline.%d.", i)
		if _, err := ParseFuzzyDate(u.Date, PrecisionDay); err != nil {
			p[pre+"date"] = err.Error()
		}
		if strings.TrimSpace(u.Text) == "" {
			p[pre+"text"] = "Say what happened."
		}
	}
	for loc := range inc.Translations {
		if loc == "en" || !oneOf(loc, Locales) {
			p["translations"] = "Translations are for ur and hi."
		}
	}
	if len(p) > 0 {
		return InvalidFields(p)
	}
	return nil
}

func (vi Violation) validate(v Vocab, pre string, p map[string]string) {
	if !v.HasTerm(VocabCategory, vi.Category) {
		p[pre+"category"] = "Choose a category."
	}
	for j, a := range vi.Actors {
		ap := fmt.Sprintf("%sactors.%d.", pre, j)
		if !v.HasTerm(VocabActorType, a.Type) {
			p[ap+"type"] = "Choose an actor type."
		}
		if !oneOf(a.Attribution, Attributions) {
			p[ap+"attribution"] = "Choose how sure the attribution is."
		}
	}
	for j, t := range vi.Targets {
		tp := fmt.Sprintf("%stargets.%d.", pre, j)
		if !oneOf(t.Kind, TargetKinds) {
			p[tp+"kind"] = "Choose a kind of target."
		}
		if t.Kind == TargetPerson {
			if t.Gender != "" && !v.HasTerm(VocabGender, t.Gender) {
				p[tp+"gender"] = "Unknown gender code."
			}
			if t.Role != "" && !v.HasTerm(VocabTargetRole, t.Role) {
				p[tp+"role"] = "Unknown role code."
			}
			if t.Employment != "" && !oneOf(t.Employment, Employments) {
				p[tp+"employment"] = "Choose staff, freelance or unknown."
			}
		}
		if strings.TrimSpace(t.Name) == "" && !t.NameWithheld {
			p[tp+"name"] = "Give a name, or mark it withheld."
		}
		if t.URL != "" && !ValidWebURL(t.URL) {
			p[tp+"url"] = "Use a full http:// or https:// address."
		}
	}
	d := vi.Details
	if d.BlockMethod != "" && !oneOf(d.BlockMethod, BlockMethods) {
		p[pre+"details.block_method"] = "Unknown blocking method."
	}
	if d.ContentURL != "" && !ValidWebURL(d.ContentURL) {
		p[pre+"details.content_url"] = "Use a full http:// or https:// address."
	}
	for k, u := range d.MeasurementURLs {
		if !ValidWebURL(u) {
			p[fmt.Sprintf("%sdetails.measurement_urls.%d", pre, k)] = "Use a full http:// or https:// address."
		}
	}
	if d.RemovedOn != "" {
		if _, err := ParseFuzzyDate(d.RemovedOn, PrecisionDay); err != nil {
			p[pre+"details.removed_on"] = err.Error()
		}
	}
	for k, s := range d.DetentionStatus {
		if !oneOf(s.Status, DetentionStatuses) {
			p[fmt.Sprintf("%sdetails.detention_status.%d.status", pre, k)] = "Unknown detention status."
		}
		if _, err := ParseFuzzyDate(s.Date, PrecisionDay); err != nil {
			p[fmt.Sprintf("%sdetails.detention_status.%d.date", pre, k)] = err.Error()
		}
	}
}

// ParseFuzzyDate parses a date written at the given precision: YYYY-MM-DD for
// day, YYYY-MM (or a full date) for month, YYYY (or longer) for year. It
// returns the first day the date can mean.
func ParseFuzzyDate(s, precision string) (time.Time, error) {
	s = strings.TrimSpace(s)
	layouts := map[string][]string{
		PrecisionDay:     {"2006-01-02"},
		PrecisionMonth:   {"2006-01", "2006-01-02"},
		PrecisionYear:    {"2006", "2006-01", "2006-01-02"},
		PrecisionUnknown: {"2006", "2006-01", "2006-01-02"},
	}
	for _, l := range layouts[precision] {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return time.Time{}, fmt.Errorf("The year %d is out of range.", t.Year())
			}
			return t, nil
		}
	}
	switch precision {
	case PrecisionDay:
		return time.Time{}, fmt.Errorf("Use a date such as 2024-03-15.")
	case PrecisionMonth:
		return time.Time{}, fmt.Errorf("Use a month such as 2024-03.")
	default:
		return time.Time{}, fmt.Errorf("Use a year such as 2024.")
	}
}

// NormalizeDate rewrites a valid fuzzy date to its canonical form at the
// precision (2024-03-15 at month precision becomes 2024-03).
func NormalizeDate(s, precision string) string {
	t, err := ParseFuzzyDate(s, precision)
	if err != nil {
		return s
	}
	switch precision {
	case PrecisionDay:
		return t.Format("2006-01-02")
	case PrecisionMonth:
		return t.Format("2006-01")
	default:
		return t.Format("2006")
	}
}

// SortDate returns a YYYY-MM-DD string usable for ordering and range filters.
func SortDate(s, precision string) string {
	if t, err := ParseFuzzyDate(s, precision); err == nil {
		return t.Format("2006-01-02")
	}
	return ""
}

// ValidWebURL reports whether s is an absolute http or https URL.
func ValidWebURL(s string) bool {
	if len(s) > 2048 {
		return false
	}
	l := strings.ToLower(s)
	if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
		return false
	}
	rest := s[strings.Index(s, "//")+2:]
	return rest != "" && !strings.HasPrefix(rest, "/") && !strings.ContainsAny(s, " \t\r\n<>\"")
}

func oneOf(s string, allowed []string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}

// OneOf reports whether s is one of allowed.
func OneOf(s string, allowed []string) bool { return oneOf(s, allowed) }

func precisionRank(p string) int {
	for i, x := range LocationPrecisions {
		if x == p {
			return i
		}
	}
	return -1
}

// Normalize fills defaults and canonical forms before validation: trims text,
// upper-cases codes, canonicalises dates, drops empty list entries.
func (inc *Incident) Normalize() {
	inc.Title = strings.TrimSpace(inc.Title)
	inc.Summary = strings.TrimSpace(inc.Summary)
	inc.Country = strings.ToUpper(strings.TrimSpace(inc.Country))
	inc.Admin1 = strings.ToUpper(strings.TrimSpace(inc.Admin1))
	inc.District = strings.TrimSpace(inc.District)
	inc.City = strings.TrimSpace(inc.City)
	if inc.DatePrecision == "" {
		inc.DatePrecision = PrecisionDay
	}
	if inc.DateStart != "" {
		inc.DateStart = NormalizeDate(inc.DateStart, inc.DatePrecision)
	}
	if inc.DateEnd != "" {
		inc.DateEnd = NormalizeDate(inc.DateEnd, inc.DatePrecision)
	}
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&inc.LocationPrecision, LocationCity)
	def(&inc.PublicLocationPrecision, inc.LocationPrecision)
	def(&inc.Verification, VerificationUnverified)
	def(&inc.WorkRelated, WorkRelatedUnconfirmed)
	def(&inc.Publication, PublicationDraft)
	def(&inc.Sensitivity, SensitivityNormal)
	tags := inc.Tags[:0]
	for _, t := range inc.Tags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	inc.Tags = tags
	rel := inc.Related[:0]
	for _, r := range inc.Related {
		if r = strings.ToUpper(strings.TrimSpace(r)); r != "" {
			rel = append(rel, r)
		}
	}
	inc.Related = rel
	for i := range inc.Violations {
		for j := range inc.Violations[i].Actors {
			def(&inc.Violations[i].Actors[j].Attribution, AttributionUnknown)
		}
		for j := range inc.Violations[i].Targets {
			t := &inc.Violations[i].Targets[j]
			t.Name = strings.TrimSpace(t.Name)
			def(&t.Kind, TargetPerson)
		}
	}
	for i := range inc.Sources {
		def(&inc.Sources[i].Visibility, VisibilityPublic)
		inc.Sources[i].URL = strings.TrimSpace(inc.Sources[i].URL)
	}
}

// Persons returns the number of person targets across violations, counting a
// named person once per incident.
func (inc *Incident) Persons() int {
	seen := map[string]bool{}
	n := 0
	for _, v := range inc.Violations {
		for _, t := range v.Targets {
			if t.Kind != TargetPerson {
				continue
			}
			if t.Name != "" && !t.NameWithheld {
				if seen[strings.ToLower(t.Name)] {
					continue
				}
				seen[strings.ToLower(t.Name)] = true
			}
			n++
		}
	}
	return n
}

// Family returns the family of a category code among terms, or "other".
func Family(terms []Term, category string) string {
	for _, t := range terms {
		if t.Vocab == VocabCategory && t.Code == category {
			return t.Family
		}
	}
	return "other"
}
