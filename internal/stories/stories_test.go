package stories_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/intake"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
	"github.com/presswatch/presswatch/internal/stories"
)

// clock is a settable clock shared by the store and the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// keyring holds real age editor keys wrapped under passwords (the intake
// store holds them in production).
type keyring struct{ keys map[int64]*stories.Key }

func (k *keyring) StaffKey(_ context.Context, id int64) (*stories.Key, error) {
	if x, ok := k.keys[id]; ok {
		return x, nil
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "no key")
}

func (k *keyring) StaffKeys(context.Context) ([]*stories.Key, error) {
	var out []*stories.Key
	for _, x := range k.keys {
		out = append(out, x)
	}
	return out, nil
}

const password = "correct horse battery staple"

type env struct {
	t     testing.TB
	db    *store.DB
	dir   string
	svc   *stories.Service
	clock *clock
	users map[string]*domain.User
}

var shared struct {
	once sync.Once
	keys []*stories.Key // wrapped once: scrypt is slow
}

func mustEnv(t testing.TB, postgres bool) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	var db *store.DB
	if postgres {
		db = storetest.MustOpenPostgres(t)
	} else {
		db = storetest.MustOpen(t, filepath.Join(dir, "presswatch.db"))
	}
	c := &clock{t: time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	ed := editorial.New(db, db, db, db, db, nil)
	ed.SetPasswordParams(editorial.PasswordParams{Time: 1, Memory: 64, Threads: 1})
	shared.once.Do(func() {
		for range 4 {
			pub, wrapped, err := intake.NewEditorKey(password)
			if err != nil {
				t.Fatal(err)
			}
			shared.keys = append(shared.keys, &stories.Key{PublicKey: pub, Wrapped: wrapped})
		}
	})
	e := &env{t: t, db: db, dir: dir, clock: c, users: map[string]*domain.User{}}
	kr := &keyring{keys: map[int64]*stories.Key{}}
	for i, name := range []string{"editor", "editor2", "editor3", "reviewer"} {
		role := domain.RoleEditor
		if name == "reviewer" {
			role = domain.RoleReviewer
		}
		u, err := ed.CreateUser(ctx, nil, name+"@example.org", name, role, "one-time password 123")
		if err != nil {
			t.Fatal(err)
		}
		e.users[name] = u
		k := *shared.keys[i]
		k.UserID = u.ID
		kr.keys[u.ID] = &k
	}
	e.svc = stories.New(db, db, db, kr, bytes.Repeat([]byte("p"), 32), nil)
	e.svc.Now = c.Now
	return e
}

func engines(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, mustEnv(t, false)) })
	t.Run("postgres", func(t *testing.T) {
		if !storetest.PostgresEnabled() {
			t.Skipf("%s is not set", storetest.PostgresEnv)
		}
		fn(t, mustEnv(t, true))
	})
}

const realName = "Zarmina Canaryname Qx"

func sampleStory(title string) *domain.Story {
	return &domain.Story{Kind: domain.StoryTestimony, Title: title, Standfirst: "They came at night.",
		Body: "I was told to stop **reporting**.\n\nThen the calls started.", Language: "en", Country: "PK",
		Topics: []string{"Threats", "police"}, AuthorDisplay: domain.AuthorAnonymous, RefusingOutlet: "Daily Example",
		Incidents: []string{"PK-2024-0001"},
		Evidence: []domain.Source{{Kind: "news_report", URL: "https://news.example/a", Visibility: domain.VisibilityPublic},
			{Kind: "document", Title: "internal memo", Visibility: domain.VisibilityInternal}}}
}

// mustPublish walks a story through review with two editors.
func (e *env) mustPublish(st *domain.Story) *domain.PublicStory {
	e.t.Helper()
	ctx := context.Background()
	ed, ed2 := e.users["editor"], e.users["editor2"]
	if err := e.svc.Submit(ctx, ed, st.ID, st.Version, ""); err != nil {
		e.t.Fatalf("submit: %v", err)
	}
	if err := e.svc.Approve(ctx, ed2, st.ID, st.Version, "ok"); err != nil {
		e.t.Fatalf("approve: %v", err)
	}
	pub, err := e.svc.Publish(ctx, ed, st.ID, st.Version)
	if err != nil {
		e.t.Fatalf("publish: %v", err)
	}
	return pub
}

