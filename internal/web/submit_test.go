package web

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/blob"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
)

// intakeEnv is env with anonymous intake wired: editors and the admin have
// keys; logs go to a buffer.
type intakeEnv struct {
	*env
	svc  *intake.Service
	dir  string
	logs *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}

// MustIntakeEnv starts a server with intake over the env's real SQLite
// store; o sets limits (Store, Blobs, Pepper, Now are filled in).
func MustIntakeEnv(tb testing.TB, o intake.Options) *intakeEnv {
	tb.Helper()
	tb.Setenv("TMPDIR", filepath.Join(tb.TempDir()))
	e := MustEnv(tb)
	ie := &intakeEnv{env: e, logs: &syncBuffer{}}
	ie.dir = tb.TempDir()
	blobs, err := blob.Open(filepath.Join(ie.dir, "blobs", "intake"))
	if err != nil {
		tb.Fatal(err)
	}
	pepper, err := intake.LoadPepper(filepath.Join(ie.dir, "intake", "pepper"))
	if err != nil {
		tb.Fatal(err)
	}
	o.Store, o.Blobs, o.Pepper, o.Now = e.db, blobs, pepper, e.clock.Now
	logger := slog.New(slog.NewTextHandler(ie.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.Logger = logger
	if ie.svc, err = intake.NewService(o); err != nil {
		tb.Fatal(err)
	}
	for _, name := range []string{"admin", "editor", "editor2"} {
		if err := ie.svc.EnsureEditorKey(context.Background(), e.users[name].u, "", testPassword); err != nil {
			tb.Fatal(err)
		}
	}
	srv, err := New(Options{Service: e.svc, Public: e.db, Sessions: e.db, Now: e.clock.Now, Logger: logger, Intake: ie.svc})
	if err != nil {
		tb.Fatal(err)
	}
	e.ts.Close()
	e.srv = srv
	e.ts = httptest.NewServer(srv)
	e.ts.Config.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	tb.Cleanup(e.ts.Close)
	return ie
}

type filePart struct {
	name    string
	content io.Reader
}

// multipartBody builds a submission form with the csrf field first.
func multipartBody(tb testing.TB, csrf string, fields url.Values, files ...filePart) (io.Reader, string) {
	tb.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := mw.WriteField("csrf", csrf)
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err == nil {
				err = mw.WriteField(k, fields.Get(k))
			}
		}
		for _, f := range files {
			if err != nil {
				break
			}
			var w io.Writer
			if w, err = mw.CreateFormFile("file", f.name); err == nil {
				_, err = io.Copy(w, f.content)
			}
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

// postMultipart sends a multipart form with extra headers.
func (c *client) postMultipart(path, csrf string, fields url.Values, files []filePart, headers ...string) response {
	c.e.tb.Helper()
	body, ct := multipartBody(c.e.tb, csrf, fields, files...)
	req, _ := http.NewRequest(http.MethodPost, c.e.ts.URL+path, body)
	req.Header.Set("Content-Type", ct)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

var reCodename = regexp.MustCompile(`<code id="codename">([^<]+)</code>`)

// submitReport sends a new report and returns the codename shown.
func (ie *intakeEnv) submitReport(c *client, text string, files []filePart, headers ...string) (string, response) {
	ie.tb.Helper()
	csrf := c.token("/submit")
	r := c.postMultipart("/submit", csrf, url.Values{"text": {text}, "what": {"raid"}, "contact": {"signal 123"}}, files, headers...)
	if r.status != http.StatusSeeOther {
		return "", r
	}
	page := c.get("/submit/codename")
	m := reCodename.FindStringSubmatch(page.body)
	if m == nil {
		ie.tb.Fatalf("no codename: %d %s", page.status, excerpt(page.body))
	}
	return m[1], r
}

func TestSubmitFlowAndAccess(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id and scrypt derivations")
	}
	ie := MustIntakeEnv(t, intake.Options{})
	src := ie.client()
	codename, r := ie.submitReport(src, "my story was spiked", []filePart{{"photo.jpg", strings.NewReader("jpeg bytes")}})
	if codename == "" {
		t.Fatalf("submit: %d %s", r.status, excerpt(r.body))
	}
	if again := src.get("/submit/codename"); again.status != http.StatusSeeOther {
		t.Fatalf("codename shown twice: %d", again.status)
	}
	reports, _ := ie.db.ListReports(context.Background(), intakeFilterAll)
	if len(reports) != 1 {
		t.Fatalf("%d reports", len(reports))
	}
	id := reports[0].ID
	path := "/admin/intake/" + id64(id)

	// Reviewer: nothing.
	rev := ie.client()
	rev.login("reviewer")
	for _, p := range []string{"/admin/intake", path} {
		if r := rev.get(p); r.status != http.StatusForbidden || strings.Contains(r.body, "spiked") {
			t.Errorf("reviewer %s: %d", p, r.status)
		}
	}
	// Editor, locked: metadata only.
	ed := ie.client()
	ed.login("editor")
	if r := ed.get(path); r.status != 200 || strings.Contains(r.body, "spiked") || strings.Contains(r.body, "photo.jpg") || !strings.Contains(r.body, "locked") {
		t.Fatalf("locked view: %d %s", r.status, excerpt(r.body))
	}
	if r := ed.get(path + "/attachments/1"); r.status == 200 {
		t.Fatal("download while locked")
	}
	if r := ed.submit("/admin/intake", "/admin/intake/unlock", url.Values{"password": {testPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("unlock: %d %s", r.status, excerpt(r.body))
	}
	if r := ed.get(path); !strings.Contains(r.body, "my story was spiked") || !strings.Contains(r.body, "photo.jpg") {
		t.Fatalf("unlocked view: %s", excerpt(r.body))
	}
	atts, _ := ie.db.Attachments(context.Background(), id)
	dl := ed.get(path + "/attachments/" + id64(atts[0].ID))
	if dl.status != 200 || dl.body != "jpeg bytes" || dl.header.Get("Content-Type") != "application/octet-stream" ||
		!strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment;") || dl.header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(dl.header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("download: %d %q %v", dl.status, dl.body, dl.header)
	}
	if r := ed.submit(path, path+"/reply", url.Values{"text": {"we read you, stay safe"}}); r.status != http.StatusSeeOther {
		t.Fatalf("reply: %d", r.status)
	}
	if r := ed.submit(path, path+"/status", url.Values{"status": {"in_progress"}}); r.status != http.StatusSeeOther {
		t.Fatalf("status: %d", r.status)
	}
	// Logout locks the key.
	ed.submit("/admin/intake", "/admin/logout", nil)
	ed.login("editor")
	if r := ed.get(path); strings.Contains(r.body, "spiked") {
		t.Fatal("key still unlocked after logout")
	}

	// The source comes back with the codename and reads the reply.
	src.submit("/submit/reports", "/submit/logout", nil)
	back := ie.client()
	if r := back.submit("/submit/login", "/submit/login", url.Values{"codename": {codename}}); r.status != http.StatusSeeOther {
		t.Fatalf("source login: %d %s", r.status, excerpt(r.body))
	}
	page := back.get("/submit/reports")
	if !strings.Contains(page.body, "we read you, stay safe") || strings.Contains(page.body, "my story was spiked") {
		t.Fatalf("source page: %s", excerpt(page.body))
	}
	csrf := reCSRF.FindStringSubmatch(page.body)[1]
	if r := back.postMultipart("/submit/reports/"+id64(id), csrf, url.Values{"text": {"one more thing"}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("source message: %d %s", r.status, excerpt(r.body))
	}
	// Another source cannot reach this report.
	other := ie.client()
	ie.submitReport(other, "other", nil)
	ocsrf := reCSRF.FindStringSubmatch(other.get("/submit/reports").body)[1]
	if r := other.postMultipart("/submit/reports/"+id64(id), ocsrf, url.Values{"text": {"intrusion"}}, nil); r.status != http.StatusNotFound {
		t.Fatalf("other source: %d", r.status)
	}
	if r := other.postMultipart("/submit/reports/999999", ocsrf, url.Values{"text": {"intrusion"}}, nil); r.status != http.StatusNotFound {
		t.Fatalf("missing report: %d", r.status)
	}
	if r := other.get("/submit/reports"); strings.Contains(r.body, "stay safe") {
		t.Fatal("other source sees the reply")
	}
	// Wrong codename: same page as unknown.
	if r := ie.client().submit("/submit/login", "/submit/login", url.Values{"codename": {"nope"}}); r.status != http.StatusUnauthorized {
		t.Fatalf("bad codename: %d", r.status)
	}
}

// SECURITY.md check 1: canary headers never stored or logged; the body
// canary only inside ciphertext.
func TestNoSourceMetadataStoredOrLogged(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id and scrypt derivations")
	}
	ie := MustIntakeEnv(t, intake.Options{})
	headers := []string{"User-Agent", "CanaryUA-7f3a", "X-Forwarded-For", "203.0.113.77", "Referer", "https://canary-referer.example/x",
		"Accept-Language", "xx-CANARYLANG", "X-Real-Ip", "198.51.100.99"}
	canaries := []string{"CanaryUA-7f3a", "203.0.113.77", "canary-referer", "CANARYLANG", "198.51.100.99"}
	body := "BODYCANARY-91c2 " + strings.Repeat("x", 100)
	c := ie.client()
	get := func(p string) {
		req, _ := http.NewRequest(http.MethodGet, ie.ts.URL+p, nil)
		for i := 0; i < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		c.do(req)
	}
	get("/submit")
	csrf := reCSRF.FindStringSubmatch(c.last)[1]
	r := c.postMultipart("/submit", csrf, url.Values{"text": {body}, "contact": {"BODYCANARY-91c2"}},
		[]filePart{{"BODYCANARY-91c2.txt", strings.NewReader(body)}}, headers...)
	if r.status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.status)
	}
	get("/submit/codename")
	get("/submit/reports")
	get("/submit/nonexistent")
	// A login failure and a too-large error on the path too.
	csrf = reCSRF.FindStringSubmatch(c.get("/submit/reports").body)[1]
	c.post("/submit/login", url.Values{"csrf": {csrf}, "codename": {"wrong"}}, headers...)
	ie.db.Compact(context.Background())

	places := map[string][]byte{"logs": ie.logs.Bytes()}
	for _, dir := range []string{filepath.Dir(ie.dbPath()), ie.dir, os.Getenv("TMPDIR")} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(p)
				places[p] = b
			}
			return nil
		})
	}
	if len(places) < 4 {
		t.Fatalf("searched only %d places", len(places))
	}
	for where, b := range places {
		for _, cn := range append(canaries, "BODYCANARY") {
			if bytes.Contains(b, []byte(cn)) {
				t.Errorf("%q found in %s", cn, where)
			}
		}
	}
}

