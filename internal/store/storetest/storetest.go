package storetest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
)

// Run runs the contract suite; open returns a fresh, migrated database for
// each subtest.
func Run(t *testing.T, open func(t *testing.T) *store.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *store.DB)
	}{
		{"Migrations", testMigrations},
		{"Vocabularies", testVocab},
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"Audit", testAudit},
		{"CreateAndUpdate", testCreateUpdate},
		{"Workflow", testWorkflow},
		{"PublicViewProtects", testPublicViewProtects},
		{"Comments", testComments},
		{"ListIncidents", testListIncidents},
		{"Filters", testFilters},
		{"Paging", testPaging},
		{"Search", testSearch},
		{"Facets", testFacets},
		{"ConcurrentWriters", testConcurrentWriters},
		{"PublicCSV", testPublicCSV},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := open(t)
			clock := &Clock{T: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
			var mu sync.Mutex
			db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock.Now() }
			tc.fn(t, db)
		})
	}
}

var ctx = context.Background()

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// MustUser creates a user with the role.
func MustUser(tb testing.TB, db *store.DB, email, role string) *domain.User {
	tb.Helper()
	u := &domain.User{Email: email, Name: strings.Split(email, "@")[0], Role: role, PasswordHash: "x"}
	if err := db.CreateUser(context.Background(), u, nil); err != nil {
		tb.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// NewIncident returns a valid, normalised draft incident.
func NewIncident(title string) *domain.Incident {
	inc := &domain.Incident{
		Title: title, Summary: "Summary of " + title, Body: "Body text.",
		DateStart: "2024-03-15", DatePrecision: domain.PrecisionDay,
		Country: "PK", Admin1: "PK-PB", City: "Lahore", LocationPrecision: domain.LocationCity,
		Violations: []domain.Violation{{
			Category: "arrest_detention",
			Actors:   []domain.Actor{{Type: "police", Attribution: domain.AttributionConfirmed}},
			Targets:  []domain.Target{{Kind: domain.TargetPerson, Name: "Ayesha Malik", Gender: "woman", Role: "reporter", Outlet: "Khabar TV"}},
		}},
		Sources: []domain.Source{{Kind: "news_report", URL: "https://example.org/a", Visibility: domain.VisibilityPublic},
			{Kind: "testimony", Title: "Call with colleague", Visibility: domain.VisibilityInternal}},
	}
	inc.Normalize()
	return inc
}

func testMigrations(t *testing.T, db *store.DB) {
	cur, latest, err := db.SchemaVersion(ctx)
	must(t, err)
	if cur != latest || latest < 1 {
		t.Fatalf("SchemaVersion = %d, %d; want equal and ≥ 1", cur, latest)
	}
	must(t, db.CheckSchema(ctx))
	must(t, db.Migrate(ctx)) // idempotent
	terms, err := db.Terms(ctx)
	must(t, err)
	if len(terms) != len(domain.DefaultTerms()) {
		t.Fatalf("after two migrations: %d terms, want %d", len(terms), len(domain.DefaultTerms()))
	}

	// A database missing the latest migration is stale.
	tx, err := db.Begin(ctx)
	must(t, err)
	_, err = tx.Exec(ctx, "DELETE FROM schema_migrations WHERE version = ?", latest)
	must(t, err)
	must(t, tx.Commit())
	err = db.CheckSchema(ctx)
	wantCode(t, err, domain.EUNAVAILABLE)
	if !strings.Contains(domain.ErrorMessage(err), "run `presswatch migrate`") {
		t.Errorf("stale schema message = %q", domain.ErrorMessage(err))
	}
	// A database migrated by a newer binary is refused too.
	tx, err = db.Begin(ctx)
	must(t, err)
	_, err = tx.Exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?), (?, ?)",
		latest, tx.Dialect().Time(tx.Now), 9999, tx.Dialect().Time(tx.Now))
	must(t, err)
	must(t, tx.Commit())
	err = db.CheckSchema(ctx)
	wantCode(t, err, domain.EUNAVAILABLE)
	if !strings.Contains(domain.ErrorMessage(err), "newer") {
		t.Errorf("newer schema message = %q", domain.ErrorMessage(err))
	}
}