func TestStoryWorkflow(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ed, ed2 := e.users["editor"], e.users["editor2"]
		st := sampleStory("The calls at night")
		if err := e.svc.CreateStory(ctx, ed, st, realName, "first"); err != nil {
			t.Fatalf("create: %v %v", err, domain.ErrorFields(err))
		}
		if len(st.AuthorSealed) == 0 || bytes.Contains(st.AuthorSealed, []byte(realName)) {
			t.Fatalf("the real name is not sealed")
		}
		// Reviewers cannot create; nobody publishes alone.
		if err := e.svc.CreateStory(ctx, e.users["reviewer"], sampleStory("x"), "", ""); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("reviewer create: %v", err)
		}
		if err := e.svc.Submit(ctx, ed, st.ID, st.Version, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Publish(ctx, ed, st.ID, st.Version); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("publish without a second person: %v", err)
		}
		if err := e.svc.Approve(ctx, ed, st.ID, st.Version, ""); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("self-approval: %v", err)
		}
		if err := e.svc.Approve(ctx, ed2, st.ID, st.Version, "good"); err != nil {
			t.Fatal(err)
		}
		pub, err := e.svc.Publish(ctx, ed, st.ID, st.Version)
		if err != nil {
			t.Fatalf("publish: %v", err)
		}
		if pub.AuthorName != "" || len(pub.Evidence) != 1 || pub.Revision != 1 {
			t.Fatalf("public view: %+v", pub)
		}
		// Lists, filters and search.
		for _, f := range []domain.StoryFilter{{}, {Kind: domain.StoryTestimony}, {Topic: "threats"}, {Country: "pk"},
			{Language: "en"}, {Q: "CALLS night"}} {
			page, err := e.svc.Search(ctx, f)
			if err != nil || page.Total != 1 {
				t.Fatalf("search %+v: %v %+v", f, err, page)
			}
		}
		for _, f := range []domain.StoryFilter{{Kind: domain.StoryAnalysis}, {Topic: "courts"}, {Q: "absent"}, {Q: "zarmina"}} {
			page, err := e.svc.Search(ctx, f)
			if err != nil || page.Total != 0 {
				t.Fatalf("search %+v: %v %+v", f, err, page)
			}
		}
		rel, err := e.svc.ForIncident(ctx, "pk-2024-0001")
		if err != nil || len(rel) != 1 {
			t.Fatalf("for incident: %v %d", err, len(rel))
		}
		got, err := e.svc.FindPublic(ctx, pub.Slug)
		if err != nil || got.ContentHash() != pub.ContentHash() {
			t.Fatalf("find public: %v", err)
		}
		// The log entry commits to the exact public bytes.
		var entry []byte
		if err := e.db.Reader().QueryRow(ctx, "SELECT entry FROM log_entries WHERE kind = ? AND ref = ?",
			"story_revision", "story:"+pub.Slug).Scan(&entry); err != nil {
			t.Fatalf("log entry: %v", err)
		}
		path := store.StoryContentPath(pub.Slug, pub.ContentHash())
		content, err := e.db.FindLogContent(ctx, path)
		if err != nil || !bytes.Contains(entry, []byte(path)) || !bytes.Contains(entry, []byte(pub.ContentHash())) {
			t.Fatalf("log entry %s, content at %s: %v", entry, path, err)
		}
		if !bytes.Contains(content, []byte(pub.Title)) {
			t.Fatalf("log content: %s", content)
		}
		// An edit goes back to draft; readers keep revision 1.
		st.Body += "\n\nA correction."
		if err := e.svc.UpdateStory(ctx, ed, st, "", "fix"); err != nil {
			t.Fatal(err)
		}
		if st.Publication != domain.PublicationDraft || len(st.AuthorSealed) == 0 {
			t.Fatalf("after update: %s sealed=%d", st.Publication, len(st.AuthorSealed))
		}
		if got, _ := e.svc.FindPublic(ctx, pub.Slug); got.Revision != 1 {
			t.Fatalf("public revision changed before publication")
		}
		// Withdrawal keeps the page and leaves the list.
		if _, err := e.svc.Withdraw(ctx, ed2, st.ID, "the source asked"); err != nil {
			t.Fatal(err)
		}
		if page, _ := e.svc.Search(ctx, domain.StoryFilter{}); page.Total != 0 {
			t.Fatalf("withdrawn story still listed")
		}
		if got, err := e.svc.FindPublic(ctx, pub.Slug); err != nil || got.Status != domain.PublicationWithdrawn {
			t.Fatalf("withdrawn page: %v", err)
		}
		if !e.isSQLite() {
			return
		}
		e.mustNotContain(realName)
	})
}

func (e *env) isSQLite() bool { return e.db.Engine() == store.EngineSQLite }

