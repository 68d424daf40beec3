package intake_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/blob"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

type fixture struct {
	db    *store.DB
	svc   *intake.Service
	blobs *blob.Store
	dir   string
	now   time.Time
	users map[string]*domain.User
}

const editorPW = "editor password 123"

// engine opens a migrated database for a test; dir is the test's data
// folder (the SQLite file lives there).
type engine func(tb testing.TB, dir string) *store.DB

func sqliteEngine(tb testing.TB, dir string) *store.DB {
	return storetest.MustOpen(tb, filepath.Join(dir, "presswatch.db"))
}

func postgresEngine(tb testing.TB, dir string) *store.DB { return storetest.MustOpenPostgres(tb) }

// eachEngine runs fn on SQLite, and on PostgreSQL (a fresh schema) when
// PRESSWATCH_TEST_POSTGRES is set.
func eachEngine(t *testing.T, fn func(t *testing.T, open engine)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteEngine) })
	t.Run("postgres", func(t *testing.T) {
		if !storetest.PostgresEnabled() {
			t.Skipf("%s is not set; skipping the PostgreSQL run", storetest.PostgresEnv)
		}
		fn(t, postgresEngine)
	})
}

// MustFixture is an intake service on a real SQLite store with an admin,
// an editor (both with keys) and a reviewer.
func MustFixture(tb testing.TB, o intake.Options) *fixture {
	tb.Helper()
	return MustFixtureOn(tb, sqliteEngine, o)
}

// MustFixtureOn is MustFixture on the database open gives.
func MustFixtureOn(tb testing.TB, open engine, o intake.Options) *fixture {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	db := open(tb, dir)
	blobs, err := blob.Open(filepath.Join(dir, "blobs", "intake"))
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{db: db, blobs: blobs, dir: dir, now: time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC), users: map[string]*domain.User{}}
	o.Store, o.Blobs, o.Now = db, blobs, func() time.Time { return f.now }
	if o.Pepper == nil {
		o.Pepper = bytes.Repeat([]byte{7}, 32)
	}
	if f.svc, err = intake.NewService(o); err != nil {
		tb.Fatal(err)
	}
	for _, role := range []string{"admin", "editor", "reviewer"} {
		u := &domain.User{Email: role + "@example.org", Name: role, Role: role, PasswordHash: "x"}
		if err := db.CreateUser(ctx, u, nil); err != nil {
			tb.Fatal(err)
		}
		if err := f.svc.EnsureEditorKey(ctx, u, "", editorPW); err != nil {
			tb.Fatal(err)
		}
		f.users[role] = u
	}
	return f
}