func testVocab(t *testing.T, db *store.DB) {
	admin := MustUser(t, db, "admin@example.org", domain.RoleAdmin)
	terms, err := db.Terms(ctx)
	must(t, err)
	set := domain.NewVocabSet(terms)
	if !set.HasTerm(domain.VocabCategory, "website_blocked") || set.Family("website_blocked") != "censorship" {
		t.Fatal("default category website_blocked missing or in the wrong family")
	}
	if got := set.Label(domain.VocabCategory, "killing", "ur"); got != "قتل" {
		t.Errorf("Urdu label = %q", got)
	}
	tm := set[domain.VocabCategory]["killing"]
	tm.Labels["hi"] = "हत्या (संशोधित)"
	tm.Active = false
	must(t, db.SaveTerm(ctx, tm, admin))
	must(t, db.SaveTerm(ctx, domain.Term{Vocab: domain.VocabActorType, Code: "cyber_army", Labels: map[string]string{"en": "Cyber army"}, Active: true}, admin))
	wantCode(t, db.SaveTerm(ctx, domain.Term{Vocab: "nope", Code: "x", Labels: map[string]string{"en": "X"}}, admin), domain.EINVALID)
	terms, err = db.Terms(ctx)
	must(t, err)
	set = domain.NewVocabSet(terms)
	if set.HasTerm(domain.VocabCategory, "killing") || set.Label(domain.VocabCategory, "killing", "hi") != "हत्या (संशोधित)" {
		t.Error("term update not saved")
	}
	if !set.HasTerm(domain.VocabActorType, "cyber_army") {
		t.Error("new term not saved")
	}
	entries, _, err := db.ListAudit(ctx, domain.AuditFilter{Action: "vocab.save"})
	must(t, err)
	if len(entries) != 2 {
		t.Errorf("vocab audit rows = %d, want 2", len(entries))
	}
}

func testUsers(t *testing.T, db *store.DB) {
	n, err := db.CountUsers(ctx)
	must(t, err)
	if n != 0 {
		t.Fatalf("CountUsers = %d on a new database", n)
	}
	u := MustUser(t, db, "Editor@Example.org", domain.RoleEditor)
	if u.ID == 0 || u.Email != "editor@example.org" {
		t.Fatalf("created user = %+v", u)
	}
	wantCode(t, db.CreateUser(ctx, &domain.User{Email: "editor@example.org", Role: domain.RoleEditor}, nil), domain.ECONFLICT)
	wantCode(t, db.CreateUser(ctx, &domain.User{Email: "bad", Role: domain.RoleEditor}, nil), domain.EINVALID)
	got, err := db.FindUserByEmail(ctx, " EDITOR@example.org ")
	must(t, err)
	if got.ID != u.ID || got.Role != domain.RoleEditor || got.CreatedAt.IsZero() {
		t.Fatalf("FindUserByEmail = %+v", got)
	}
	_, err = db.FindUser(ctx, 999999)
	wantCode(t, err, domain.ENOTFOUND)
	_, err = db.FindUserByEmail(ctx, "nobody@example.org")
	wantCode(t, err, domain.ENOTFOUND)

	lock := time.Date(2025, 3, 1, 10, 0, 0, 123456000, time.UTC)
	since := lock.Add(-time.Minute)
	got.FailedLogins, got.FailedSince, got.LockedUntil, got.TOTPSecret, got.TOTPLastStep, got.Disabled, got.MustChangePW = 6, &since, &lock, "SECRET", 42, true, true
	must(t, db.UpdateUser(ctx, got, u, "user.lock"))
	again, err := db.FindUser(ctx, u.ID)
	must(t, err)
	if again.FailedLogins != 6 || again.FailedSince == nil || !again.FailedSince.Equal(since) || again.LockedUntil == nil || !again.LockedUntil.Equal(lock) || again.TOTPSecret != "SECRET" ||
		again.TOTPLastStep != 42 || !again.Disabled || !again.MustChangePW {
		t.Fatalf("after update: %+v", again)
	}
	again.LockedUntil = nil
	must(t, db.UpdateUser(ctx, again, u, ""))
	if x, _ := db.FindUser(ctx, u.ID); x.LockedUntil != nil {
		t.Error("LockedUntil not cleared")
	}
	other := MustUser(t, db, "other@example.org", domain.RoleReviewer)
	other.Email = "editor@example.org"
	wantCode(t, db.UpdateUser(ctx, other, u, "user.email"), domain.ECONFLICT)
	wantCode(t, db.UpdateUser(ctx, &domain.User{ID: 424242, Email: "x@example.org", Role: domain.RoleAdmin}, u, "x"), domain.ENOTFOUND)
	all, err := db.ListUsers(ctx)
	must(t, err)
	if len(all) != 2 || all[0].Email != "editor@example.org" {
		t.Fatalf("ListUsers = %d users", len(all))
	}
}

