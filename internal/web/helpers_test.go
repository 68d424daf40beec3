package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/store"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a real server over a real SQLite store in a temporary folder.
type env struct {
	tb    testing.TB
	db    *store.DB
	svc   *editorial.Service
	srv   *Server
	ts    *httptest.Server
	clock *testClock
	ping  error
	users map[string]*testUser
}

type testUser struct {
	u        *domain.User
	password string
	secret   string
}

const testPassword = "correct horse battery staple"

// MustEnv starts a server with users "admin", "editor", "editor2" and
// "reviewer" (passwords set, TOTP enrolled for editors and admins).
func MustEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "test.db"))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	clock := &testClock{t: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)}
	db.Now = clock.Now
	svc := editorial.New(db, db, db, db, db, nil)
	svc.Now = clock.Now
	svc.SetPasswordParams(editorial.PasswordParams{Time: 1, Memory: 64, Threads: 1})
	e := &env{tb: tb, db: db, svc: svc, clock: clock, users: map[string]*testUser{}}
	srv, err := New(Options{Service: svc, Public: db, Sessions: db, Now: clock.Now,
		Logger: slog.New(slog.DiscardHandler),
		Ping:   func(context.Context) error { return e.ping },
		Mounts: map[string]http.Handler{"/test-panic": http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			panic("secret internal detail")
		})},
	})
	if err != nil {
		tb.Fatalf("web.New: %v", err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(srv)
	tb.Cleanup(e.ts.Close)
	for _, name := range []string{"admin", "editor", "editor2", "reviewer"} {
		role := strings.TrimSuffix(name, "2")
		e.mustUser(name, role)
	}
	return e
}

func (e *env) mustUser(name, role string) *testUser {
	e.tb.Helper()
	ctx := context.Background()
	u, err := e.svc.CreateUser(ctx, nil, name+"@example.org", name, role, "one-time password 123")
	if err != nil {
		e.tb.Fatalf("create user %s: %v", name, err)
	}
	if err := e.svc.ChangePassword(ctx, u, u.ID, "one-time password 123", testPassword); err != nil {
		e.tb.Fatalf("password %s: %v", name, err)
	}
	u, _ = e.svc.FindUser(ctx, u.ID)
	tu := &testUser{u: u, password: testPassword}
	if u.NeedsTOTP() {
		secret, _, err := e.svc.NewTOTPSecret(u)
		if err != nil {
			e.tb.Fatal(err)
		}
		e.clock.Add(31 * time.Second)
		code, _ := totp.GenerateCode(secret, e.clock.Now())
		if err := e.svc.EnrolTOTP(ctx, u, secret, code); err != nil {
			e.tb.Fatalf("enrol %s: %v", name, err)
		}
		tu.secret = secret
	}
	tu.u, _ = e.svc.FindUser(ctx, u.ID)
	e.users[name] = tu
	return tu
}

// code returns a fresh TOTP code (the clock moves to a new time step, since
// a step's code is accepted once).
func (e *env) code(secret string) string {
	e.clock.Add(31 * time.Second)
	c, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		e.tb.Fatal(err)
	}
	return c
}

// client is a browser without JavaScript: cookies, no automatic redirects.
type client struct {
	e    *env
	c    *http.Client
	last string // body of the last page
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(req *http.Request) response {
	c.e.tb.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.e.tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.last = string(b)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (c *client) get(path string) response {
	c.e.tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.ts.URL+path, nil)
	return c.do(req)
}

// post sends a form as is (no token added).
func (c *client) post(path string, form url.Values, headers ...string) response {
	c.e.tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

var reCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token reads the CSRF token from a page of the back office.
func (c *client) token(page string) string {
	c.e.tb.Helper()
	r := c.get(page)
	m := reCSRF.FindStringSubmatch(r.body)
	if m == nil {
		c.e.tb.Fatalf("no CSRF token on %s (status %d)", page, r.status)
	}
	return m[1]
}

// submit posts form with the token of page.
func (c *client) submit(page, action string, form url.Values) response {
	c.e.tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.token(page))
	return c.post(action, form)
}

func (c *client) cookie() string {
	u, _ := url.Parse(c.e.ts.URL)
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == "presswatch_session" {
			return ck.Value
		}
	}
	return ""
}

