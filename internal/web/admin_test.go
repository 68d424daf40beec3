package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
)

// incidentForm returns a valid form for a new incident with two violations.
func validIncidentForm() url.Values {
	return url.Values{
		"title": {"Two reporters detained in Quetta"}, "summary": {"Police held two reporters overnight."},
		"body": {"Both were released on bail."}, "date_precision": {"day"}, "date_start": {"2024-05-02"},
		"country": {"PK"}, "admin1": {"PK-BA"}, "city": {"Quetta"}, "location_precision": {"city"},
		"public_location_precision": {"admin1"}, "verification": {"corroborated"}, "work_related": {"confirmed"},
		"sensitivity": {"normal"}, "version": {"0"}, "note": {"first draft"},
		"n_violations":          {"3"},
		"violations.0.category": {"arrest_detention"}, "violations.0.n_targets": {"2"}, "violations.0.n_actors": {"1"},
		"violations.0.targets.0.kind": {"person"}, "violations.0.targets.0.name": {"Imaginary Reporter One"},
		"violations.0.targets.0.role": {"reporter"}, "violations.0.targets.0.gender": {"woman"},
		"violations.0.targets.1.kind": {"person"}, "violations.0.targets.1.name": {""},
		"violations.0.actors.0.type": {"police"}, "violations.0.actors.0.attribution": {"confirmed"},
		"violations.1.category": {"equipment_seizure"}, "violations.1.n_targets": {"1"},
		"violations.1.targets.0.kind": {"person"}, "violations.1.targets.0.name": {"Imaginary Reporter Two"},
		"violations.2.category": {""}, // the empty row the form always shows
		"n_sources":             {"2"}, "sources.0.kind": {"news_report"}, "sources.0.url": {"https://news.example/a"},
		"sources.0.visibility": {"public"}, "sources.1.kind": {""}, "sources.1.visibility": {"public"},
		"n_timeline": {"1"}, "timeline.0.date": {"2024-05-03"}, "timeline.0.text": {"Released on bail."},
	}
}

var reLocationID = regexp.MustCompile(`^/admin/incidents/(\d+)\?ok=saved$`)