func testSessions(t *testing.T, db *store.DB) {
	u := MustUser(t, db, "s@example.org", domain.RoleEditor)
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	s := &domain.Session{IDHash: "h1", UserID: u.ID, CSRFToken: "c1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	must(t, db.CreateSession(ctx, s))
	must(t, db.CreateSession(ctx, &domain.Session{IDHash: "h2", UserID: u.ID, CSRFToken: "c2", CreatedAt: now, ExpiresAt: now.Add(-time.Minute)}))
	wantCode(t, db.CreateSession(ctx, &domain.Session{IDHash: "h1", UserID: u.ID, ExpiresAt: now}), domain.ECONFLICT)
	got, err := db.FindSession(ctx, "h1")
	must(t, err)
	if got.UserID != u.ID || got.CSRFToken != "c1" || !got.ExpiresAt.Equal(now.Add(time.Hour)) || got.TOTPPassed {
		t.Fatalf("FindSession = %+v", got)
	}
	got.TOTPPassed, got.CSRFToken, got.LastSeenAt = true, "c1b", now.Add(time.Minute)
	must(t, db.UpdateSession(ctx, got))
	got, _ = db.FindSession(ctx, "h1")
	if !got.TOTPPassed || got.CSRFToken != "c1b" {
		t.Fatalf("UpdateSession not saved: %+v", got)
	}
	wantCode(t, db.UpdateSession(ctx, &domain.Session{IDHash: "nope"}), domain.ENOTFOUND)
	n, err := db.DeleteExpiredSessions(ctx, now)
	must(t, err)
	if n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, want 1", n)
	}
	must(t, db.DeleteSession(ctx, "h1"))
	_, err = db.FindSession(ctx, "h1")
	wantCode(t, err, domain.ENOTFOUND)
	must(t, db.CreateSession(ctx, &domain.Session{IDHash: "h3", UserID: u.ID, ExpiresAt: now.Add(time.Hour)}))
	must(t, db.DeleteUserSessions(ctx, u.ID))
	_, err = db.FindSession(ctx, "h3")
	wantCode(t, err, domain.ENOTFOUND)
}

func testAudit(t *testing.T, db *store.DB) {
	u := MustUser(t, db, "a@example.org", domain.RoleAdmin)
	for i := 0; i < 5; i++ {
		must(t, db.RecordAudit(ctx, &domain.AuditEntry{UserID: u.ID, UserEmail: u.Email, Action: "test.action", Object: fmt.Sprintf("thing:%d", i%2)}))
	}
	wantCode(t, db.RecordAudit(ctx, &domain.AuditEntry{}), domain.EINVALID)
	list, total, err := db.ListAudit(ctx, domain.AuditFilter{Action: "test.action", PerPage: 2, Page: 2})
	must(t, err)
	if total != 5 || len(list) != 2 || list[0].ID <= list[1].ID {
		t.Fatalf("ListAudit page 2: total %d, %d rows", total, len(list))
	}
	list, total, err = db.ListAudit(ctx, domain.AuditFilter{Object: "thing:1", UserID: u.ID})
	must(t, err)
	if total != 2 || len(list) != 2 || list[0].UserEmail != u.Email || list[0].CreatedAt.IsZero() {
		t.Fatalf("ListAudit by object: total %d", total)
	}
	// The CLI creating the first admin has no user: user id 0.
	list, _, err = db.ListAudit(ctx, domain.AuditFilter{Action: "user.create"})
	must(t, err)
	if len(list) != 1 || list[0].UserID != 0 {
		t.Fatalf("user.create audit = %+v", list)
	}
}