func (ie *intakeEnv) dbPath() string {
	var p string
	ie.db.Reader().QueryRow(context.Background(), "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&p)
	if p == "" {
		ie.tb.Fatal("no database path")
	}
	return p
}

// SECURITY.md check 10: oversize → 413 with bounded disk use; hostile
// names are stored under server-chosen names.
func TestSubmitLimitsAndHostileNames(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id and scrypt derivations")
	}
	ie := MustIntakeEnv(t, intake.Options{MaxBytes: 200_000})
	c := ie.client()
	csrf := c.token("/submit")
	r := c.postMultipart("/submit", csrf, url.Values{"text": {"big"}}, []filePart{{"big.bin", io.LimitReader(zeroReader{}, 5_000_000)}})
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversize: %d", r.status)
	}
	var size int64
	filepath.WalkDir(ie.dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, "pepper") {
			info, _ := d.Info()
			size += info.Size()
		}
		return nil
	})
	if size != 0 {
		t.Fatalf("%d bytes left on disk after a refused upload", size)
	}
	hostile := []string{"../../../etc/passwd", `..\..\boot.ini`, "<script>alert(1)</script>.html", "CON", strings.Repeat("n", 300)}
	var files []filePart
	for _, h := range hostile {
		files = append(files, filePart{h, strings.NewReader("content of " + h)})
	}
	_, r = ie.submitReport(ie.client(), "names", files)
	if r.status != http.StatusSeeOther {
		t.Fatalf("hostile names: %d %s", r.status, excerpt(r.body))
	}
	reports, _ := ie.db.ListReports(context.Background(), intakeFilterAll)
	atts, _ := ie.db.Attachments(context.Background(), reports[0].ID)
	if len(atts) == 0 {
		t.Fatal("no attachments")
	}
	for _, a := range atts {
		if !regexp.MustCompile(`^attachment-[0-9]+$`).MatchString(a.Name) {
			t.Errorf("stored name %q", a.Name)
		}
	}
	filepath.WalkDir(ie.dir, func(p string, d fs.DirEntry, err error) error {
		if strings.Contains(p, "passwd") || strings.Contains(p, "script") || strings.Contains(p, "boot") {
			t.Errorf("source name in a path: %s", p)
		}
		return nil
	})
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'z'
	}
	return len(p), nil
}