func TestIncidentWorkflowThroughForms(t *testing.T) {
	e := MustEnv(t)
	ed, ed2, rev := e.client(), e.client(), e.client()
	ed.login("editor")
	ed2.login("editor2")
	rev.login("reviewer")

	r := ed.submit("/admin/incidents/new", "/admin/incidents/new", validIncidentForm())
	m := reLocationID.FindStringSubmatch(r.header.Get("Location"))
	if r.status != 303 || m == nil {
		t.Fatalf("create: %d %s %s", r.status, r.header.Get("Location"), excerpt(r.body))
	}
	id := m[1]
	base := "/admin/incidents/" + id
	inc, err := e.svc.FindIncident(context.Background(), e.users["admin"].u, atoi64(id))
	if err != nil {
		t.Fatal(err)
	}
	if len(inc.Violations) != 2 || len(inc.Violations[0].Targets) != 1 || len(inc.Sources) != 1 || len(inc.Timeline) != 1 {
		t.Fatalf("saved %d violations, %d targets, %d sources, %d updates", len(inc.Violations), len(inc.Violations[0].Targets), len(inc.Sources), len(inc.Timeline))
	}
	// Reviewers cannot edit or submit; the buttons are hidden and the routes refuse.
	if r := rev.get(base); r.status != 200 || strings.Contains(r.body, "/submit") || strings.Contains(r.body, "/edit") {
		t.Fatalf("reviewer view: %d", r.status)
	}
	if r := rev.submit(base, base+"/submit", url.Values{"version": {"1"}}); r.status != http.StatusForbidden {
		t.Fatalf("reviewer submit: %d", r.status)
	}
	if r := ed.submit(base, base+"/submit", url.Values{"version": {"1"}}); r.status != 303 {
		t.Fatalf("submit: %d %s", r.status, excerpt(r.body))
	}
	inc, _ = e.svc.FindIncident(context.Background(), e.users["admin"].u, inc.ID)
	ver := url.Values{"version": {itoa(inc.Version)}}
	// The author cannot publish without another person's approval.
	if r := ed.submit(base, base+"/publish", ver); r.status != http.StatusForbidden {
		t.Fatalf("publish without approval: %d", r.status)
	}
	if r := rev.submit(base, base+"/approve", url.Values{"version": {itoa(inc.Version)}, "text": {"checked"}}); r.status != 303 {
		t.Fatalf("approve: %d %s", r.status, excerpt(r.body))
	}
	// A reviewer cannot publish, even approved.
	if r := rev.submit(base, base+"/publish", ver); r.status != http.StatusForbidden {
		t.Fatalf("reviewer publish: %d", r.status)
	}
	if r := ed.get(base); !strings.Contains(r.body, base+"/publish") {
		t.Fatal("no publish button after another person's approval")
	}
	if r := ed.submit(base, base+"/publish", ver); r.status != 303 {
		t.Fatalf("publish: %d %s", r.status, excerpt(r.body))
	}
	pub := e.client()
	if r := pub.get("/incidents"); !strings.Contains(r.body, "Two reporters detained in Quetta") {
		t.Fatalf("not listed: %s", excerpt(r.body))
	}
	var page IncidentsJSON
	if err := json.Unmarshal([]byte(pub.get("/incidents.json?country=PK").body), &page); err != nil || page.Total != 1 {
		t.Fatalf("json: %v %+v", err, page)
	}
	rows, err := csv.NewReader(strings.NewReader(pub.get("/incidents.csv?category=equipment_seizure").body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != inc.Ref || !strings.Contains(rows[1][16], "arrest_detention|equipment_seizure") {
		t.Fatalf("csv: %v %q", err, rows)
	}
	// Withdraw with a reason: the public page says so.
	if r := ed.submit(base, base+"/withdraw", url.Values{"text": {"Facts could not be confirmed."}}); r.status != 303 {
		t.Fatalf("withdraw: %d %s", r.status, excerpt(r.body))
	}
	if r := pub.get("/incidents/" + inc.Ref); !strings.Contains(r.body, "withdrawn") || !strings.Contains(r.body, "Facts could not be confirmed.") {
		t.Fatalf("withdrawn page: %s", excerpt(r.body))
	}
	// Revisions and a diff.
	if r := ed.get(base + "/revisions?a=1&b=" + itoa(inc.Version)); r.status != 200 {
		t.Fatalf("diff: %d %s", r.status, excerpt(r.body))
	}
}

func TestIncidentFormBadInputSavesNothing(t *testing.T) {
	e := MustEnv(t)
	ed := e.client()
	ed.login("editor")
	tests := []struct {
		name  string
		edit  func(url.Values)
		field string
		msg   string
	}{
		{"missing title", func(v url.Values) { v.Set("title", " ") }, "title", "A title is required."},
		{"invalid date", func(v url.Values) { v.Set("date_start", "2024-13-45") }, "date_start", "Use a date such as 2024-03-15."},
		{"unknown category", func(v url.Values) { v.Set("violations.1.category", "made_up") }, "violations.1.category", "Choose a category."},
		{"unknown actor type", func(v url.Values) { v.Set("violations.0.actors.0.type", "aliens") }, "violations.0.actors.0.type", "Choose an actor type."},
		{"latitude not a number", func(v url.Values) { v.Set("lat", "north"); v.Set("lon", "74") }, "lat", "Latitude must be a number"},
		{"bad source url", func(v url.Values) { v.Set("sources.0.url", "javascript:alert(1)") }, "sources.0.url", "Use a full http:// or https:// address."},
		{"no violation", func(v url.Values) { v.Set("n_violations", "0") }, "violations.0.category", "Add at least one violation."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validIncidentForm()
			tt.edit(f)
			r := ed.submit("/admin/incidents/new", "/admin/incidents/new", f)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d: %s", r.status, excerpt(r.body))
			}
			// The message sits in the field's own block, after its input.
			i := strings.Index(r.body, `name="`+tt.field+`"`)
			if i < 0 {
				t.Fatalf("field %s not rendered", tt.field)
			}
			rest := r.body[i:]
			if end := strings.Index(rest, `<div class="field`); end > 0 {
				rest = rest[:end]
			}
			if !strings.Contains(rest, "field-error") || !strings.Contains(rest, tt.msg) {
				t.Fatalf("no message %q at %s: %s", tt.msg, tt.field, rest)
			}
			// The user's input is kept.
			if !strings.Contains(r.body, `value="Quetta"`) {
				t.Error("input lost on re-render")
			}
			if n := e.incidentCount(); n != 0 {
				t.Fatalf("%d incidents saved", n)
			}
		})
	}
}

