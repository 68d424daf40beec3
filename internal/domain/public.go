package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"time"
)

// PublicIncident is what readers see of an incident: the published revision
// with internal sources removed, protected names withheld and the location
// reduced to its public precision. Everything public (pages, exports, API,
// feeds, the log, mirrors) is built from it and nothing else.
type PublicIncident struct {
	Ref          string                 `json:"ref"`
	Slug         string                 `json:"slug"`
	Status       string                 `json:"status"` // published or withdrawn
	Title        string                 `json:"title"`
	Summary      string                 `json:"summary"`
	Body         string                 `json:"body,omitempty"`
	Translations map[string]Translation `json:"translations,omitempty"`

	DateStart     string `json:"date_start,omitempty"`
	DateEnd       string `json:"date_end,omitempty"`
	DatePrecision string `json:"date_precision"`

	Country           string   `json:"country"`
	Admin1            string   `json:"admin1,omitempty"`
	District          string   `json:"district,omitempty"`
	City              string   `json:"city,omitempty"`
	Lat               *float64 `json:"lat,omitempty"`
	Lon               *float64 `json:"lon,omitempty"`
	LocationPrecision string   `json:"location_precision"`

	Verification string      `json:"verification"`
	WorkRelated  string      `json:"work_related"`
	Tags         []string    `json:"tags,omitempty"`
	Related      []string    `json:"related,omitempty"`
	Violations   []Violation `json:"violations"`
	Sources      []Source    `json:"sources,omitempty"`
	Timeline     []Update    `json:"timeline,omitempty"`

	WithdrawalReason string    `json:"withdrawal_reason,omitempty"`
	Revision         int       `json:"revision"`
	FirstPublishedAt time.Time `json:"first_published_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	Demo             bool      `json:"demo,omitempty"`

	// Filled by the store, not part of the content hash.
	ID       int64  `json:"-"`
	LogIndex *int64 `json:"-"`
	Snippet  string `json:"-"` // search highlight, HTML-escaped with <mark>
}

// WithheldName replaces the name of a target whose identity is protected.
const WithheldName = "Name withheld"

// PublicView derives what readers may see from the incident at its current
// working revision. now is the publication time.
func (inc *Incident) PublicView(now time.Time) *PublicIncident {
	p := &PublicIncident{
		Ref: inc.Ref, Slug: inc.Slug, Status: PublicationPublished,
		Title: inc.Title, Summary: inc.Summary, Body: inc.Body,
		DateStart: inc.DateStart, DateEnd: inc.DateEnd, DatePrecision: inc.DatePrecision,
		Country: inc.Country, LocationPrecision: inc.PublicLocationPrecision,
		Verification: inc.Verification, WorkRelated: inc.WorkRelated,
		Tags: append([]string(nil), inc.Tags...), Related: append([]string(nil), inc.Related...),
		Timeline: append([]Update(nil), inc.Timeline...),
		Revision: inc.Version, UpdatedAt: now, Demo: inc.Demo,
	}
	if inc.PublishedAt != nil {
		p.FirstPublishedAt = *inc.PublishedAt
	} else {
		p.FirstPublishedAt = now
	}
	if len(inc.Translations) > 0 {
		p.Translations = map[string]Translation{}
		for k, v := range inc.Translations {
			p.Translations[k] = v
		}
	}
	rank := precisionRank(inc.PublicLocationPrecision)
	if rank <= precisionRank(LocationAdmin1) {
		p.Admin1 = inc.Admin1
	}
	if rank <= precisionRank(LocationDistrict) {
		p.District = inc.District
	}
	if rank <= precisionRank(LocationCity) {
		p.City = inc.City
	}
	if inc.Lat != nil && inc.Lon != nil && rank <= precisionRank(LocationCity) {
		// Exact points are published to about 10 m; city precision to about 10 km.
		digits := 4.0
		if rank == precisionRank(LocationCity) {
			digits = 1
		}
		lat, lon := roundTo(*inc.Lat, digits), roundTo(*inc.Lon, digits)
		p.Lat, p.Lon = &lat, &lon
	}
	if inc.PublicLocationPrecision == LocationHidden {
		p.Admin1, p.District, p.City = "", "", ""
	}
	protect := inc.Sensitivity == SensitivityProtectIdentity
	for _, v := range inc.Violations {
		pv := v
		pv.Targets = nil
		for _, t := range v.Targets {
			if t.Kind == TargetPerson && (protect || t.NameWithheld) {
				t.Name = ""
				t.NameWithheld = true
			}
			pv.Targets = append(pv.Targets, t)
		}
		pv.Actors = append([]Actor(nil), v.Actors...)
		p.Violations = append(p.Violations, pv)
	}
	for _, s := range inc.Sources {
		if s.Visibility == VisibilityPublic {
			p.Sources = append(p.Sources, s)
		}
	}
	return p
}

func roundTo(x, digits float64) float64 {
	m := math.Pow(10, digits)
	return math.Round(x*m) / m
}

// ContentHash is the SHA-256 (hex) of the canonical JSON of the public
// content. It is what the public log records for a published revision.
func (p *PublicIncident) ContentHash() string {
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TitleIn returns the title in locale, and whether a translation was used.
func (p *PublicIncident) TitleIn(locale string) (string, bool) {
	if t, ok := p.Translations[locale]; ok && t.Title != "" {
		return t.Title, true
	}
	return p.Title, locale == "en"
}

// SummaryIn returns the summary in locale, falling back to English.
func (p *PublicIncident) SummaryIn(locale string) string {
	if t, ok := p.Translations[locale]; ok && t.Summary != "" {
		return t.Summary
	}
	return p.Summary
}

// BodyIn returns the body in locale, falling back to English.
func (p *PublicIncident) BodyIn(locale string) string {
	if t, ok := p.Translations[locale]; ok && t.Body != "" {
		return t.Body
	}
	return p.Body
}

// Persons counts person targets in the public view.
func (p *PublicIncident) Persons() int {
	inc := Incident{Violations: p.Violations}
	return inc.Persons()
}

// Categories returns the distinct category codes of the incident's violations.
func (p *PublicIncident) Categories() []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range p.Violations {
		if !seen[v.Category] {
			seen[v.Category] = true
			out = append(out, v.Category)
		}
	}
	return out
}
