package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// maxRows bounds every repeated part of the incident form.
const maxRows = 50

// incidentForm is the back-office incident form as posted: every field of
// the incident, repeated rows named like Validate's field names
// (violations.0.actors.1.type), and the "add" button that was pressed, if
// any (violation, source, timeline, actor.N, target.N).
type incidentForm struct {
	values   url.Values
	Add      string
	Note     string
	Version  int
	LatRaw   string
	LonRaw   string
	Problems map[string]string
}

// parseIncidentForm reads the posted form into inc, replacing every field
// the form edits and keeping the others (ids, ref, state). Rows left empty
// are dropped. Problems are values that cannot even be read (a latitude
// that is not a number); everything else is for inc.Validate.
func parseIncidentForm(v url.Values, inc *domain.Incident) *incidentForm {
	f := &incidentForm{values: v, Problems: map[string]string{}}
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	f.Add = g("add")
	f.Note = g("note")
	if ver := g("version"); ver != "" {
		n, err := strconv.Atoi(ver)
		if err != nil {
			f.Problems["version"] = "The form is damaged; reload the page."
		}
		f.Version = n
		inc.Version = n
	}
	inc.Title = g("title")
	inc.Summary = g("summary")
	inc.Body = strings.ReplaceAll(v.Get("body"), "\r\n", "\n")
	inc.DateStart, inc.DateEnd, inc.DatePrecision = g("date_start"), g("date_end"), g("date_precision")
	inc.Country, inc.Admin1, inc.District, inc.City = g("country"), g("admin1"), g("district"), g("city")
	f.LatRaw, f.LonRaw = g("lat"), g("lon")
	inc.Lat, inc.Lon = f.float("lat", f.LatRaw, "Latitude must be a number, such as 31.52."), f.float("lon", f.LonRaw, "Longitude must be a number, such as 74.35.")
	inc.LocationPrecision, inc.PublicLocationPrecision = g("location_precision"), g("public_location_precision")
	inc.Verification, inc.WorkRelated, inc.Sensitivity = g("verification"), g("work_related"), g("sensitivity")
	inc.EmbargoUntil = g("embargo_until")
	if inc.Sensitivity != domain.SensitivityEmbargoed {
		inc.EmbargoUntil = ""
	}
	inc.Tags = splitList(g("tags"))
	inc.Related = splitList(g("related"))

	inc.Violations = nil
	for i := 0; i < count(v, "n_violations"); i++ {
		p := fmt.Sprintf("violations.%d.", i)
		vi := domain.Violation{Category: g(p + "category"), Description: g(p + "description")}
		for j := 0; j < count(v, p+"n_actors"); j++ {
			ap := fmt.Sprintf("%sactors.%d.", p, j)
			a := domain.Actor{Type: g(ap + "type"), Name: g(ap + "name"), Attribution: g(ap + "attribution")}
			if a.Type != "" || a.Name != "" {
				vi.Actors = append(vi.Actors, a)
			}
		}
		for j := 0; j < count(v, p+"n_targets"); j++ {
			tp := fmt.Sprintf("%stargets.%d.", p, j)
			t := domain.Target{Kind: g(tp + "kind"), Name: g(tp + "name"), NameWithheld: v.Get(tp+"name_withheld") != "",
				Gender: g(tp + "gender"), Role: g(tp + "role"), Employment: g(tp + "employment"),
				Foreign: v.Get(tp+"foreign") != "", Outlet: g(tp + "outlet"), URL: g(tp + "url")}
			if t.Name != "" || t.NameWithheld || t.Outlet != "" || t.URL != "" || t.Role != "" || t.Gender != "" {
				vi.Targets = append(vi.Targets, t)
			}
		}
		d := &vi.Details
		dp := p + "details."
		d.Charges = g(dp + "charges")
		d.Domain = g(dp + "domain")
		d.ISPs = splitList(g(dp + "isps"))
		d.BlockMethod = g(dp + "block_method")
		d.MeasurementURLs = splitLines(v.Get(dp + "measurement_urls"))
		d.ContentURL = g(dp + "content_url")
		d.RemovedOn = g(dp + "removed_on")
		d.Restored = v.Get(dp+"restored") != ""
		d.CaptureBefore = f.int64(dp+"capture_before", g(dp+"capture_before"))
		d.CaptureAfter = f.int64(dp+"capture_after", g(dp+"capture_after"))
		for _, line := range splitLines(v.Get(dp + "detention_status")) {
			date, status, _ := strings.Cut(line, " ")
			d.DetentionStatus = append(d.DetentionStatus, domain.StatusChange{Date: date, Status: strings.TrimSpace(status)})
		}
		if vi.Category != "" || vi.Description != "" || len(vi.Actors) > 0 || len(vi.Targets) > 0 || !detailsEmpty(vi.Details) {
			inc.Violations = append(inc.Violations, vi)
		}
	}
	inc.Sources = nil
	for i := 0; i < count(v, "n_sources"); i++ {
		p := fmt.Sprintf("sources.%d.", i)
		s := domain.Source{Kind: g(p + "kind"), Title: g(p + "title"), URL: g(p + "url"), Publisher: g(p + "publisher"),
			Date: g(p + "date"), Visibility: g(p + "visibility"), CaptureID: f.int64(p+"capture_id", g(p+"capture_id"))}
		if s.Title != "" || s.URL != "" || s.Publisher != "" || s.Date != "" {
			inc.Sources = append(inc.Sources, s)
		}
	}
	inc.Timeline = nil
	for i := 0; i < count(v, "n_timeline"); i++ {
		p := fmt.Sprintf("timeline.%d.", i)
		u := domain.Update{Date: g(p + "date"), Text: g(p + "text")}
		if u.Date != "" || u.Text != "" {
			inc.Timeline = append(inc.Timeline, u)
		}
	}
	inc.Translations = nil
	for _, loc := range domain.Locales {
		if loc == "en" {
			continue
		}
		p := "translations." + loc + "."
		t := domain.Translation{Title: g(p + "title"), Summary: g(p + "summary"), Body: strings.ReplaceAll(v.Get(p+"body"), "\r\n", "\n")}
		if t != (domain.Translation{}) {
			if inc.Translations == nil {
				inc.Translations = map[string]domain.Translation{}
			}
			inc.Translations[loc] = t
		}
	}
	return f
}

