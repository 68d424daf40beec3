package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/stories"
)

// dbKeys reads editors' keys from the intake tables (as cli wires it).
type dbKeys struct{ db *store.DB }

func (k dbKeys) StaffKey(ctx context.Context, id int64) (*stories.Key, error) {
	ek, err := k.db.EditorKey(ctx, id)
	if err != nil {
		return nil, err
	}
	return &stories.Key{UserID: ek.UserID, PublicKey: ek.PublicKey, Wrapped: ek.Wrapped}, nil
}

func (k dbKeys) StaffKeys(ctx context.Context) ([]*stories.Key, error) {
	list, err := k.db.EditorKeys(ctx)
	var out []*stories.Key
	for _, ek := range list {
		out = append(out, &stories.Key{UserID: ek.UserID, Name: "Editor", PublicKey: ek.PublicKey, Wrapped: ek.Wrapped})
	}
	return out, err
}

// mustStoriesEnv is MustEnv with stories wired and editor keys for
// "editor" and "editor2".
func mustStoriesEnv(t *testing.T) (*env, *stories.Service) {
	t.Helper()
	e := MustEnv(t)
	ctx := context.Background()
	pub, wrapped, err := intake.NewEditorKey(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"editor", "editor2"} {
		if err := e.db.SaveEditorKey(ctx, &domain.EditorKey{UserID: e.users[name].u.ID, PublicKey: pub, Wrapped: wrapped,
			CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	svc := stories.New(e.db, e.db, e.db, dbKeys{e.db}, []byte(strings.Repeat("p", 32)), nil)
	svc.Now = e.clock.Now
	srv, err := New(Options{Service: e.svc, Public: e.db, Sessions: e.db, Now: e.clock.Now, Stories: svc, LogContent: e.db.FindLogContent})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(srv)
	t.Cleanup(e.ts.Close)
	return e, svc
}

const anonName = "Tahira Secretname Vk"

func TestStoriesPublicAndAdmin(t *testing.T) {
	e, svc := mustStoriesEnv(t)
	ctx := context.Background()
	ref := e.mustPublished(sampleIncident("Reporter beaten"))
	c := e.client()
	c.login("editor")
	// Create through the back-office form, with the anonymous author's real name.
	form := url.Values{"kind": {"testimony"}, "title": {"The night they called"}, "standfirst": {"A reporter's account."},
		"body": {"They told me to **stop**."}, "language": {"en"}, "country": {"PK"}, "topics": {"threats"},
		"author_display": {"anonymous"}, "real_name": {anonName}, "incidents": {ref}, "evidence": {"https://news.example/x A report"}}
	r := c.submit("/admin/stories/new", "/admin/stories/new", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.status, excerpt(r.body))
	}
	loc := r.header.Get("Location")
	id := regexp.MustCompile(`/admin/stories/(\d+)`).FindStringSubmatch(loc)[1]
	if r = c.get(loc); r.status != 200 || strings.Contains(r.body, anonName) {
		t.Fatalf("admin page: %d (the real name must never be shown)", r.status)
	}
	page := "/admin/stories/" + id
	if r = c.submit(page, page+"/submit", url.Values{"version": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.status)
	}
	c2 := e.client()
	c2.login("editor2")
	if r = c2.submit(page, page+"/approve", url.Values{"version": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.status, excerpt(r.body))
	}
	if r = c.submit(page, page+"/publish", url.Values{"version": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", r.status, excerpt(r.body))
	}
	list, _ := svc.Search(ctx, domain.StoryFilter{})
	if list.Total != 1 {
		t.Fatalf("published stories: %d", list.Total)
	}
	slug := list.Items[0].Slug
	v := e.client()
	for _, p := range []string{"/", "/stories", "/stories?kind=testimony&topic=threats", "/stories.atom", "/stories.json",
		"/stories/" + slug, "/stories/" + slug + ".json", "/ur/stories/" + slug, "/incidents/" + ref,
		store.StoryContentPath(slug, list.Items[0].ContentHash())} {
		r := v.get(p)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", p, r.status, excerpt(r.body))
		}
		if !strings.Contains(r.body, "The night they called") {
			t.Errorf("GET %s: the story is missing", p)
		}
		if strings.Contains(r.body, anonName) || strings.Contains(r.body, "Secretname") {
			t.Fatalf("GET %s: the anonymous author's name leaked", p)
		}
	}
	if r := v.get("/ur/stories/" + slug); !strings.Contains(r.body, `dir="rtl"`) {
		t.Errorf("Urdu page is not right-to-left")
	}
	if r := v.get("/stories?kind=nonsense"); r.status != http.StatusBadRequest {
		t.Errorf("bad filter: %d", r.status)
	}
	if r := v.get("/stories/no-such-story"); r.status != http.StatusNotFound {
		t.Errorf("missing story: %d", r.status)
	}
	// The name is nowhere at rest either (database and WAL).
	dir := filepath.Dir(mustDBPath(t, e))
	entries, _ := os.ReadDir(dir)
	for _, en := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, en.Name()))
		if strings.Contains(string(b), anonName) {
			t.Fatalf("the anonymous author's name is in %s", en.Name())
		}
	}
}

