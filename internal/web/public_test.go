package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
)

func TestPublicPages(t *testing.T) {
	e := MustEnv(t)
	ref := e.mustPublished(sampleIncident("Reporter beaten in Lahore"))
	inc := sampleIncident("Website of a weekly blocked")
	inc.Country, inc.Admin1, inc.City = "IN", "", ""
	inc.Violations = []domain.Violation{{Category: "website_blocked", Details: domain.ViolationDetails{Domain: "weekly.example", BlockMethod: "dns"},
		Targets: []domain.Target{{Kind: domain.TargetWebsite, Name: "Weekly", URL: "https://weekly.example"}}}}
	e.mustPublished(inc)
	c := e.client()
	tests := []struct {
		name, path string
		want       []string
		not        []string
	}{
		{"home", "/", []string{"Reporter beaten in Lahore", `class="num">2<`}, nil},
		{"list", "/incidents", []string{"2 incidents", "Reporter beaten in Lahore", "Website of a weekly blocked"}, nil},
		{"filter", "/incidents?country=IN", []string{"1 incident", "Website of a weekly blocked", `class="chip"`}, []string{"Reporter beaten"}},
		{"category", "/incidents?category=physical_assault", []string{"Reporter beaten in Lahore"}, []string{"weekly blocked"}},
		{"show", "/incidents/" + ref, []string{"Reporter beaten in Lahore", "March 2024", "Lahore", "Fictional Reporter", "Police", "suspected", "<strong>beaten</strong>"}, nil},
		{"urdu", "/ur/incidents/" + ref, []string{`dir="rtl"`, `lang="ur"`, "مارچ 2024", "پولیس"}, nil},
		{"hindi", "/hi/", []string{`lang="hi"`, "प्रेस"}, nil},
		{"lang param", "/incidents?lang=hi", []string{`lang="hi"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.get(tt.path)
			if r.status != 200 {
				t.Fatalf("status %d", r.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(r.body, w) {
					t.Errorf("unexpected %q", w)
				}
			}
		})
	}
	var p domain.PublicIncident
	if r := c.get("/incidents/" + ref + ".json"); r.status != 200 || json.Unmarshal([]byte(r.body), &p) != nil || p.Ref != ref {
		t.Fatalf("incident json: %d %s", r.status, r.body)
	}
	if r := c.get("/incidents?from=soon&page=0"); r.status != 400 || !strings.Contains(r.body, "Use a date such as 2024-03-15.") {
		t.Fatalf("bad filter: %d", r.status)
	}
	// A parameter the form has no field for is named above the results.
	if r := c.get("/ur/incidents?year=abc&sort=best"); r.status != 400 || !strings.Contains(r.body, "<code>year</code>: ") ||
		!strings.Contains(r.body, "<code>sort</code>: Sort by date, oldest, updated or relevance.") {
		t.Fatalf("bad year and sort: %d %s", r.status, excerpt(r.body))
	}
}

func TestProtectedNameNeverPublic(t *testing.T) {
	e := MustEnv(t)
	inc := sampleIncident("Threats against a reporter")
	inc.Sensitivity = domain.SensitivityProtectIdentity
	inc.Violations[0].Targets[0].Name = "Secret Victim Name"
	ref := e.mustPublished(inc)
	c := e.client()
	for _, p := range []string{"/incidents/" + ref, "/incidents/" + ref + ".json", "/incidents.csv", "/incidents.json", "/incidents?q=Secret"} {
		if r := c.get(p); strings.Contains(r.body, "Secret Victim Name") {
			t.Errorf("%s shows the protected name", p)
		}
	}
}

func TestXSSIsEscaped(t *testing.T) {
	e := MustEnv(t)
	inc := sampleIncident(`<script>alert("title")</script>`)
	inc.Summary = `<img src=x onerror=alert(1)>`
	inc.Body = "Text <script>alert('body')</script> [link](javascript:alert(1)) <iframe src=//evil.example></iframe>"
	inc.Violations[0].Targets[0].Name = `"><svg onload=alert(1)>`
	ref := e.mustPublished(inc)
	c := e.client()
	for _, p := range []string{"/", "/incidents", "/incidents/" + ref, "/ur/incidents/" + ref} {
		r := c.get(p)
		for _, bad := range []string{"<script>alert", "<img src=x", "<svg onload", "javascript:alert", "<iframe"} {
			if strings.Contains(r.body, bad) {
				t.Errorf("%s contains %q", p, bad)
			}
		}
	}
	admin := e.client()
	admin.login("admin")
	r := admin.get("/admin/incidents")
	if strings.Contains(r.body, "<script>alert") {
		t.Error("back-office list is not escaped")
	}
}
