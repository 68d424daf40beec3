package web

import (
	"net/url"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
)

func TestParseIncidentFormDropsEmptyRows(t *testing.T) {
	inc := &domain.Incident{ID: 7, Ref: "PK-2024-0007"}
	f := parseIncidentForm(validIncidentForm(), inc)
	if len(f.Problems) != 0 {
		t.Fatalf("problems: %v", f.Problems)
	}
	if inc.ID != 7 || inc.Ref != "PK-2024-0007" {
		t.Error("fields the form does not own were changed")
	}
	if len(inc.Violations) != 2 || len(inc.Violations[0].Targets) != 1 || len(inc.Sources) != 1 {
		t.Fatalf("rows: %+v", inc.Violations)
	}
}

// FuzzParseIncidentForm: any posted form parses without panicking, and at
// most maxRows rows of each list are read.
func FuzzParseIncidentForm(f *testing.F) {
	f.Add(validIncidentForm().Encode())
	f.Add("n_violations=99999999&violations.0.n_actors=-1&lat=NaN&lon=1e999")
	f.Add("violations.0.details.detention_status=2024-01-01+detained%0Abad&n_violations=1")
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		inc := &domain.Incident{}
		parseIncidentForm(v, inc)
		if len(inc.Violations) > maxRows || len(inc.Sources) > maxRows || len(inc.Timeline) > maxRows {
			t.Fatal("too many rows")
		}
		padRows(inc, v.Get("add"))
	})
}