func detailsEmpty(d domain.ViolationDetails) bool {
	return d.Charges == "" && d.Domain == "" && len(d.ISPs) == 0 && d.BlockMethod == "" && len(d.MeasurementURLs) == 0 &&
		d.ContentURL == "" && d.RemovedOn == "" && !d.Restored && d.CaptureBefore == 0 && d.CaptureAfter == 0 &&
		len(d.DetentionStatus) == 0
}

func (f *incidentForm) float(name, raw, msg string) *float64 {
	if raw == "" {
		return nil
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
	if err != nil {
		f.Problems[name] = msg
		return nil
	}
	return &x
}

func (f *incidentForm) int64(name, raw string) int64 {
	if raw == "" {
		return 0
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		f.Problems[name] = "Use a capture number."
		return 0
	}
	return n
}

// count reads a row count, bounded by maxRows.
func count(v url.Values, name string) int {
	n, err := strconv.Atoi(v.Get(name))
	if err != nil || n < 0 {
		return 0
	}
	return min(n, maxRows)
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func splitLines(s string) []string {
	var out []string
	for _, x := range strings.Split(s, "\n") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// padRows adds the empty rows the form always shows (one of each list,
// plus one more of whatever "add" asked for), so several violations,
// targets, actors, sources and updates can be entered without JavaScript.
func padRows(inc *domain.Incident, add string) {
	extra := func(what string) int {
		if add == what {
			return 2
		}
		return 1
	}
	for i := 0; i < extra("violation"); i++ {
		inc.Violations = append(inc.Violations, domain.Violation{})
	}
	for i := range inc.Violations {
		vi := &inc.Violations[i]
		for k := 0; k < extra(fmt.Sprintf("actor.%d", i)); k++ {
			vi.Actors = append(vi.Actors, domain.Actor{Attribution: domain.AttributionUnknown})
		}
		for k := 0; k < extra(fmt.Sprintf("target.%d", i)); k++ {
			vi.Targets = append(vi.Targets, domain.Target{})
		}
	}
	for i := 0; i < extra("source"); i++ {
		inc.Sources = append(inc.Sources, domain.Source{Visibility: domain.VisibilityPublic})
	}
	for i := 0; i < extra("timeline"); i++ {
		inc.Timeline = append(inc.Timeline, domain.Update{})
	}
}