// mustNotContain byte-searches the SQLite database with its WAL.
func (e *env) mustNotContain(canary string) {
	e.t.Helper()
	for _, name := range []string{"presswatch.db", "presswatch.db-wal"} {
		b, err := os.ReadFile(filepath.Join(e.dir, name))
		if err != nil && !os.IsNotExist(err) {
			e.t.Fatal(err)
		}
		if bytes.Contains(b, []byte(canary)) {
			e.t.Fatalf("%q found in %s", canary, name)
		}
	}
}

func TestStoryFromIntakeNeedsSourceApproval(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ed, ed2 := e.users["editor"], e.users["editor2"]
		st := sampleStory("What the regulator cut")
		if err := e.svc.FromIntake(ctx, e.users["reviewer"], 7, st, "", ""); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("reviewer: %v", err)
		}
		if err := e.svc.FromIntake(ctx, ed, 7, st, "", "from report 7"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Submit(ctx, ed, st.ID, 1, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Approve(ctx, ed2, st.ID, 1, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Publish(ctx, ed, st.ID, 1); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("published without the source: %v", err)
		}
		// Another report's source cannot approve it.
		if err := e.svc.SourceApprove(ctx, 8, st.ID, 1); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("other source: %v", err)
		}
		mine, err := e.svc.SourceStories(ctx, 7)
		if err != nil || len(mine) != 1 || mine[0].Story.Body != st.Body {
			t.Fatalf("source stories: %v %d", err, len(mine))
		}
		if err := e.svc.SourceApprove(ctx, 7, st.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SourceWithdrawConsent(ctx, 7, st.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Publish(ctx, ed, st.ID, 1); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("published after consent was withdrawn: %v", err)
		}
		if err := e.svc.SourceApprove(ctx, 7, st.ID, 1); err != nil {
			t.Fatal(err)
		}
		// An approval of revision 1 does not cover revision 2.
		st.Title += " (edited)"
		if err := e.svc.UpdateStory(ctx, ed, st, "", ""); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Submit(ctx, ed, st.ID, 2, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Approve(ctx, ed2, st.ID, 2, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Publish(ctx, ed, st.ID, 2); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("revision 2 published on the approval of revision 1: %v", err)
		}
		if err := e.svc.SourceApprove(ctx, 7, st.ID, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Publish(ctx, ed, st.ID, 2); err != nil {
			t.Fatalf("publish: %v", err)
		}
	})
}

const depositCanary = "DEPOSITCANARY-7741"

func depositInput(e *env, onSilence string) stories.DepositInput {
	return stories.DepositInput{
		Bundle:         stories.Bundle{Title: "The contracts", Text: "Who signed what. " + depositCanary},
		ReleaseEditors: []int64{e.users["editor"].ID, e.users["editor2"].ID},
		CheckInEvery:   14 * 24 * time.Hour, Grace: 7 * 24 * time.Hour, OnSilence: onSilence,
	}
}

func TestSafeBoxRelease(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ed, ed2, ed3 := e.users["editor"], e.users["editor2"], e.users["editor3"]
		nd, err := e.svc.Deposit(ctx, stories.Depositor{}, depositInput(e, domain.OnSilencePublish))
		if err != nil {
			t.Fatalf("deposit: %v %v", err, domain.ErrorFields(err))
		}
		if len(strings.Fields(nd.Codename)) != intake.CodenameWords {
			t.Fatalf("codename %q", nd.Codename)
		}
		who := stories.Depositor{Codename: nd.Codename}
		depositedAt := e.clock.Now()
		id := nd.Deposit.ID
		// The hash (not the content) entered the log today.
		var n int
		if err := e.db.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM log_entries WHERE kind = 'deposit' AND ref = ?", nd.Deposit.Ref).Scan(&n); err != nil || n != 1 {
			t.Fatalf("deposit log entry: %v %d", err, n)
		}
		// On-time check-ins keep it sealed and quiet.
		for range 3 {
			e.clock.Add(10 * 24 * time.Hour)
			if got, err := e.svc.CheckIn(ctx, who); err != nil || len(got) != 1 {
				t.Fatalf("check in: %v %d", err, len(got))
			}
			if n, err := e.svc.Sweep(ctx); err != nil || n != 0 {
				t.Fatalf("sweep: %v %d", err, n)
			}
		}
		if e.isSQLite() { // sealed at rest until the release
			e.mustNotContain(depositCanary)
		}
		// A wrong codename checks in nothing and learns nothing.
		if got, err := e.svc.CheckIn(ctx, stories.Depositor{Codename: "not a codename"}); err != nil || len(got) != 0 {
			t.Fatalf("wrong codename: %v %d", err, len(got))
		}
		// Editors see that it exists and its state, and cannot read it.
		st, err := e.svc.DepositStatusOf(ctx, ed3, id)
		if err != nil || st.CanRead || st.Deposit.State != domain.DepositActive {
			t.Fatalf("status: %v %+v", err, st)
		}
		if _, err := e.svc.Read(ctx, ed, id, password); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("release editor read before release: %v", err)
		}
		// Silence: past the interval the editors are alerted.
		e.clock.Add(15 * 24 * time.Hour)
		if n, err := e.svc.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %v %d", err, n)
		}
		alerts, err := e.svc.Alerts(ctx, ed3)
		if err != nil || len(alerts) != 1 || alerts[0].Kind != "overdue" {
			t.Fatalf("alerts: %v %+v", err, alerts)
		}
		// Nothing can be released before the grace period ends.
		if _, err := e.svc.Release(ctx, ed, id, password); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("release during grace: %v", err)
		}
		e.clock.Add(8 * 24 * time.Hour)
		if n, err := e.svc.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %v %d", err, n)
		}
		// The timer alone publishes nothing.
		if page, _ := e.svc.Search(ctx, domain.StoryFilter{}); page.Total != 0 {
			t.Fatalf("published by the timer")
		}
		// Only named release editors vote; one vote opens nothing.
		if _, err := e.svc.Release(ctx, ed3, id, password); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("editor not named: %v", err)
		}
		if _, err := e.svc.Release(ctx, ed, id, "wrong password!"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("wrong password: %v", err)
		}
		pub, err := e.svc.Release(ctx, ed, id, password)
		if err != nil || pub != nil {
			t.Fatalf("first vote: %v %v", err, pub)
		}
		if pub, err := e.svc.Release(ctx, ed, id, password); err != nil || pub != nil {
			t.Fatalf("same editor again: %v %v", err, pub)
		}
		pub, err = e.svc.Release(ctx, ed2, id, password)
		if err != nil || pub == nil {
			t.Fatalf("second vote: %v", err)
		}
		if !strings.Contains(pub.Body, depositCanary) || pub.Deposit == nil || pub.Deposit.SHA256 != nd.Deposit.SHA256 ||
			!pub.Deposit.DepositedAt.Equal(depositedAt) || pub.Deposit.Ref != nd.Deposit.Ref {
			t.Fatalf("released story: %+v", pub.Deposit)
		}
		var entry []byte
		if err := e.db.Reader().QueryRow(ctx, "SELECT entry FROM log_entries WHERE kind = 'story_revision' AND ref = ?", "story:"+pub.Slug).Scan(&entry); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(entry, []byte(`"deposit_sha256":"`+nd.Deposit.SHA256+`"`)) || !bytes.Contains(entry, []byte(nd.Deposit.Ref)) {
			t.Fatalf("story log entry does not name the deposit: %s", entry)
		}
		// The deposit's own entry carries the same hash from the day of deposit.
		var dentry []byte
		var created time.Time
		if err := e.db.Reader().QueryRow(ctx, "SELECT entry, created_at FROM log_entries WHERE kind = 'deposit' AND ref = ?", nd.Deposit.Ref).
			Scan(&dentry, store.TimeScanner{T: &created}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(dentry, []byte(nd.Deposit.SHA256)) || !created.Equal(depositedAt) {
			t.Fatalf("deposit entry %s at %s", dentry, created)
		}
		// Once released the release editors read it; others still cannot.
		if b, err := e.svc.Read(ctx, ed2, id, password); err != nil || !strings.Contains(b.Text, depositCanary) {
			t.Fatalf("read after release: %v", err)
		}
		if _, err := e.svc.Read(ctx, ed3, id, password); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("other editor: %v", err)
		}
	})
}