// MustSubmit sends a new report with a message and one file and returns
// the result.
func (f *fixture) MustSubmit(tb testing.TB, text string, file []byte) *intake.Result {
	tb.Helper()
	ctx := context.Background()
	up, err := f.svc.NewReport(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if file != nil {
		if err := up.AddFile(ctx, "../../etc/passwd name.jpg", "image/jpeg", bytes.NewReader(file)); err != nil {
			tb.Fatal(err)
		}
	}
	res, err := up.Finish(ctx, intake.Content{Text: text, What: "a raid", Contact: "secret-contact", Outlet: "Daily"})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func TestServiceFlow(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id and scrypt derivations")
	}
	eachEngine(t, testServiceFlow)
}

func testServiceFlow(t *testing.T, open engine) {
	ctx := context.Background()
	f := MustFixtureOn(t, open, intake.Options{})
	res := f.MustSubmit(t, "the story was spiked", []byte("file body"))
	if len(strings.Fields(res.Codename)) != 7 || res.Token == "" {
		t.Fatalf("result %+v", res)
	}
	other := f.MustSubmit(t, "another source", nil)

	ed, rev := f.users["editor"], f.users["reviewer"]
	// Locked: metadata only.
	v, err := f.svc.Report(ctx, ed, "sess-ed", res.ReportID)
	if err != nil || !v.Locked || v.Messages[0].Content != nil || v.Messages[0].Files[0].OriginalName != "" {
		t.Fatalf("locked view: %+v %v", v, err)
	}
	if _, err := f.svc.Inbox(ctx, rev, domain.IntakeFilter{}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("reviewer inbox: %v", err)
	}
	if _, err := f.svc.Report(ctx, rev, "sess-rev", res.ReportID); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("reviewer report: %v", err)
	}
	if err := f.svc.Unlock(ctx, "sess-ed", ed, "wrong password 123"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("wrong password: %v", err)
	}
	if err := f.svc.Unlock(ctx, "sess-ed", ed, editorPW); err != nil {
		t.Fatal(err)
	}
	v, err = f.svc.Report(ctx, ed, "sess-ed", res.ReportID)
	if err != nil || v.Locked || v.Messages[0].Content.Text != "the story was spiked" || v.Messages[0].Files[0].OriginalName != "../../etc/passwd name.jpg" {
		t.Fatalf("unlocked view: %+v %v", v, err)
	}
	if name := v.Messages[0].Files[0].Name; !strings.HasPrefix(name, "attachment-") {
		t.Fatalf("stored name %q", name)
	}
	// Another editor's session does not share the key.
	if f.svc.Unlocked("sess-other", ed) || f.svc.Unlocked("sess-ed", f.users["admin"]) {
		t.Fatal("key leaked across sessions")
	}
	if err := f.svc.Reply(ctx, ed, res.ReportID, "thank you, we will call"); err != nil {
		t.Fatal(err)
	}
	// The source reads the reply; the other source sees only its own report.
	ss := f.svc.SourceSession(res.Token)
	reps, err := f.svc.SourceReports(ctx, ss)
	if err != nil || len(reps) != 1 || len(reps[0].Messages) != 2 || reps[0].Messages[1].Text != "thank you, we will call" {
		t.Fatalf("source view: %+v %v", reps, err)
	}
	tok, err := f.svc.SourceLogin(ctx, "  "+strings.ToUpper(res.Codename)+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if reps, _ := f.svc.SourceReports(ctx, f.svc.SourceSession(tok)); len(reps) != 1 || reps[0].ID != res.ReportID {
		t.Fatalf("after login: %+v", reps)
	}
	oss := f.svc.SourceSession(other.Token)
	if _, err := f.svc.NewMessage(ctx, oss, res.ReportID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("other source's report: %v", err)
	}
	if _, err := f.svc.SourceLogin(ctx, "not a codename"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("bad codename: %v", err)
	}
	// Logout locks.
	f.svc.Lock("sess-ed")
	if f.svc.Unlocked("sess-ed", ed) {
		t.Fatal("still unlocked after Lock")
	}
	// Export and decrypt with the editor's identity.
	var exp bytes.Buffer
	if n, err := f.svc.Export(ctx, f.users["admin"], &exp); err != nil || n != 2 {
		t.Fatalf("export: %d %v", n, err)
	}
	if bytes.Contains(exp.Bytes(), []byte("spiked")) || bytes.Contains(exp.Bytes(), []byte("passwd")) {
		t.Fatal("plaintext in export")
	}
	k, _ := f.db.EditorKey(ctx, ed.ID)
	id, err := intake.UnlockEditorKey(k.Wrapped, editorPW)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	opened, _, err := intake.DecryptExport(bytes.NewReader(exp.Bytes()), out, id)
	if err != nil || opened != 2 {
		t.Fatalf("decrypt: %d %v", opened, err)
	}
	matches, _ := filepath.Glob(filepath.Join(out, "report-*", "attachment-*"))
	if len(matches) != 1 || !strings.HasSuffix(matches[0], "passwd name.jpg") || strings.Contains(filepath.Base(matches[0]), "/") {
		t.Fatalf("attachment files %v", matches)
	}
	if b, _ := os.ReadFile(matches[0]); string(b) != "file body" {
		t.Fatalf("attachment %q", b)
	}
}

func TestRewrapForNewEditor(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id and scrypt derivations")
	}
	eachEngine(t, testRewrapForNewEditor)
}

