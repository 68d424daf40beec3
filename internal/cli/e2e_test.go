package cli_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pquerna/otp/totp"

	"github.com/presswatch/presswatch/internal/cli"
	"github.com/presswatch/presswatch/internal/store"
)

// instance is a real `presswatch serve` started by a test on port 0.
type instance struct {
	t       *testing.T
	base    string
	dataDir string
	dbArgs  []string
	done    chan int
}

// engines returns the --database arguments of every engine to test: SQLite
// always, PostgreSQL (in a fresh schema) when PRESSWATCH_TEST_POSTGRES is set.
func engines(t *testing.T) map[string][]string {
	out := map[string][]string{"sqlite": nil}
	u := os.Getenv("PRESSWATCH_TEST_POSTGRES")
	if u == "" {
		t.Log("PRESSWATCH_TEST_POSTGRES not set: PostgreSQL end-to-end test skipped")
		return out
	}
	admin, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("e2e_%d", rand.Int64())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, _ := sql.Open("pgx", u)
		a.Exec("DROP SCHEMA " + schema + " CASCADE")
		a.Close()
	})
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	out["postgres"] = []string{"--database", u + sep + "search_path=" + schema}
	return out
}

// run runs one presswatch command to completion.
func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	code = cli.Run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// startServe starts `serve` on 127.0.0.1:0 and waits until it listens.
func startServe(t *testing.T, dataDir string, dbArgs []string, extra ...string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	inst := &instance{t: t, dataDir: dataDir, dbArgs: dbArgs, done: make(chan int, 1)}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--log-level", "warn"}, dbArgs...)
	args = append(args, extra...)
	go func() {
		code := cli.Run(ctx, args, func(string) string { return "" }, strings.NewReader(""), pw, io.Discard)
		pw.Close()
		inst.done <- code
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		re := regexp.MustCompile(`listening on (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case inst.base = <-addr:
	case code := <-inst.done:
		t.Fatalf("serve exited with %d before listening", code)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-inst.done:
			if code != 0 {
				t.Errorf("serve exited with %d", code)
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	})
	return inst
}

// browser is a client without JavaScript: cookies and forms.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	body string
}

func (in *instance) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: in.t, base: in.base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values) (int, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	b.body = string(raw)
	if loc := resp.Header.Get("Location"); loc != "" {
		return resp.StatusCode, loc
	}
	return resp.StatusCode, b.body
}

var (
	reCSRF    = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	reSecret  = regexp.MustCompile(`name="secret" value="([^"]+)"`)
	reOneTime = regexp.MustCompile(`<p class="secret">([^<]+)</p>`)
)

// submit fetches page for its CSRF token, then posts form to action and
// returns the status and the redirect target or body.
func (b *browser) submit(page, action string, form url.Values) (int, string) {
	b.t.Helper()
	if code, _ := b.do("GET", page, nil); code != http.StatusOK {
		b.t.Fatalf("GET %s: %d %s", page, code, excerpt(b.body))
	}
	m := reCSRF.FindStringSubmatch(b.body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", page)
	}
	form.Set("csrf", m[1])
	return b.do("POST", action, form)
}

// signIn signs in with a password, enrols a TOTP app if asked, and changes a
// one-time password if asked. It returns the password in force.
func (b *browser) signIn(email, password string) string {
	b.t.Helper()
	code, loc := b.submit("/admin/login", "/admin/login", url.Values{"email": {email}, "password": {password}})
	if code != http.StatusSeeOther {
		b.t.Fatalf("login %s: %d %s", email, code, excerpt(loc))
	}
	if loc == "/admin/enrol" {
		b.do("GET", "/admin/enrol", nil)
		m := reSecret.FindStringSubmatch(b.body)
		if m == nil {
			b.t.Fatalf("no TOTP secret on the enrolment page: %s", excerpt(b.body))
		}
		otp, _ := totp.GenerateCode(m[1], time.Now())
		code, loc = b.submit("/admin/enrol", "/admin/enrol", url.Values{"secret": {m[1]}, "code": {otp}})
		if code != http.StatusSeeOther {
			b.t.Fatalf("enrol %s: %d %s", email, code, excerpt(loc))
		}
	}
	if code, loc = b.do("GET", "/admin/incidents", nil); code == http.StatusSeeOther && loc == "/admin/password" {
		newPW := password + "-changed-at-first-sign-in"
		code, loc = b.submit("/admin/password", "/admin/password", url.Values{"old": {password}, "new": {newPW}, "confirm": {newPW}})
		if code != http.StatusSeeOther {
			b.t.Fatalf("password change %s: %d %s", email, code, excerpt(loc))
		}
		password = newPW
	}
	if code, _ := b.do("GET", "/admin/incidents", nil); code != http.StatusOK {
		b.t.Fatalf("%s is not signed in: %d %s", email, code, excerpt(b.body))
	}
	return password
}