// login signs name in through the forms: password, then TOTP.
func (c *client) login(name string) {
	c.e.tb.Helper()
	tu := c.e.users[name]
	r := c.submit("/admin/login", "/admin/login", url.Values{"email": {tu.u.Email}, "password": {tu.password}})
	if r.status != http.StatusSeeOther {
		c.e.tb.Fatalf("login %s: status %d: %s", name, r.status, excerpt(r.body))
	}
	if loc := r.header.Get("Location"); loc == "/admin/login/totp" {
		r = c.submit("/admin/login/totp", "/admin/login/totp", url.Values{"code": {c.e.code(tu.secret)}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin" {
			c.e.tb.Fatalf("totp %s: status %d %s: %s", name, r.status, r.header.Get("Location"), excerpt(r.body))
		}
	}
}

func excerpt(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 1500 {
		s = s[:1500]
	}
	return s
}

// mustPublished writes, submits, approves and publishes an incident
// through the service and returns its public ref.
func (e *env) mustPublished(inc *domain.Incident) string {
	e.tb.Helper()
	ctx := context.Background()
	ed, ed2 := e.users["editor"].u, e.users["editor2"].u
	if err := e.svc.CreateIncident(ctx, ed, inc, "first"); err != nil {
		e.tb.Fatalf("create: %v (%v)", err, domain.ErrorFields(err))
	}
	if err := e.svc.Submit(ctx, ed, inc.ID, inc.Version, ""); err != nil {
		e.tb.Fatalf("submit: %v", err)
	}
	cur, _ := e.svc.FindIncident(ctx, ed, inc.ID)
	if err := e.svc.Approve(ctx, ed2, inc.ID, cur.Version, "ok"); err != nil {
		e.tb.Fatalf("approve: %v", err)
	}
	if _, err := e.svc.Publish(ctx, ed, inc.ID, cur.Version); err != nil {
		e.tb.Fatalf("publish: %v", err)
	}
	return cur.Ref
}

func sampleIncident(title string) *domain.Incident {
	return &domain.Incident{
		Title: title, Summary: "A reporter was beaten outside the press club.", Body: "He was **beaten** by men in plain clothes.",
		DateStart: "2024-03", DatePrecision: domain.PrecisionMonth, Country: "PK", Admin1: "PK-PB", City: "Lahore",
		LocationPrecision: domain.LocationCity, PublicLocationPrecision: domain.LocationCity,
		Verification: domain.VerificationConfirmed, WorkRelated: domain.WorkRelatedConfirmed, Sensitivity: domain.SensitivityNormal,
		Violations: []domain.Violation{{Category: "physical_assault",
			Targets: []domain.Target{{Kind: domain.TargetPerson, Name: "Fictional Reporter", Gender: "man", Role: "reporter"}},
			Actors:  []domain.Actor{{Type: "police", Attribution: domain.AttributionSuspected}}}},
		Sources: []domain.Source{{Kind: "news_report", URL: "https://news.example/story", Title: "Story", Visibility: domain.VisibilityPublic}},
	}
}

func (e *env) auditCount() int {
	e.tb.Helper()
	_, n, err := e.svc.Audit(context.Background(), e.users["admin"].u, domain.AuditFilter{Page: 1, PerPage: 1})
	if err != nil {
		e.tb.Fatal(err)
	}
	return n
}

func (e *env) incidentCount() int {
	e.tb.Helper()
	_, n, err := e.svc.ListIncidents(context.Background(), e.users["admin"].u, domain.StaffFilter{Page: 1, PerPage: 1})
	if err != nil {
		e.tb.Fatal(err)
	}
	return n
}

var _ = fmt.Sprintf