func testRewrapForNewEditor(t *testing.T, open engine) {
	ctx := context.Background()
	f := MustFixtureOn(t, open, intake.Options{})
	res := f.MustSubmit(t, "before the new editor", nil)
	nu := &domain.User{Email: "new@example.org", Role: domain.RoleEditor, PasswordHash: "x"}
	if err := f.db.CreateUser(ctx, nu, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.EnsureEditorKey(ctx, nu, "", editorPW); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Unlock(ctx, "new", nu, editorPW); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.svc.Report(ctx, nu, "new", res.ReportID); !v.NoAccess {
		t.Fatal("new editor can read an old report before re-wrap")
	}
	admin := f.users["admin"]
	if err := f.svc.Unlock(ctx, "admin", admin, editorPW); err != nil {
		t.Fatal(err)
	}
	if done, skipped, err := f.svc.Rewrap(ctx, admin, "admin"); err != nil || done != 1 || skipped != 0 {
		t.Fatalf("rewrap %d %d %v", done, skipped, err)
	}
	if v, _ := f.svc.Report(ctx, nu, "new", res.ReportID); v.NoAccess || v.Messages[0].Content.Text != "before the new editor" {
		t.Fatalf("after re-wrap: %+v", v)
	}
	// A password change re-wraps the key: the same public key opens it.
	before, _ := f.db.EditorKey(ctx, nu.ID)
	if err := f.svc.EnsureEditorKey(ctx, nu, editorPW, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	after, _ := f.db.EditorKey(ctx, nu.ID)
	if after.PublicKey != before.PublicKey || bytes.Equal(after.Wrapped, before.Wrapped) {
		t.Fatal("password change did not re-wrap the same key")
	}
	if f.svc.Unlocked("new", nu) {
		t.Fatal("password change kept the key unlocked")
	}
}

func TestLimitsAndQuota(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id and scrypt derivations")
	}
	eachEngine(t, testLimitsAndQuota)
}

func testLimitsAndQuota(t *testing.T, open engine) {
	ctx := context.Background()
	f := MustFixtureOn(t, open, intake.Options{MaxBytes: 1000, Quota: 5000,
		Limits: intake.Limits{GlobalSubmitsPerMinute: 3, GlobalLoginsPerMinute: 100, SessionActionsPerMinute: 2, Derivations: 1}})
	up, err := f.svc.NewReport(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = up.AddFile(ctx, "big", "", bytes.NewReader(make([]byte, 1001)))
	if !domain.IsCode(err, domain.ETOOLARGE) {
		t.Fatalf("oversize: %v", err)
	}
	up.Abort(ctx)
	n := 0
	f.blobs.Walk(ctx, func(string) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d blobs left after an oversize upload", n)
	}
	f.MustSubmit(t, "one", nil)
	f.MustSubmit(t, "two", nil)
	if _, err := f.svc.NewReport(ctx, nil); !domain.IsCode(err, domain.ETOOMANY) {
		t.Fatalf("flood: %v", err)
	}
	f.now = f.now.Add(time.Minute)
	f.MustSubmit(t, "after a minute", bytes.Repeat([]byte("x"), 900))
}

func TestExpireAndOrphans(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id and scrypt derivations")
	}
	eachEngine(t, testExpireAndOrphans)
}

func testExpireAndOrphans(t *testing.T, open engine) {
	ctx := context.Background()
	f := MustFixtureOn(t, open, intake.Options{Retention: 24 * time.Hour})
	old := f.MustSubmit(t, "old report", []byte("old file"))
	f.now = f.now.Add(23 * time.Hour)
	kept := f.MustSubmit(t, "kept report", []byte("kept file"))
	// An orphan (upload killed before its row) and a missing blob.
	orphan, err := f.blobs.Put(ctx, strings.NewReader("orphan ciphertext"))
	if err != nil {
		t.Fatal(err)
	}
	atts, _ := f.db.Attachments(ctx, kept.ReportID)
	if err := f.blobs.Delete(ctx, atts[0].BlobSHA256); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.CleanOrphans(ctx)
	if err != nil || c.Orphans != 1 || c.Missing != 1 {
		t.Fatalf("cleanup %+v %v", c, err)
	}
	if ok, _ := f.blobs.Exists(ctx, orphan.SHA256); ok {
		t.Fatal("orphan kept")
	}
	if a, _ := f.db.FindAttachment(ctx, kept.ReportID, atts[0].ID); !a.Missing {
		t.Fatal("missing blob not flagged")
	}
	oldAtts, _ := f.db.Attachments(ctx, old.ReportID)
	f.now = f.now.Add(2 * time.Hour)
	n, err := f.svc.Expire(ctx)
	if err != nil || n != 1 {
		t.Fatalf("expire %d %v", n, err)
	}
	if _, err := f.db.FindReport(ctx, old.ReportID); !domain.IsCode(err, domain.ENOTFOUND) {
		t.Fatalf("old report: %v", err)
	}
	if _, err := f.db.Envelope(ctx, old.ReportID); !domain.IsCode(err, domain.ENOTFOUND) {
		t.Fatalf("old envelope: %v", err)
	}
	if ok, _ := f.blobs.Exists(ctx, oldAtts[0].BlobSHA256); ok {
		t.Fatal("old blob kept")
	}
	if _, err := f.svc.SourceLogin(ctx, old.Codename); !domain.IsCode(err, domain.EUNAUTHORIZED) {
		t.Fatalf("expired source can still log in: %v", err)
	}
	if _, err := f.db.FindReport(ctx, kept.ReportID); err != nil {
		t.Fatalf("kept report: %v", err)
	}
}

var _ age.Identity = (*age.X25519Identity)(nil)

// SECURITY.md check 4 through the service: the published copy of a JPEG
// with GPS has no metadata; the sealed original keeps its hash; other
// types need the explicit confirmation.
func TestPublishStrippedCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id and scrypt derivations")
	}
	eachEngine(t, testPublishStrippedCopy)
}