func excerpt(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// TestEndToEnd starts the real server and walks the editorial workflow
// through its forms, on every engine.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	for engine, dbArgs := range engines(t) {
		t.Run(engine, func(t *testing.T) { testEndToEnd(t, dbArgs) })
	}
}

func testEndToEnd(t *testing.T, dbArgs []string) {
	dir := t.TempDir()
	args := append([]string{"user", "add", "--email", "admin@e2e.test", "--role", "admin", "--password-stdin", "--data", dir}, dbArgs...)
	if code, out, errs := run(t, "first admin password\n", args...); code != 0 {
		t.Fatalf("user add: %d %s %s", code, out, errs)
	}
	in := startServe(t, dir, dbArgs)

	// An anonymous reader cannot reach the back office.
	anon := in.browser()
	for _, p := range []string{"/admin", "/admin/incidents", "/admin/users", "/admin/incidents/1"} {
		if code, loc := anon.do("GET", p, nil); code != http.StatusSeeOther || loc != "/admin/login" {
			t.Errorf("anonymous GET %s: %d %s, want a redirect to the login", p, code, loc)
		}
	}

	admin := in.browser()
	admin.signIn("admin@e2e.test", "first admin password")

	// The admin creates the team; each gets a one-time password.
	passwords := map[string]string{}
	for _, u := range []struct{ email, role string }{
		{"editor1@e2e.test", "editor"}, {"editor2@e2e.test", "editor"}, {"reviewer@e2e.test", "reviewer"},
	} {
		code, body := admin.submit("/admin/users", "/admin/users", url.Values{"email": {u.email}, "name": {u.email}, "role": {u.role}})
		m := reOneTime.FindStringSubmatch(body)
		if code != http.StatusOK || m == nil {
			t.Fatalf("create %s: %d %s", u.email, code, excerpt(body))
		}
		passwords[u.email] = m[1]
	}
	editor1, editor2, reviewer := in.browser(), in.browser(), in.browser()
	editor1.signIn("editor1@e2e.test", passwords["editor1@e2e.test"])
	editor2.signIn("editor2@e2e.test", passwords["editor2@e2e.test"])
	reviewer.signIn("reviewer@e2e.test", passwords["reviewer@e2e.test"])

	// Bad input comes back with messages at the fields and saves nothing.
	bad := url.Values{"title": {""}, "date_precision": {"day"}, "date_start": {"2024-02-31"}, "country": {"PK"},
		"n_violations": {"1"}, "violations.0.category": {"not_a_category"}}
	code, body := editor1.submit("/admin/incidents/new", "/admin/incidents/new", bad)
	if code != http.StatusBadRequest && code != http.StatusUnprocessableEntity {
		t.Fatalf("bad incident: status %d, want the form again: %s", code, excerpt(body))
	}
	for _, msg := range []string{"A title is required.", "Use a date such as 2024-03-15.", "Choose a category."} {
		if !strings.Contains(body, msg) {
			t.Errorf("the form does not say %q", msg)
		}
	}

	// An editor writes an incident with two violations and submits it.
	title := "End-to-end reporter detained in Quetta"
	form := url.Values{
		"title": {title}, "summary": {"A reporter was detained and her equipment seized."},
		"body": {"Police held the reporter for **six hours**."}, "date_precision": {"day"}, "date_start": {"2024-03-05"},
		"country": {"PK"}, "admin1": {"PK-BA"}, "city": {"Quetta"}, "location_precision": {"city"}, "public_location_precision": {"city"},
		"verification": {"confirmed"}, "work_related": {"confirmed"}, "sensitivity": {"normal"},
		"n_violations":                      {"2"},
		"violations.0.category":             {"arrest_detention"},
		"violations.0.n_targets":            {"1"},
		"violations.0.targets.0.kind":       {"person"},
		"violations.0.targets.0.name":       {"Fictional Reporter"},
		"violations.0.targets.0.gender":     {"woman"},
		"violations.0.targets.0.role":       {"reporter"},
		"violations.0.n_actors":             {"1"},
		"violations.0.actors.0.type":        {"police"},
		"violations.0.actors.0.attribution": {"confirmed"},
		"violations.1.category":             {"equipment_seizure"},
		"violations.1.n_targets":            {"1"},
		"violations.1.targets.0.kind":       {"person"},
		"violations.1.targets.0.name":       {"Fictional Reporter"},
		"violations.1.n_actors":             {"1"},
		"violations.1.actors.0.type":        {"police"},
		"violations.1.actors.0.attribution": {"confirmed"},
		"n_sources":                         {"1"},
		"sources.0.kind":                    {"news_report"},
		"sources.0.url":                     {"https://news.example/e2e"},
		"sources.0.visibility":              {"public"},
	}
	code, loc := editor1.submit("/admin/incidents/new", "/admin/incidents/new", form)
	if code != http.StatusSeeOther {
		t.Fatalf("create incident: %d %s", code, excerpt(loc))
	}
	m := regexp.MustCompile(`^/admin/incidents/(\d+)`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("create redirected to %s", loc)
	}
	page := "/admin/incidents/" + m[1]
	if code, loc = editor1.submit(page, page+"/submit", url.Values{"version": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", code, excerpt(loc))
	}

	// A reviewer cannot publish; the author cannot approve their own revision.
	if code, _ = reviewer.submit(page, page+"/publish", url.Values{"version": {"1"}}); code != http.StatusForbidden {
		t.Errorf("reviewer publish: status %d, want 403", code)
	}
	if code, _ = editor1.submit(page, page+"/approve", url.Values{"version": {"1"}}); code != http.StatusForbidden {
		t.Errorf("author approving their own revision: status %d, want 403", code)
	}
	if code, _ = editor1.submit(page, page+"/publish", url.Values{"version": {"1"}}); code != http.StatusForbidden {
		t.Errorf("publishing without a second approval: status %d, want 403", code)
	}
	// A second editor approves; the first publishes.
	if code, loc = editor2.submit(page, page+"/approve", url.Values{"version": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", code, excerpt(loc))
	}
	if code, loc = editor1.submit(page, page+"/publish", url.Values{"version": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", code, excerpt(loc))
	}

	// Readers find it in the list, the JSON and the CSV, through one filter.
	filter := "?country=PK&category=equipment_seizure&q=Quetta"
	if code, body = anon.do("GET", "/incidents"+filter, nil); code != http.StatusOK || !strings.Contains(body, title) {
		t.Fatalf("/incidents does not list the incident: %d %s", code, excerpt(body))
	}
	if code, body = anon.do("GET", "/incidents.json"+filter, nil); code != http.StatusOK {
		t.Fatalf("/incidents.json: %d", code)
	}
	var list struct {
		Total     int `json:"total"`
		Incidents []struct {
			Ref, Title string
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("/incidents.json: %v: %s", err, excerpt(body))
	}
	if len(list.Incidents) != 1 || list.Incidents[0].Title != title || !strings.HasPrefix(list.Incidents[0].Ref, "PK-2024-") {
		t.Fatalf("/incidents.json: %+v", list)
	}
	ref := list.Incidents[0].Ref
	if code, body = anon.do("GET", "/incidents.csv"+filter, nil); code != http.StatusOK {
		t.Fatalf("/incidents.csv: %d", code)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != ref {
		t.Fatalf("/incidents.csv: %v %q", err, rows)
	}
	if code, body = anon.do("GET", "/incidents/"+ref, nil); code != http.StatusOK || !strings.Contains(body, "<strong>six hours</strong>") {
		t.Fatalf("/incidents/%s: %d %s", ref, code, excerpt(body))
	}
	if code, _ = anon.do("GET", "/healthz", nil); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
}

// TestCommandErrors checks usage errors exit 2 and operational errors give
// one sentence and exit 1.
func TestCommandErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, 2, "Usage"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"bad flag", []string{"serve", "--no-such-flag"}, 2, "flag provided but not defined"},
		{"serve argument", []string{"serve", "extra", "--data", dir}, 2, "takes no arguments"},
		{"user add without role", []string{"user", "add", "--email", "a@b.c"}, 2, "needs --email and --role"},
		{"unknown role", []string{"user", "add", "--email", "a@b.c", "--role", "king"}, 2, "unknown role"},
		{"data under a file", []string{"migrate", "--data", filepath.Join(file, "x")}, 1, "cannot create the data folder"},
		{"unreachable postgres", []string{"migrate", "--data", dir, "--database", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2"}, 1, "cannot reach the PostgreSQL database"},
		{"version", []string{"version"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, "", tt.args...)
			if code != tt.code || !strings.Contains(out+errs, tt.want) {
				t.Fatalf("exit %d (want %d); output %q %q; want %q", code, tt.code, out, errs, tt.want)
			}
		})
	}
}

// TestServeOnStoreMigratedDatabase: a database migrated by the store alone
// (a restored backup, the seed tool) lacks the job queue's tables; serve
// creates them instead of failing.
func TestServeOnStoreMigratedDatabase(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "presswatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	in := startServe(t, dir, nil)
	if code, _ := in.browser().do("GET", "/healthz", nil); code != http.StatusOK {
		t.Fatalf("/healthz: %d", code)
	}
}
