package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
)

// IncidentCSV builds the cells of one row of the incidents-shape CSV
// export (/incidents.csv) that depend only on the published record and the
// category families: every column from status to demo. The export adds
// ref, url (the request's base URL) and snapshot_at (the export's time)
// around them. The store builds them at publish time and keeps them
// encoded beside the document; the web export builds them from the
// document when a stored row is missing or was built with other families.
// Buffers are reused from row to row: the returned slice is only valid
// until the next call.
type IncidentCSV struct {
	cats, fams, actors, attrs, kinds, roles, genders, urls []string
	rec                                                    []string
}

// Cells returns the cells of p, status to demo; family gives the family of
// a category code (VocabSet.Family).
func (b *IncidentCSV) Cells(p *PublicIncident, family func(category string) string) []string {
	b.cats, b.fams, b.actors, b.attrs = b.cats[:0], b.fams[:0], b.actors[:0], b.attrs[:0]
	b.kinds, b.roles, b.genders, b.urls = b.kinds[:0], b.roles[:0], b.genders[:0], b.urls[:0]
	for _, v := range p.Violations {
		b.cats = appendDistinct(b.cats, v.Category, true)
		b.fams = appendDistinct(b.fams, family(v.Category), false)
		for _, a := range v.Actors {
			b.actors = appendDistinct(b.actors, a.Type, false)
			b.attrs = appendDistinct(b.attrs, a.Attribution, false)
		}
		for _, t := range v.Targets {
			b.kinds = appendDistinct(b.kinds, t.Kind, false)
			b.roles = appendDistinct(b.roles, t.Role, false)
			b.genders = appendDistinct(b.genders, t.Gender, false)
		}
	}
	for _, src := range p.Sources {
		b.urls = appendDistinct(b.urls, src.URL, false)
	}
	coord := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	j := func(v []string) string { return strings.Join(v, CSVMultiValueDelimiter) }
	b.rec = append(b.rec[:0],
		p.Status, CSVText(p.Title), p.DateStart, p.DateEnd, p.DatePrecision,
		p.Country, p.Admin1, CSVText(p.District), CSVText(p.City), coord(p.Lat), coord(p.Lon), p.LocationPrecision,
		p.Verification, p.WorkRelated, j(b.cats), j(b.fams), j(b.actors), j(b.attrs),
		j(b.kinds), j(b.roles), j(b.genders), strconv.Itoa(p.Persons()), j(p.Tags), j(b.urls),
		ts(p.FirstPublishedAt), ts(p.UpdatedAt), strconv.Itoa(p.Revision), strconv.FormatBool(p.Demo),
	)
	return b.rec
}

// CSVMultiValueDelimiter joins several values in one CSV cell.
const CSVMultiValueDelimiter = "|"

// appendDistinct appends v unless list has it; the empty value only when
// keepEmpty (categories keep it, as PublicIncident.Categories does).
func appendDistinct(list []string, v string, keepEmpty bool) []string {
	if (v == "" && !keepEmpty) || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// CSVText keeps free text from being read as a formula by spreadsheets: a
// leading =, +, - or @ (or tab, carriage return) gets a leading apostrophe.
func CSVText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// FamiliesFingerprint identifies the category families a CSV row was built
// with: families maps every category code of the vocabulary to its family
// ("" reads as "other", like VocabSet.Family). Two vocabularies with the
// same fingerprint give every incident the same cells.
func FamiliesFingerprint(families map[string]string) string {
	codes := make([]string, 0, len(families))
	for c := range families {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	h := sha256.New()
	for _, c := range codes {
		f := families[c]
		if f == "" || f == "other" {
			continue // the same as an unknown code
		}
		h.Write([]byte(c))
		h.Write([]byte{0})
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// FamilyByCategory is the category-to-family map of a vocabulary, the
// input of FamiliesFingerprint.
func (s VocabSet) FamilyByCategory() map[string]string {
	m := make(map[string]string, len(s[VocabCategory]))
	for code, t := range s[VocabCategory] {
		m[code] = t.Family
	}
	return m
}
