package editorial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// clock is a settable clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// cheap keeps the tests fast; production uses DefaultPasswordParams.
var cheap = editorial.PasswordParams{Time: 1, Memory: 1024, Threads: 1}

func newService(t *testing.T) (*editorial.Service, *clock) {
	t.Helper()
	db := storetest.MustOpenSQLite(t)
	svc := editorial.New(db, db, db, db, db, nil)
	svc.SetPasswordParams(cheap)
	c := &clock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	svc.Now = c.now
	db.Now = c.now
	return svc, c
}

func mustUser(t *testing.T, svc *editorial.Service, email, role string) *domain.User {
	t.Helper()
	u, err := svc.CreateUser(context.Background(), nil, email, email, role, "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func incident() *domain.Incident {
	return &domain.Incident{Title: "Reporter detained", DateStart: "2024-03-05", Country: "PK",
		Violations: []domain.Violation{{Category: "arrest_detention",
			Targets: []domain.Target{{Kind: "person", Name: "A. Reporter"}}}}}
}

func code(err error) string { return domain.ErrorCode(err) }

func TestTwoPersonRule(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	ed1 := mustUser(t, svc, "ed1@example.org", domain.RoleEditor)
	ed2 := mustUser(t, svc, "ed2@example.org", domain.RoleEditor)
	rev := mustUser(t, svc, "rev@example.org", domain.RoleReviewer)

	inc := incident()
	if err := svc.CreateIncident(ctx, rev, inc, ""); code(err) != domain.EFORBIDDEN {
		t.Fatalf("a reviewer created an incident: %v", err)
	}
	if err := svc.CreateIncident(ctx, ed1, inc, "first"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Submit(ctx, ed1, inc.ID, inc.Version, ""); err != nil {
		t.Fatal(err)
	}
	if err := svc.Approve(ctx, ed1, inc.ID, inc.Version, ""); code(err) != domain.EFORBIDDEN {
		t.Fatalf("the author approved their own revision: %v", err)
	}
	if _, err := svc.Publish(ctx, ed1, inc.ID, inc.Version); code(err) != domain.EFORBIDDEN {
		t.Fatalf("published without a second person: %v", err)
	}
	if err := svc.Approve(ctx, rev, inc.ID, inc.Version, "ok"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, rev, inc.ID, inc.Version); code(err) != domain.EFORBIDDEN {
		t.Fatalf("a reviewer published: %v", err)
	}
	// The approver cannot publish on their own approval either: ed2 approves, ed2 publishes is fine
	// only because rev approved too; the store checks "approved by someone else than the publisher".
	pub, err := svc.Publish(ctx, ed2, inc.ID, inc.Version)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Ref == "" || pub.Status != domain.PublicationPublished {
		t.Fatalf("published %+v", pub)
	}
	// Editing a published incident needs a fresh review.
	cur, _ := svc.FindIncident(ctx, ed1, inc.ID)
	cur.Summary = "Updated after the release."
	if err := svc.UpdateIncident(ctx, ed1, cur, "update"); err != nil {
		t.Fatal(err)
	}
	if cur.Publication != domain.PublicationDraft {
		t.Fatalf("edited published incident is %s, want draft", cur.Publication)
	}
	stale := *cur
	stale.Version--
	if err := svc.UpdateIncident(ctx, ed2, &stale, ""); code(err) != domain.ECONFLICT {
		t.Fatalf("stale version: %v", err)
	}
	if _, err := svc.Withdraw(ctx, ed1, inc.ID, " "); code(err) != domain.EINVALID {
		t.Fatalf("withdraw without reason: %v", err)
	}
	lines, err := svc.Diff(ctx, rev, inc.ID, 1, cur.Version)
	if err != nil {
		t.Fatal(err)
	}
	var added bool
	for _, l := range lines {
		added = added || (l.Op == "+" && strings.Contains(l.Text, "Updated after the release."))
	}
	if !added {
		t.Fatalf("diff does not show the new summary: %+v", lines)
	}
}

func TestLoginThrottle(t *testing.T) {
	ctx := context.Background()
	svc, c := newService(t)
	u := mustUser(t, svc, "ed@example.org", domain.RoleEditor)
	for i := 0; i < editorial.MaxFailures; i++ {
		if _, err := svc.Login(ctx, u.Email, "wrong"); code(err) != domain.EUNAUTHORIZED {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	// Failures spread over more than the window do not lock.
	c.t = c.t.Add(editorial.FailureWindow + time.Second)
	if _, err := svc.Login(ctx, u.Email, "a long enough password"); err != nil {
		t.Fatalf("correct password after the window: %v", err)
	}
	for i := 0; i <= editorial.MaxFailures; i++ {
		svc.Login(ctx, u.Email, "wrong")
	}
	if _, err := svc.Login(ctx, u.Email, "a long enough password"); code(err) != domain.ETOOMANY {
		t.Fatalf("a locked account accepted the right password: %v", err)
	}
	c.t = c.t.Add(editorial.LockDuration + time.Second)
	if _, err := svc.Login(ctx, u.Email, "a long enough password"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	if _, err := svc.Login(ctx, "nobody@example.org", "x"); code(err) != domain.EUNAUTHORIZED {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestTOTPReplay(t *testing.T) {
	ctx := context.Background()
	svc, c := newService(t)
	u := mustUser(t, svc, "ed@example.org", domain.RoleEditor)
	secret, url, err := svc.NewTOTPSecret(u)
	if err != nil || url == "" {
		t.Fatal(err)
	}
	cd, _ := totp.GenerateCode(secret, c.t)
	wrong := string('0'+('1'-'0'+cd[0]-'0')%10) + cd[1:]
	if err := svc.EnrolTOTP(ctx, u, secret, wrong); code(err) != domain.EINVALID {
		t.Fatalf("enrolled with a wrong code: %v", err)
	}
	if err := svc.EnrolTOTP(ctx, u, secret, cd); err != nil {
		t.Fatal(err)
	}
	if err := svc.CheckTOTP(ctx, u, cd); code(err) != domain.EUNAUTHORIZED {
		t.Fatalf("a used code was accepted again: %v", err)
	}
	c.t = c.t.Add(30 * time.Second)
	next, _ := totp.GenerateCode(secret, c.t)
	if err := svc.CheckTOTP(ctx, u, next); err != nil {
		t.Fatalf("the next code: %v", err)
	}
}

func TestPasswordChangeEndsSessions(t *testing.T) {
	ctx := context.Background()
	svc, c := newService(t)
	u := mustUser(t, svc, "ed@example.org", domain.RoleEditor)
	s := &domain.Session{IDHash: "abc", UserID: u.ID, CreatedAt: c.t, LastSeenAt: c.t, ExpiresAt: c.t.Add(time.Hour)}
	if err := svc.Sessions.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := svc.ChangePassword(ctx, u, u.ID, "wrong old password", "a new long password"); code(err) != domain.EINVALID {
		t.Fatalf("changed with a wrong old password: %v", err)
	}
	if err := svc.ChangePassword(ctx, u, u.ID, "a long enough password", "short"); code(err) != domain.EINVALID {
		t.Fatalf("accepted a short password: %v", err)
	}
	if err := svc.ChangePassword(ctx, u, u.ID, "a long enough password", "a new long password"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Sessions.FindSession(ctx, "abc"); code(err) != domain.ENOTFOUND {
		t.Fatalf("session survived the password change: %v", err)
	}
	if _, err := svc.Login(ctx, u.Email, "a new long password"); err != nil {
		t.Fatal(err)
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := editorial.HashPassword("secret password", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !editorial.CheckPassword(h, "secret password") || editorial.CheckPassword(h, "Secret password") {
		t.Fatal("CheckPassword disagrees with HashPassword")
	}
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$v=1$x$y$z", h[:len(h)-3]} {
		if editorial.CheckPassword(bad, "secret password") {
			t.Fatalf("accepted malformed hash %q", bad)
		}
	}
}

func BenchmarkCreateIncident(b *testing.B) {
	ctx := context.Background()
	db := storetest.MustOpenSQLite(b)
	svc := editorial.New(db, db, db, db, db, nil)
	svc.SetPasswordParams(cheap)
	u, err := svc.CreateUser(ctx, nil, "ed@example.org", "", domain.RoleEditor, "a long enough password")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := svc.CreateIncident(ctx, u, incident(), ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "incidents/s")
}

// An unchanged vocabulary keeps its identity across reloads (the page cache
// keys on it); a changed one does not.
func TestVocabReloadKeepsIdentityUntilChanged(t *testing.T) {
	ctx := context.Background()
	svc, c := newService(t)
	admin := mustUser(t, svc, "admin@example.org", domain.RoleAdmin)
	_, first, err := svc.Vocab(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Minute)
	time.Sleep(10 * time.Millisecond)
	svc.SaveTerm(ctx, admin, first[0]) // unchanged term: a reload, same content
	_, again, _ := svc.Vocab(ctx)
	if &again[0] != &first[0] {
		t.Error("an unchanged vocabulary came back as a new load")
	}
	changed := first[0]
	changed.Labels = map[string]string{"en": "Renamed", "ur": "x", "hi": "y"}
	if err := svc.SaveTerm(ctx, admin, changed); err != nil {
		t.Fatal(err)
	}
	_, third, _ := svc.Vocab(ctx)
	if &third[0] == &first[0] || third[0].Labels["en"] != "Renamed" {
		t.Error("a changed vocabulary was not reloaded")
	}
}