// SECURITY.md check 12: floods from one address → 429 beyond the budget,
// storage under quota, other sources unaffected.
func TestSubmitFloods(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id and scrypt derivations")
	}
	ie := MustIntakeEnv(t, intake.Options{MaxBytes: 10_000, Quota: 35_000,
		Limits: intake.Limits{GlobalSubmitsPerMinute: 4, GlobalLoginsPerMinute: 100, SessionActionsPerMinute: 3, Derivations: 2}})
	a, b := ie.client(), ie.client()
	if code, r := ie.submitReport(a, "a", nil); code == "" {
		t.Fatalf("a: %d", r.status)
	}
	if code, r := ie.submitReport(b, "b", nil); code == "" {
		t.Fatalf("b: %d", r.status)
	}
	// Source a floods messages on its report: 429 after its own budget.
	reportsA := a.get("/submit/reports")
	csrfA := reCSRF.FindStringSubmatch(reportsA.body)[1]
	idA := regexp.MustCompile(`/submit/reports/([0-9]+)`).FindStringSubmatch(reportsA.body)[1]
	var statuses []int
	for i := 0; i < 6; i++ {
		r := a.postMultipart("/submit/reports/"+idA, csrfA, url.Values{"text": {"flood"}}, []filePart{{"f", strings.NewReader(strings.Repeat("y", 9000))}})
		statuses = append(statuses, r.status)
	}
	if statuses[len(statuses)-1] != http.StatusTooManyRequests && statuses[len(statuses)-1] != http.StatusRequestEntityTooLarge {
		t.Fatalf("flood statuses %v", statuses)
	}
	used, _ := ie.db.StoredBytes(context.Background())
	if used > 35_000 {
		t.Fatalf("quota exceeded: %d", used)
	}
	// b is unaffected by a's session budget (the quota permitting).
	reportsB := b.get("/submit/reports")
	csrfB := reCSRF.FindStringSubmatch(reportsB.body)[1]
	idB := regexp.MustCompile(`/submit/reports/([0-9]+)`).FindStringSubmatch(reportsB.body)[1]
	if r := b.postMultipart("/submit/reports/"+idB, csrfB, url.Values{"text": {"hello"}}, nil); r.status != http.StatusSeeOther && r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("b after a's flood: %d", r.status)
	}
	// New submissions from everyone: 429 beyond the global budget.
	var last int
	for i := 0; i < 5; i++ {
		c := ie.client()
		csrf := c.token("/submit")
		last = c.postMultipart("/submit", csrf, url.Values{"text": {"new"}}, nil).status
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("global flood: %d", last)
	}
}