func TestAddAnotherRowWithoutJavaScript(t *testing.T) {
	e := MustEnv(t)
	ed := e.client()
	ed.login("editor")
	tests := []struct{ add, want string }{
		{"violation", `name="violations.3.category"`},
		{"target.1", `name="violations.1.targets.2.name"`},
		{"actor.0", `name="violations.0.actors.2.type"`},
		{"source", `name="sources.2.url"`},
		{"timeline", `name="timeline.2.date"`},
	}
	for _, tt := range tests {
		t.Run(tt.add, func(t *testing.T) {
			f := validIncidentForm()
			f.Set("add", tt.add)
			f.Set("title", "") // invalid, but adding a row does not validate
			r := ed.submit("/admin/incidents/new", "/admin/incidents/new", f)
			if r.status != 200 || !strings.Contains(r.body, tt.want) || strings.Contains(r.body, "field-error") {
				t.Fatalf("status %d, want %s: %s", r.status, tt.want, excerpt(r.body))
			}
			if n := e.incidentCount(); n != 0 {
				t.Fatalf("adding a row saved %d incidents", n)
			}
		})
	}
}

func TestStaleEditIsAConflict(t *testing.T) {
	e := MustEnv(t)
	ed := e.client()
	ed.login("editor")
	r := ed.submit("/admin/incidents/new", "/admin/incidents/new", validIncidentForm())
	m := reLocationID.FindStringSubmatch(r.header.Get("Location"))
	if m == nil {
		t.Fatalf("create: %d", r.status)
	}
	edit := "/admin/incidents/" + m[1] + "/edit"
	f := validIncidentForm()
	f.Set("version", "1")
	if r := ed.submit(edit, edit, f); r.status != 303 {
		t.Fatalf("first edit: %d %s", r.status, excerpt(r.body))
	}
	f.Set("title", "Someone else's old copy")
	if r := ed.submit(edit, edit, f); r.status != http.StatusConflict {
		t.Fatalf("stale edit: %d", r.status)
	}
}

func TestObjectRoutesAnswerNotFound(t *testing.T) {
	e := MustEnv(t)
	c := e.client()
	c.login("reviewer")
	for _, p := range []string{"/admin/incidents/424242", "/admin/incidents/424242/revisions", "/admin/incidents/x"} {
		if r := c.get(p); r.status != 404 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	if r := c.get("/admin/users"); r.status != http.StatusForbidden {
		t.Errorf("reviewer on users: %d", r.status)
	}
}

func TestAdminCreatesUserWithOneTimePassword(t *testing.T) {
	e := MustEnv(t)
	a := e.client()
	a.login("admin")
	r := a.submit("/admin/users", "/admin/users", url.Values{"email": {"new@example.org"}, "name": {"New"}, "role": {"editor"}})
	if r.status != 200 || !strings.Contains(r.body, "one-time password") {
		t.Fatalf("create user: %d %s", r.status, excerpt(r.body))
	}
	r = a.submit("/admin/users", "/admin/users", url.Values{"email": {"not an address"}, "role": {"editor"}})
	if r.status != 400 || !strings.Contains(r.body, "Use a valid e-mail address.") {
		t.Fatalf("bad user: %d", r.status)
	}
	users, _ := e.svc.ListUsers(context.Background(), e.users["admin"].u)
	if len(users) != 5 {
		t.Fatalf("%d users", len(users))
	}
	for _, p := range []string{"/admin/users", "/admin/vocab", "/admin/audit"} {
		if r := a.get(p); r.status != 200 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	e := MustEnv(t)
	one, two := e.client(), e.client()
	one.login("reviewer")
	two.login("reviewer")
	r := one.submit("/admin/password", "/admin/password", url.Values{"old": {testPassword}, "new": {"another long password"}, "confirm": {"another long password"}})
	if r.status != 303 {
		t.Fatalf("change: %d %s", r.status, excerpt(r.body))
	}
	if r := one.get("/admin/incidents"); r.status != 200 {
		t.Fatalf("this session: %d", r.status)
	}
	if r := two.get("/admin/incidents"); r.status != 303 {
		t.Fatalf("other session still alive: %d", r.status)
	}
}

func atoi64(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

var _ = domain.ENOTFOUND