var reRef = regexp.MustCompile(`^PK-2024-\d{4}$`)

func testCreateUpdate(t *testing.T, db *store.DB) {
	ed := MustUser(t, db, "ed@example.org", domain.RoleEditor)
	inc := NewIncident("Reporter arrested in Lahore")
	must(t, db.CreateIncident(ctx, inc, ed, "first"))
	if inc.ID == 0 || !reRef.MatchString(inc.Ref) || inc.Version != 1 || inc.Slug != "reporter-arrested-in-lahore" || inc.Publication != domain.PublicationDraft {
		t.Fatalf("created: id %d ref %q version %d slug %q pub %q", inc.ID, inc.Ref, inc.Version, inc.Slug, inc.Publication)
	}
	second := NewIncident("صحافی گرفتار")
	must(t, db.CreateIncident(ctx, second, ed, ""))
	if second.Ref == inc.Ref || second.Slug != strings.ToLower(second.Ref) {
		t.Fatalf("second: ref %q slug %q", second.Ref, second.Slug)
	}
	unknownDate := NewIncident("Date unknown")
	unknownDate.DatePrecision, unknownDate.DateStart = domain.PrecisionUnknown, ""
	must(t, db.CreateIncident(ctx, unknownDate, ed, ""))
	if !strings.HasPrefix(unknownDate.Ref, "PK-2025-") {
		t.Errorf("ref of an undated incident = %q, want the current year", unknownDate.Ref)
	}
	bad := NewIncident("x")
	bad.Country = "Pakistan"
	wantCode(t, db.CreateIncident(ctx, bad, ed, ""), domain.EINVALID)

	got, err := db.FindIncidentByRef(ctx, strings.ToLower(inc.Ref))
	must(t, err)
	if got.ID != inc.ID || got.Title != inc.Title || len(got.Violations) != 1 || got.CreatedBy != ed.ID {
		t.Fatalf("FindIncidentByRef = %+v", got)
	}
	_, err = db.FindIncident(ctx, 987654)
	wantCode(t, err, domain.ENOTFOUND)
	_, err = db.FindIncidentByRef(ctx, "PK-1999-0001")
	wantCode(t, err, domain.ENOTFOUND)

	got.Title = "Reporter arrested and beaten in Lahore"
	must(t, db.UpdateIncident(ctx, got, ed, "added beating"))
	if got.Version != 2 || got.Ref != inc.Ref {
		t.Fatalf("after update: version %d ref %s", got.Version, got.Ref)
	}
	stale := *inc // still at version 1
	stale.Title = "Stale edit"
	wantCode(t, db.UpdateIncident(ctx, &stale, ed, ""), domain.ECONFLICT)
	missing := NewIncident("Missing")
	missing.ID, missing.Version = 424242, 1
	wantCode(t, db.UpdateIncident(ctx, missing, ed, ""), domain.ENOTFOUND)

	revs, err := db.Revisions(ctx, inc.ID)
	must(t, err)
	if len(revs) != 2 || revs[0].Number != 2 || revs[0].Note != "added beating" || revs[0].AuthorName != "ed" || len(revs[1].Doc) == 0 {
		t.Fatalf("revisions = %+v", revs)
	}
	r1, err := db.FindRevision(ctx, inc.ID, 1)
	must(t, err)
	if !strings.Contains(string(r1.Doc), "Reporter arrested in Lahore") {
		t.Errorf("revision 1 doc lacks the first title: %s", r1.Doc)
	}
	_, err = db.FindRevision(ctx, inc.ID, 3)
	wantCode(t, err, domain.ENOTFOUND)
	_, err = db.Revisions(ctx, 424242)
	wantCode(t, err, domain.ENOTFOUND)
	entries, _, err := db.ListAudit(ctx, domain.AuditFilter{Object: fmt.Sprintf("incident:%d", inc.ID)})
	must(t, err)
	if len(entries) != 2 {
		t.Errorf("audit rows for the incident = %d, want 2 (create, update)", len(entries))
	}
}