// SECURITY.md check 14: login time does not depend on whether the
// codename exists (distributions compared, not a tight timer).
func TestCodenameLoginTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id timing")
	}
	if bits := intake.CodenameEntropyBits(); bits < 88 {
		t.Fatalf("codename entropy %.1f bits", bits)
	}
	ie := MustIntakeEnv(t, intake.Options{Limits: intake.Limits{GlobalSubmitsPerMinute: 100, GlobalLoginsPerMinute: 1000, SessionActionsPerMinute: 10, Derivations: 1}})
	code, _ := ie.submitReport(ie.client(), "timing", nil)
	unknown, _ := intake.NewCodename()
	measure := func(cn string, want int) time.Duration {
		c := ie.client()
		csrf := c.token("/submit/login")
		start := time.Now()
		r := c.post("/submit/login", url.Values{"csrf": {csrf}, "codename": {cn}})
		d := time.Since(start)
		if r.status != want {
			t.Fatalf("login status %d, want %d", r.status, want)
		}
		return d
	}
	var known, unk []time.Duration
	for i := 0; i < 16; i++ {
		// Alternate which goes first, so the order does not favour one.
		if i%2 == 0 {
			known = append(known, measure(code, http.StatusSeeOther))
			unk = append(unk, measure(unknown, http.StatusUnauthorized))
		} else {
			unk = append(unk, measure(unknown, http.StatusUnauthorized))
			known = append(known, measure(code, http.StatusSeeOther))
		}
	}
	// Compare the distributions: the probability that a known login is
	// slower than an unknown one (AUC of the Mann-Whitney U test) must not
	// be near 0 or 1 (complete separation). On a shared machine single
	// times vary by several times; a real difference (a skipped
	// derivation: ~100 ms every time) separates the samples completely.
	greater := 0.0
	for _, k := range known {
		for _, u := range unk {
			switch {
			case k > u:
				greater++
			case k == u:
				greater += 0.5
			}
		}
	}
	auc := greater / float64(len(known)*len(unk))
	t.Logf("median login: known %v, unknown %v, P(known slower) = %.2f", median(known), median(unk), auc)
	if auc > 0.9 || auc < 0.1 {
		t.Errorf("login time reveals existence: P(known slower) = %.2f\nknown %v\nunknown %v", auc, known, unk)
	}
	// No codename is stored usable.
	b, _ := os.ReadFile(ie.dbPath())
	w, _ := os.ReadFile(ie.dbPath() + "-wal")
	for _, word := range strings.Fields(code) {
		if bytes.Contains(b, []byte(code)) || bytes.Contains(w, []byte(code)) {
			t.Fatalf("codename stored (word %s)", word)
		}
	}
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

var intakeFilterAll = domain.IntakeFilter{}

func id64(n int64) string { return strconv.FormatInt(n, 10) }