func testPublishStrippedCopy(t *testing.T, open engine) {
	ctx := context.Background()
	f := MustFixtureOn(t, open, intake.Options{})
	jpg := intake.MustJPEGWithMetadata(t)
	res := f.MustSubmit(t, "photo", jpg)
	ed := f.users["editor"]
	if err := f.svc.Unlock(ctx, "s", ed, editorPW); err != nil {
		t.Fatal(err)
	}
	atts, _ := f.db.Attachments(ctx, res.ReportID)
	orig := atts[0]
	dv, err := f.svc.PublishCopy(ctx, ed, "s", res.ReportID, orig.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	rc, _, err := f.svc.OpenPublished(ctx, ed, res.ReportID, dv.ID)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := io.ReadAll(rc)
	rc.Close()
	if bytes.Contains(pub, []byte("CANARY")) || dv.MediaType != "image/jpeg" || dv.OriginalSHA256 != orig.PlaintextSHA256 {
		t.Fatalf("published copy: %+v canary=%v", dv, bytes.Contains(pub, []byte("CANARY")))
	}
	sum := sha256.Sum256(jpg)
	if orig.PlaintextSHA256 != hex.EncodeToString(sum[:]) {
		t.Fatal("original hash changed")
	}
	o, _, err := f.svc.OpenAttachment(ctx, ed, "s", res.ReportID, orig.ID)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := io.ReadAll(o)
	o.Close()
	if !bytes.Equal(again, jpg) {
		t.Fatal("sealed original changed")
	}
	// A text file: refused without confirmation, published with it.
	up, _ := f.svc.NewReport(ctx, nil)
	up.AddFile(ctx, "notes.txt", "text/plain", strings.NewReader("plain notes"))
	r2, err := up.Finish(ctx, intake.Content{Text: "notes"})
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := f.db.Attachments(ctx, r2.ReportID)
	if _, err := f.svc.PublishCopy(ctx, ed, "s", r2.ReportID, a2[0].ID, false); !errors.Is(err, intake.ErrNeedsConfirmation) {
		t.Fatalf("unconfirmed text: %v", err)
	}
	if dv, err := f.svc.PublishCopy(ctx, ed, "s", r2.ReportID, a2[0].ID, true); err != nil || !dv.Confirmed {
		t.Fatalf("confirmed text: %+v %v", dv, err)
	}
}

// SECURITY.md check 21 in the database files: after retention the report
// key envelope and the source's lookup key are in neither the database
// nor its WAL.
func TestExpireLeavesNoKeyInDatabaseFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id and scrypt derivations")
	}
	ctx := context.Background()
	f := MustFixture(t, intake.Options{Retention: time.Hour})
	res := f.MustSubmit(t, "to be shredded", []byte("file"))
	env, err := f.db.Envelope(ctx, res.ReportID)
	if err != nil {
		t.Fatal(err)
	}
	var lookup []byte
	f.db.Reader().QueryRow(ctx, "SELECT lookup_key FROM intake_sources").Scan(&lookup)
	if len(lookup) != 32 {
		t.Fatal("no lookup key")
	}
	// Canaries: a 64-byte slice of the envelope (its sealed file key and
	// key material) and the lookup key.
	canaries := [][]byte{env[len(env)-64:], lookup}
	files := func() []byte {
		var all []byte
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, _ := os.ReadFile(filepath.Join(f.dir, "presswatch.db") + suffix)
			all = append(all, b...)
		}
		return all
	}
	before := files()
	for _, c := range canaries {
		if !bytes.Contains(before, c) {
			t.Fatal("canary not found before retention: the search is broken")
		}
	}
	f.now = f.now.Add(2 * time.Hour)
	if n, err := f.svc.Expire(ctx); err != nil || n != 1 {
		t.Fatalf("expire %d %v", n, err)
	}
	after := files()
	for i, c := range canaries {
		if bytes.Contains(after, c) {
			t.Errorf("canary %d still in the database files after retention", i)
		}
	}
}