func TestSafeBoxAlertOnly(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		in := depositInput(e, domain.OnSilenceAlert)
		in.ReleaseEditors = nil
		nd, err := e.svc.Deposit(ctx, stories.Depositor{User: e.users["editor3"]}, in)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Add(100 * 24 * time.Hour)
		if n, err := e.svc.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %v %d", err, n)
		}
		if n, err := e.svc.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("second sweep: %v %d", err, n)
		}
		st, _ := e.svc.DepositStatusOf(ctx, e.users["editor"], nd.Deposit.ID)
		if st.Deposit.State != domain.DepositOverdue {
			t.Fatalf("state %s", st.Deposit.State)
		}
		// A staff depositor checks in after a scare: active again, alerts cleared.
		if got, err := e.svc.CheckIn(ctx, stories.Depositor{User: e.users["editor3"]}); err != nil || len(got) != 1 {
			t.Fatalf("check in: %v", err)
		}
		if alerts, _ := e.svc.Alerts(ctx, e.users["editor"]); len(alerts) != 0 {
			t.Fatalf("alerts not cleared")
		}
		b, err := e.svc.ReadAsDepositor(ctx, stories.Depositor{User: e.users["editor3"]}, nd.Deposit.ID, password)
		if err != nil || !strings.Contains(b.Text, depositCanary) {
			t.Fatalf("depositor read: %v", err)
		}
	})
}

