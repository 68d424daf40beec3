package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
)

// uncachedMirrors gives the store to the server without a cache (the
// product wraps it in mirror.Directory).
type uncachedMirrors struct{ *store.DB }

func (m uncachedMirrors) Cached(ctx context.Context) ([]*domain.Mirror, string, error) {
	list, err := m.ListMirrors(ctx)
	if err != nil {
		return nil, "", err
	}
	onion, err := m.OnionAddress(ctx)
	return list, onion, err
}

func mustMirrorEnv(t *testing.T) *env {
	e := MustEnv(t)
	e.srv.opts.Mirrors = uncachedMirrors{e.db}
	return e
}

func TestAdminMirrorsCRUD(t *testing.T) {
	e := mustMirrorEnv(t)
	ctx := context.Background()
	a := e.client()
	a.login("admin")
	if r := a.get("/admin/mirrors"); r.status != 200 || !strings.Contains(r.body, "No mirror is listed yet.") {
		t.Fatalf("list: %d %s", r.status, excerpt(r.body))
	}
	// Without a CSRF token: refused, nothing written.
	form := url.Values{"url": {"https://cdn.example.net/pw/"}, "kind": {"cdn"}, "label": {"Big CDN"}, "public": {"1"}}
	if r := a.post("/admin/mirrors", form); r.status != http.StatusForbidden {
		t.Fatalf("no token: %d", r.status)
	}
	if list, _ := e.db.ListMirrors(ctx); len(list) != 0 {
		t.Fatal("a POST without token wrote")
	}
	// Bad input: re-rendered with the field message.
	r := a.submit("/admin/mirrors", "/admin/mirrors", url.Values{"url": {"javascript:alert(1)"}, "kind": {"cdn"}})
	if r.status != 400 || !strings.Contains(r.body, "Give an http:// or https:// URL.") {
		t.Fatalf("bad URL: %d %s", r.status, excerpt(r.body))
	}
	r = a.submit("/admin/mirrors", "/admin/mirrors", form)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/mirrors?ok=created" {
		t.Fatalf("create: %d %s", r.status, r.header.Get("Location"))
	}
	r = a.submit("/admin/mirrors", "/admin/mirrors", url.Values{"url": {"https://hidden.example/"}, "kind": {"static"}, "label": {"Spare"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create private: %d", r.status)
	}
	r = a.submit("/admin/mirrors", "/admin/mirrors", url.Values{"kind": {"usb-note"}, "label": {"Ask the press club for a USB copy"}, "public": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create note: %d %s", r.status, excerpt(r.body))
	}
	onion := "http://pwexampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion/"
	if r := a.submit("/admin/mirrors", "/admin/mirrors/onion", url.Values{"onion": {"https://clearnet.example/"}}); r.status != 400 {
		t.Fatalf("clearnet onion: %d %s", r.status, excerpt(r.body))
	}
	if r := a.submit("/admin/mirrors", "/admin/mirrors/onion", url.Values{"onion": {onion}}); r.status != http.StatusSeeOther {
		t.Fatalf("onion: %d %s", r.status, excerpt(r.body))
	}
	list, _ := e.db.ListMirrors(ctx)
	if len(list) != 3 || !list[0].Public || list[1].Public {
		t.Fatalf("mirrors: %+v", list)
	}

	// Every public page links to the public ones, in every language.
	pub := e.client()
	for _, p := range []string{"/", "/incidents", "/ur/incidents", "/hi/", "/data"} {
		r := pub.get(p)
		if r.status != 200 {
			t.Fatalf("%s: %d", p, r.status)
		}
		for _, want := range []string{`<a href="https://cdn.example.net/pw/" rel="nofollow">Big CDN</a>`, "Ask the press club for a USB copy", onion, `href="/mirrors.json"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s: footer lacks %q", p, want)
			}
		}
		if strings.Contains(r.body, "hidden.example") {
			t.Errorf("%s shows a mirror that is not public", p)
		}
	}
	if r := pub.get("/"); !strings.Contains(r.body, "If this site is blocked, use:") {
		t.Error("English footer sentence missing")
	}
	if r := pub.get("/ur/"); !strings.Contains(r.body, "اگر یہ سائٹ بلاک ہو جائے تو یہ استعمال کریں:") {
		t.Error("Urdu footer sentence missing")
	}
	if r := pub.get("/hi/"); !strings.Contains(r.body, "अगर यह साइट ब्लॉक हो जाए") {
		t.Error("Hindi footer sentence missing")
	}

	// /mirrors.json: public mirrors with state and last verified checkpoint.
	at := time.Date(2025, 3, 10, 8, 0, 0, 0, time.UTC)
	if err := e.db.RecordMirrorCheck(ctx, list[0].ID, domain.MirrorCheck{State: domain.MirrorOK, Size: 12, Root: "ROOT=", CheckedAt: at, BuiltAt: at.Add(-time.Hour), Verified: true}); err != nil {
		t.Fatal(err)
	}
	r = pub.get("/mirrors.json")
	var mj MirrorsJSON
	if r.status != 200 || json.Unmarshal([]byte(r.body), &mj) != nil {
		t.Fatalf("/mirrors.json: %d %s", r.status, r.body)
	}
	if mj.Onion != onion || len(mj.Mirrors) != 2 || mj.Mirrors[0].URL != "https://cdn.example.net/pw/" || mj.Mirrors[0].State != "ok" ||
		mj.Mirrors[0].Verified == nil || mj.Mirrors[0].Verified.Size != 12 || mj.Mirrors[0].Verified.Root != "ROOT=" ||
		!mj.Mirrors[0].Verified.Time.Equal(at) || mj.Mirrors[1].Kind != "usb-note" || mj.Mirrors[1].State != "unchecked" || mj.Mirrors[1].Verified != nil {
		t.Fatalf("/mirrors.json = %s", r.body)
	}

	// Edit, then an alert once the watch finds it altered.
	id := itoa64(list[0].ID)
	if r := a.get("/admin/mirrors/" + id); r.status != 200 || !strings.Contains(r.body, "Big CDN") {
		t.Fatalf("edit form: %d", r.status)
	}
	r = a.submit("/admin/mirrors/"+id, "/admin/mirrors/"+id, url.Values{"url": {"https://cdn.example.net/pw/"}, "kind": {"cdn"}, "label": {"Huge CDN"}, "public": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("update: %d %s", r.status, excerpt(r.body))
	}
	r = a.submit("/admin/mirrors/"+id, "/admin/mirrors/"+id, url.Values{"url": {""}, "kind": {"cdn"}})
	if r.status != 400 || !strings.Contains(r.body, "Give the mirror") {
		t.Fatalf("bad update: %d", r.status)
	}
	if err := e.db.RecordMirrorCheck(ctx, list[0].ID, domain.MirrorCheck{State: domain.MirrorAltered, Problem: "its checkpoint is not signed by this instance's key"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/admin/incidents", "/admin/mirrors"} {
		if r := a.get(p); !strings.Contains(r.body, "A watched mirror needs attention: Huge CDN (altered).") {
			t.Errorf("%s: no alert: %s", p, excerpt(r.body))
		}
	}
	if r := a.get("/admin/mirrors"); !strings.Contains(r.body, "its checkpoint is not signed by this instance&#39;s key") {
		t.Error("the list does not show the problem")
	}
	if r := pub.get("/"); strings.Contains(r.body, "needs attention") {
		t.Error("public page shows the back-office alert")
	}

	// Reviewers see the list, cannot change it; unknown ids are 404.
	rv := e.client()
	rv.login("reviewer")
	if r := rv.get("/admin/mirrors"); r.status != 200 || strings.Contains(r.body, `action="/admin/mirrors/onion"`) {
		t.Fatalf("reviewer list: %d", r.status)
	}
	if r := rv.submit("/admin/mirrors", "/admin/mirrors/"+id+"/delete", nil); r.status != http.StatusForbidden {
		t.Fatalf("reviewer delete: %d", r.status)
	}
	for _, p := range []string{"/admin/mirrors/424242", "/admin/mirrors/x"} {
		if r := a.get(p); r.status != 404 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	if r := a.submit("/admin/mirrors", "/admin/mirrors/424242/delete", nil); r.status != 404 {
		t.Errorf("delete unknown: %d", r.status)
	}
	if r := a.submit("/admin/mirrors", "/admin/mirrors/"+id+"/delete", nil); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	if list, _ := e.db.ListMirrors(ctx); len(list) != 2 {
		t.Fatalf("after delete: %d mirrors", len(list))
	}
	rows, _, err := e.db.ListAudit(ctx, domain.AuditFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, row := range rows {
		if strings.HasPrefix(row.Action, "mirror.") {
			got++
		}
	}
	if got != 6 {
		t.Errorf("%d audit rows, want 6 (3 creates, onion, update, delete)", got)
	}
}

func TestMirrorsOffWithoutOption(t *testing.T) {
	e := MustEnv(t)
	c := e.client()
	if r := c.get("/mirrors.json"); r.status != 404 {
		t.Errorf("/mirrors.json without mirrors: %d", r.status)
	}
	if r := c.get("/"); strings.Contains(r.body, "mirrors.json") {
		t.Error("footer links to mirrors.json without mirrors")
	}
}

func itoa64(n int64) string { return itoa(int(n)) }
