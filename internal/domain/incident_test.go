package domain_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

func vocab() domain.VocabSet { return domain.NewVocabSet(domain.DefaultTerms()) }

// validIncident returns an incident that passes Validate.
func validIncident() *domain.Incident {
	lat, lon := 31.52041, 74.35872
	inc := &domain.Incident{
		Ref: "PK-2024-0001", Title: "Reporter detained", DateStart: "2024-03-05", DatePrecision: "day",
		Country: "PK", Admin1: "PK-PB", City: "Lahore", District: "Lahore", Lat: &lat, Lon: &lon,
		LocationPrecision: "exact", PublicLocationPrecision: "city",
		Violations: []domain.Violation{{
			Category: "arrest_detention",
			Actors:   []domain.Actor{{Type: "police", Attribution: "confirmed"}},
			Targets:  []domain.Target{{Kind: "person", Name: "A. Reporter", Gender: "woman", Role: "reporter"}},
		}},
		Sources: []domain.Source{
			{Kind: "news_report", URL: "https://example.org/a", Visibility: "public"},
			{Kind: "testimony", Title: "Call with family", Visibility: "internal"},
		},
	}
	inc.Normalize()
	return inc
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*domain.Incident)
		fields []string
	}{
		{"valid", func(*domain.Incident) {}, nil},
		{"no title", func(i *domain.Incident) { i.Title = " " }, []string{"title"}},
		{"bad date", func(i *domain.Incident) { i.DateStart = "2024-13-45" }, []string{"date_start"}},
		{"month precision accepts month", func(i *domain.Incident) { i.DatePrecision, i.DateStart = "month", "2024-03" }, nil},
		{"end before start", func(i *domain.Incident) { i.DateEnd = "2024-01-01" }, []string{"date_end"}},
		{"bad country", func(i *domain.Incident) { i.Country = "Pakistan" }, []string{"country", "admin1"}},
		{"admin1 of other country", func(i *domain.Incident) { i.Admin1 = "IN-DL" }, []string{"admin1"}},
		{"public more precise", func(i *domain.Incident) { i.LocationPrecision, i.PublicLocationPrecision = "city", "exact" }, []string{"public_location_precision"}},
		{"unknown category", func(i *domain.Incident) { i.Violations[0].Category = "nope" }, []string{"violations.0.category"}},
		{"no violations", func(i *domain.Incident) { i.Violations = nil }, []string{"violations.0.category"}},
		{"unknown actor", func(i *domain.Incident) { i.Violations[0].Actors[0].Type = "aliens" }, []string{"violations.0.actors.0.type"}},
		{"unnamed target", func(i *domain.Incident) { i.Violations[0].Targets[0].Name = "" }, []string{"violations.0.targets.0.name"}},
		{"bad source url", func(i *domain.Incident) { i.Sources[0].URL = "javascript:alert(1)" }, []string{"sources.0.url"}},
		{"embargo without date", func(i *domain.Incident) { i.Sensitivity = "embargoed" }, []string{"embargo_until"}},
		{"lat without lon", func(i *domain.Incident) { i.Lon = nil }, []string{"lat"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc := validIncident()
			tt.edit(inc)
			err := inc.Validate(vocab())
			got := domain.ErrorFields(err)
			if len(tt.fields) == 0 {
				if err != nil {
					t.Fatalf("unexpected error %v %v", err, got)
				}
				return
			}
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("code %q, want invalid", domain.ErrorCode(err))
			}
			for _, f := range tt.fields {
				if got[f] == "" {
					t.Errorf("no message for %s; got %v", f, got)
				}
			}
		})
	}
}

func TestPublicViewRedacts(t *testing.T) {
	inc := validIncident()
	inc.Sensitivity = domain.SensitivityProtectIdentity
	p := inc.PublicView(time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC))
	if got := p.Violations[0].Targets[0]; got.Name != "" || !got.NameWithheld {
		t.Errorf("protected name published: %+v", got)
	}
	if inc.Violations[0].Targets[0].Name == "" {
		t.Error("PublicView changed the working copy")
	}
	if len(p.Sources) != 1 || p.Sources[0].Visibility != "public" {
		t.Errorf("internal source published: %+v", p.Sources)
	}
	if *p.Lat != 31.5 || *p.Lon != 74.4 {
		t.Errorf("city precision should round to 0.1°, got %v %v", *p.Lat, *p.Lon)
	}
	inc.PublicLocationPrecision = "admin1"
	p = inc.PublicView(time.Now())
	if p.City != "" || p.District != "" || p.Lat != nil || p.Admin1 != "PK-PB" {
		t.Errorf("admin1 precision leaks: %+v", p)
	}
	if p.ContentHash() == "" || p.ContentHash() != p.ContentHash() {
		t.Error("content hash must be stable")
	}
}

func TestParseIncidentFilter(t *testing.T) {
	tests := []struct {
		query   string
		want    domain.IncidentFilter
		problem string
	}{
		{"", domain.IncidentFilter{Page: 1, PerPage: 25, Sort: "date"}, ""},
		{"country=pk&country=IN,PK&category=abduction", domain.IncidentFilter{Country: []string{"PK", "IN"}, Category: []string{"abduction"}, Page: 1, PerPage: 25, Sort: "date"}, ""},
		{"from=2024&to=2024-02", domain.IncidentFilter{From: "2024-01-01", To: "2024-02-29", Page: 1, PerPage: 25, Sort: "date"}, ""},
		{"q=%22AND+(", domain.IncidentFilter{Q: `"AND (`, Page: 1, PerPage: 25, Sort: "relevance"}, ""},
		{"from=yesterday", domain.IncidentFilter{}, "from"},
		{"page=0", domain.IncidentFilter{}, "page"},
		{"year=abc", domain.IncidentFilter{}, "year"},
		{"sort=random", domain.IncidentFilter{}, "sort"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			f, err := domain.ParseIncidentFilter(q)
			if tt.problem != "" {
				if domain.ErrorFields(err)[tt.problem] == "" {
					t.Fatalf("want a problem with %s, got %v", tt.problem, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f, tt.want) {
				t.Fatalf("got %+v\nwant %+v", f, tt.want)
			}
			// Values round-trips through the parser.
			again, err := domain.ParseIncidentFilter(f.Values())
			if err != nil || !reflect.DeepEqual(again, f) {
				t.Fatalf("round trip: %+v %v", again, err)
			}
		})
	}
}

func TestTransition(t *testing.T) {
	if to, err := domain.Transition("draft", "submit"); err != nil || to != "in_review" {
		t.Fatalf("submit: %v %v", to, err)
	}
	if _, err := domain.Transition("draft", "publish"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("publishing a draft must conflict, got %v", err)
	}
	if _, err := domain.Transition("published", "teleport"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("unknown action: %v", err)
	}
}

func TestErrorMessageHidesInternalErrors(t *testing.T) {
	if m := domain.ErrorMessage(errorString("pq: relation users does not exist")); strings.Contains(m, "pq") {
		t.Fatalf("internal text leaked: %s", m)
	}
	if m := domain.ErrorMessage(domain.Errorf(domain.ENOTFOUND, "No such incident.")); m != "No such incident." {
		t.Fatal(m)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func FuzzParseIncidentFilter(f *testing.F) {
	for _, s := range []string{"", "country=PK&q=x", "from=2024&to=2023", "q=%00%ff", "page=-1", "year=2024,2025"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		fl, err := domain.ParseIncidentFilter(q)
		if err == nil && (fl.Page < 1 || fl.PerPage < 1 || fl.PerPage > 500) {
			t.Fatalf("bad paging %+v", fl)
		}
	})
}