func countLog(t *testing.T, db *store.DB, kind, ref string) int {
	t.Helper()
	var n int
	must(t, db.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM log_entries WHERE kind = ? AND ref = ? AND idx IS NULL", kind, ref).Scan(&n))
	return n
}

func testWorkflow(t *testing.T, db *store.DB) {
	ed := MustUser(t, db, "ed@example.org", domain.RoleEditor)
	ed2 := MustUser(t, db, "ed2@example.org", domain.RoleEditor)
	inc := NewIncident("Channel taken off air")
	must(t, db.CreateIncident(ctx, inc, ed, ""))
	id := inc.ID

	_, err := db.FindPublic(ctx, inc.Ref)
	wantCode(t, err, domain.ENOTFOUND) // drafts are never public
	wantCode(t, db.Approve(ctx, id, 1, ed2, ""), domain.ECONFLICT)
	_, err = db.Publish(ctx, id, 1, ed)
	wantCode(t, err, domain.ECONFLICT)
	_, err = db.Transition(ctx, id, 2, domain.ActionSubmit, ed, "")
	wantCode(t, err, domain.ECONFLICT) // stale version
	_, err = db.Transition(ctx, id, 1, "return", ed, "")
	wantCode(t, err, domain.ECONFLICT) // not in review
	_, err = db.Transition(ctx, id, 1, "fly", ed, "")
	wantCode(t, err, domain.EINVALID)
	_, err = db.Transition(ctx, 424242, 1, domain.ActionSubmit, ed, "")
	wantCode(t, err, domain.ENOTFOUND)

	got, err := db.Transition(ctx, id, 1, domain.ActionSubmit, ed, "please review")
	must(t, err)
	if got.Publication != domain.PublicationInReview {
		t.Fatalf("after submit: %s", got.Publication)
	}
	// The author's own approval is not a second person's.
	must(t, db.Approve(ctx, id, 1, ed, "self"))
	_, err = db.Publish(ctx, id, 1, ed)
	wantCode(t, err, domain.EFORBIDDEN)
	wantCode(t, db.Approve(ctx, id, 2, ed2, ""), domain.ECONFLICT)
	must(t, db.Approve(ctx, id, 1, ed2, "looks right"))
	must(t, db.Approve(ctx, id, 1, ed2, "twice is fine"))
	apps, err := db.Approvals(ctx, id)
	must(t, err)
	if len(apps) != 2 {
		t.Fatalf("approvals = %d, want 2", len(apps))
	}
	pub, err := db.Publish(ctx, id, 1, ed)
	must(t, err)
	if pub.Status != domain.PublicationPublished || pub.Revision != 1 || pub.Ref != inc.Ref || pub.ID != id {
		t.Fatalf("published = %+v", pub)
	}
	if countLog(t, db, "incident_revision", inc.Ref) != 1 {
		t.Error("publish wrote no log entry")
	}
	fp, err := db.FindPublic(ctx, inc.Ref)
	must(t, err)
	if fp.ContentHash() != pub.ContentHash() || len(fp.Sources) != 1 {
		t.Fatalf("FindPublic differs from Publish result or shows internal sources (%d)", len(fp.Sources))
	}
	_, err = db.Publish(ctx, id, 1, ed2)
	wantCode(t, err, domain.ECONFLICT) // already published

	// Editing moves the working copy to draft; readers keep revision 1.
	w, err := db.FindIncident(ctx, id)
	must(t, err)
	if w.Publication != domain.PublicationPublished || w.PublishedVersion != 1 || w.PublishedAt == nil {
		t.Fatalf("working copy after publish: %s v%d", w.Publication, w.PublishedVersion)
	}
	w.Title = "Channel taken off air for a week"
	must(t, db.UpdateIncident(ctx, w, ed, ""))
	if w.Publication != domain.PublicationDraft || w.PublishedVersion != 1 {
		t.Fatalf("edited published incident: %s v%d", w.Publication, w.PublishedVersion)
	}
	fp, err = db.FindPublic(ctx, inc.Ref)
	must(t, err)
	if fp.Title != "Channel taken off air" {
		t.Fatalf("public title changed before republication: %q", fp.Title)
	}
	// Republish revision 2.
	_, err = db.Transition(ctx, id, 2, domain.ActionSubmit, ed, "")
	must(t, err)
	must(t, db.Approve(ctx, id, 2, ed2, ""))
	pub2, err := db.Publish(ctx, id, 2, ed)
	must(t, err)
	if pub2.Title != w.Title || pub2.Revision != 2 || !pub2.FirstPublishedAt.Equal(pub.FirstPublishedAt) {
		t.Fatalf("republished: %q rev %d first %v / %v", pub2.Title, pub2.Revision, pub2.FirstPublishedAt, pub.FirstPublishedAt)
	}
	page, err := db.SearchPublic(ctx, domain.IncidentFilter{})
	must(t, err)
	if page.Total != 1 {
		t.Fatalf("search after publish: total %d", page.Total)
	}

	_, err = db.Withdraw(ctx, id, " ", ed)
	wantCode(t, err, domain.EINVALID)
	wd, err := db.Withdraw(ctx, id, "The source recanted.", ed)
	must(t, err)
	if wd.Status != domain.PublicationWithdrawn || wd.WithdrawalReason != "The source recanted." {
		t.Fatalf("withdrawn = %+v", wd)
	}
	fp, err = db.FindPublic(ctx, inc.Ref)
	must(t, err)
	if fp.Status != domain.PublicationWithdrawn || fp.Title != w.Title {
		t.Fatalf("withdrawn public page: %s %q", fp.Status, fp.Title)
	}
	if countLog(t, db, "withdrawal", inc.Ref) != 1 {
		t.Error("withdraw wrote no log entry")
	}
	page, err = db.SearchPublic(ctx, domain.IncidentFilter{Q: "channel"})
	must(t, err)
	if page.Total != 0 {
		t.Errorf("withdrawn incident still found by search")
	}
	facets, err := db.Facets(ctx, domain.IncidentFilter{})
	must(t, err)
	if facets.Incidents != 0 || len(facets.Fields["category"]) != 0 {
		t.Errorf("withdrawn incident still counted in facets: %+v", facets)
	}
	_, err = db.Withdraw(ctx, id, "again", ed)
	wantCode(t, err, domain.ECONFLICT)
	wl, err := db.ListWithdrawn(ctx)
	must(t, err)
	if len(wl) != 1 || wl[0].Ref != inc.Ref {
		t.Errorf("ListWithdrawn = %d", len(wl))
	}
	w, _ = db.FindIncident(ctx, id)
	if w.Publication != domain.PublicationWithdrawn {
		t.Errorf("working copy after withdraw: %s", w.Publication)
	}
	got, err = db.Transition(ctx, id, w.Version, "reopen", ed, "")
	must(t, err)
	if got.Publication != domain.PublicationDraft {
		t.Errorf("reopen: %s", got.Publication)
	}
}

func publishNow(t *testing.T, db *store.DB, inc *domain.Incident, ed, ed2 *domain.User) *domain.PublicIncident {
	t.Helper()
	must(t, db.CreateIncident(ctx, inc, ed, ""))
	_, err := db.Transition(ctx, inc.ID, inc.Version, domain.ActionSubmit, ed, "")
	must(t, err)
	must(t, db.Approve(ctx, inc.ID, inc.Version, ed2, ""))
	p, err := db.Publish(ctx, inc.ID, inc.Version, ed)
	must(t, err)
	return p
}

func testPublicViewProtects(t *testing.T, db *store.DB) {
	ed := MustUser(t, db, "ed@example.org", domain.RoleEditor)
	ed2 := MustUser(t, db, "ed2@example.org", domain.RoleEditor)
	inc := NewIncident("Anonymous source threatened")
	inc.Sensitivity = domain.SensitivityProtectIdentity
	inc.Violations[0].Targets[0].Name = "Zarmina Secretname"
	p := publishNow(t, db, inc, ed, ed2)
	fp, err := db.FindPublic(ctx, p.Ref)
	must(t, err)
	tg := fp.Violations[0].Targets[0]
	if tg.Name != "" || !tg.NameWithheld {
		t.Fatalf("protected name is public: %+v", tg)
	}
	for _, q := range []string{"Zarmina", "Secretname"} {
		page, err := db.SearchPublic(ctx, domain.IncidentFilter{Q: q})
		must(t, err)
		if page.Total != 0 {
			t.Errorf("search for the protected name %q finds the incident", q)
		}
	}
	var n int
	must(t, db.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM public_incidents WHERE CAST(doc AS TEXT) LIKE ?", "%Secretname%").Scan(&n))
	if n != 0 {
		t.Error("protected name stored in the public row")
	}
	// Embargoed incidents cannot be published before the embargo ends.
	emb := NewIncident("Embargoed story")
	emb.Sensitivity, emb.EmbargoUntil = domain.SensitivityEmbargoed, "2099-01-01"
	must(t, db.CreateIncident(ctx, emb, ed, ""))
	_, err = db.Transition(ctx, emb.ID, 1, domain.ActionSubmit, ed, "")
	must(t, err)
	must(t, db.Approve(ctx, emb.ID, 1, ed2, ""))
	_, err = db.Publish(ctx, emb.ID, 1, ed)
	wantCode(t, err, domain.ECONFLICT)
}

func testComments(t *testing.T, db *store.DB) {
	ed := MustUser(t, db, "ed@example.org", domain.RoleEditor)
	rv := MustUser(t, db, "rv@example.org", domain.RoleReviewer)
	inc := NewIncident("Commented")
	must(t, db.CreateIncident(ctx, inc, ed, ""))
	c := &domain.Comment{IncidentID: inc.ID, UserID: rv.ID, Text: " Check the date. "}
	must(t, db.AddComment(ctx, c))
	if c.ID == 0 || c.CreatedAt.IsZero() {
		t.Fatalf("comment = %+v", c)
	}
	wantCode(t, db.AddComment(ctx, &domain.Comment{IncidentID: inc.ID, UserID: rv.ID, Text: "  "}), domain.EINVALID)
	wantCode(t, db.AddComment(ctx, &domain.Comment{IncidentID: 424242, UserID: rv.ID, Text: "x"}), domain.ENOTFOUND)
	cs, err := db.Comments(ctx, inc.ID)
	must(t, err)
	if len(cs) != 1 || cs[0].Text != "Check the date." || cs[0].UserName != "rv" {
		t.Fatalf("comments = %+v", cs)
	}
}

func testListIncidents(t *testing.T, db *store.DB) {
	ed := MustUser(t, db, "ed@example.org", domain.RoleEditor)
	for i := 0; i < 7; i++ {
		inc := NewIncident(fmt.Sprintf("Incident %d 100%%_done", i))
		if i%2 == 1 {
			inc.Country, inc.Admin1 = "IN", ""
			inc.Violations[0].Category = "website_blocked"
		}
		must(t, db.CreateIncident(ctx, inc, ed, ""))
		if i == 3 {
			_, err := db.Transition(ctx, inc.ID, 1, domain.ActionSubmit, ed, "")
			must(t, err)
		}
	}
	tests := []struct {
		name string
		f    domain.StaffFilter
		want int
	}{
		{"all", domain.StaffFilter{}, 7},
		{"country", domain.StaffFilter{Country: "in"}, 3},
		{"category", domain.StaffFilter{Category: "website_blocked"}, 3},
		{"category and country", domain.StaffFilter{Category: "website_blocked", Country: "PK"}, 0},
		{"in review", domain.StaffFilter{Publication: []string{domain.PublicationInReview}}, 1},
		{"q", domain.StaffFilter{Q: "incident 4"}, 1},
		{"q with wildcards is literal", domain.StaffFilter{Q: "%_"}, 7},
		{"q wildcard alone", domain.StaffFilter{Q: "_x"}, 0},
		{"ref", domain.StaffFilter{Q: "pk-2024"}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := db.ListIncidents(ctx, tc.f)
			must(t, err)
			if total != tc.want || len(list) != tc.want {
				t.Fatalf("total %d, %d rows; want %d", total, len(list), tc.want)
			}
		})
	}
	list, total, err := db.ListIncidents(ctx, domain.StaffFilter{PerPage: 3, Page: 3})
	must(t, err)
	if total != 7 || len(list) != 1 {
		t.Fatalf("page 3 of 3: total %d rows %d", total, len(list))
	}
}