func mustDBPath(t *testing.T, e *env) string {
	t.Helper()
	var file string
	rows, err := e.db.Reader().Query(context.Background(), "PRAGMA database_list")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var name string
		if err := rows.Scan(&seq, &name, &file); err != nil {
			t.Fatal(err)
		}
	}
	return file
}

func TestSafeboxForms(t *testing.T) {
	e, _ := mustStoriesEnv(t)
	v := e.client()
	if r := v.get("/safebox"); r.status != 200 {
		t.Fatalf("/safebox: %d", r.status)
	}
	r := v.submit("/safebox", "/safebox/deposit", url.Values{"title": {"Ledger"}, "text": {"sealed words"}, "every": {"14"}, "grace": {"7"},
		"on_silence": {"alert"}, "reader": {itoa(int(e.users["editor2"].u.ID))}})
	if r.status != 200 || !strings.Contains(r.body, "Your deposit is sealed") {
		t.Fatalf("deposit: %d %s", r.status, excerpt(r.body))
	}
	code := regexp.MustCompile(`<p class="codename"><strong>([^<]+)</strong>`).FindStringSubmatch(r.body)
	if code == nil {
		t.Fatal("no codename shown")
	}
	r = v.submit("/safebox", "/safebox/checkin", url.Values{"codename": {code[1]}})
	if r.status != 200 || !strings.Contains(r.body, "checked in") {
		t.Fatalf("check in: %d %s", r.status, excerpt(r.body))
	}
	if strings.Contains(r.body, code[1]) {
		t.Fatalf("the codename is echoed back")
	}
	// Editors see it exists; a named reader reads it with the password.
	c := e.client()
	c.login("editor")
	if r := c.get("/admin/safebox"); r.status != 200 || !strings.Contains(r.body, "deposit-") || strings.Contains(r.body, "sealed words") {
		t.Fatalf("/admin/safebox: %d", r.status)
	}
	if r := c.get("/admin/safebox/1"); r.status != 200 || strings.Contains(r.body, "rd-pw") {
		t.Fatalf("non-reader sees a read form: %d", r.status)
	}
	if r := c.submit("/admin/safebox/1", "/admin/safebox/1/read", url.Values{"password": {testPassword}}); r.status != http.StatusNotFound {
		t.Fatalf("non-reader read: %d", r.status)
	}
	if r := c.get("/admin/safebox/99"); r.status != http.StatusNotFound {
		t.Fatalf("missing deposit: %d", r.status)
	}
	c2 := e.client()
	c2.login("editor2")
	if r := c2.submit("/admin/safebox/1", "/admin/safebox/1/read", url.Values{"password": {testPassword}}); r.status != 200 || !strings.Contains(r.body, "sealed words") {
		t.Fatalf("named reader: %d %s", r.status, excerpt(r.body))
	}
	// Cancel destroys it.
	r = v.submit("/safebox", "/safebox/cancel", url.Values{"codename": {code[1]}, "deposit": {"1"}, "confirm": {"destroy"}})
	if r.status != 200 || !strings.Contains(r.body, "destroyed") {
		t.Fatalf("cancel: %d %s", r.status, excerpt(r.body))
	}
	if r := c.get("/admin/safebox/1"); r.status != http.StatusNotFound {
		t.Fatalf("after cancel: %d", r.status)
	}
}