func TestSafeBoxReaders(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		in := depositInput(e, domain.OnSilenceAlert)
		in.Readers = []int64{e.users["editor2"].ID}
		nd, err := e.svc.Deposit(ctx, stories.Depositor{}, in)
		if err != nil {
			t.Fatal(err)
		}
		id := nd.Deposit.ID
		if b, err := e.svc.Read(ctx, e.users["editor2"], id, password); err != nil || b.Title != "The contracts" {
			t.Fatalf("named reader: %v", err)
		}
		for _, name := range []string{"editor", "editor3", "reviewer"} {
			if _, err := e.svc.Read(ctx, e.users[name], id, password); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("%s read: %v", name, err)
			}
		}
		if _, err := e.svc.Read(ctx, e.users["editor"], id+100, password); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing deposit: %v", err)
		}
		// The depositor reads with the codename; another codename cannot.
		if b, err := e.svc.ReadAsDepositor(ctx, stories.Depositor{Codename: nd.Codename}, id, ""); err != nil || b.Text == "" {
			t.Fatalf("depositor: %v", err)
		}
		other, _ := intake.NewCodename()
		if _, err := e.svc.ReadAsDepositor(ctx, stories.Depositor{Codename: other}, id, ""); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("other codename: %v", err)
		}
		if err := e.svc.Cancel(ctx, stories.Depositor{Codename: other}, id); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("other codename cancel: %v", err)
		}
	})
}

func TestSafeBoxCancelShreds(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		nd, err := e.svc.Deposit(ctx, stories.Depositor{}, depositInput(e, domain.OnSilencePublish))
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Add(30 * 24 * time.Hour)
		if _, err := e.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Cancel(ctx, stories.Depositor{Codename: nd.Codename}, nd.Deposit.ID); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		for _, table := range []string{"deposits", "deposit_envelopes", "deposit_content", "deposit_alerts"} {
			var n int
			if err := e.db.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil || n != 0 {
				t.Fatalf("%s: %v %d rows left", table, err, n)
			}
		}
		if _, err := e.svc.DepositStatusOf(ctx, e.users["editor"], nd.Deposit.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("after cancel: %v", err)
		}
		// The audit keeps that it happened, the log only the hash.
		_, n, err := e.db.ListAudit(ctx, domain.AuditFilter{Action: "deposit.cancel"})
		if err != nil || n != 1 {
			t.Fatalf("audit: %v %d", err, n)
		}
	})
}

func TestDepositValidate(t *testing.T) {
	day := 24 * time.Hour
	cases := []struct {
		name  string
		in    stories.DepositInput
		field string
	}{
		{"no title", stories.DepositInput{Bundle: stories.Bundle{Text: "x"}, CheckInEvery: 14 * day, OnSilence: "alert"}, "title"},
		{"empty", stories.DepositInput{Bundle: stories.Bundle{Title: "t"}, CheckInEvery: 14 * day, OnSilence: "alert"}, "text"},
		{"interval", stories.DepositInput{Bundle: stories.Bundle{Title: "t", Text: "x"}, CheckInEvery: time.Hour, OnSilence: "alert"}, "every"},
		{"one editor", stories.DepositInput{Bundle: stories.Bundle{Title: "t", Text: "x"}, CheckInEvery: 14 * day, Grace: 7 * day,
			OnSilence: "publish", ReleaseEditors: []int64{1}}, "release"},
		{"no grace", stories.DepositInput{Bundle: stories.Bundle{Title: "t", Text: "x"}, CheckInEvery: 14 * day,
			OnSilence: "publish", ReleaseEditors: []int64{1, 2}}, "grace"},
		{"silence", stories.DepositInput{Bundle: stories.Bundle{Title: "t", Text: "x"}, CheckInEvery: 14 * day}, "on_silence"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.in.Validate()
			if _, ok := domain.ErrorFields(err)[c.field]; !ok {
				t.Fatalf("want a problem with %s, got %v %v", c.field, err, domain.ErrorFields(err))
			}
		})
	}
}
