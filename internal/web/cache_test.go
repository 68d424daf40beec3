package web

import (
	"context"
	"strings"
	"testing"
)

// TestPageCacheFollowsThePublishedRecord: the cached /incidents page is
// the rendered one, and a publication or withdrawal shows at once.
func TestPageCacheFollowsThePublishedRecord(t *testing.T) {
	e := MustEnv(t)
	c := e.client()
	e.mustPublished(sampleIncident("First cached incident"))
	for _, path := range []string{"/incidents", "/ur/incidents", "/incidents?country=PK", "/incidents?lang=hi"} {
		a, b := c.get(path), c.get(path)
		if a.status != 200 || b.status != 200 || a.body != b.body {
			t.Fatalf("%s: %d then %d, same body %v", path, a.status, b.status, a.body == b.body)
		}
		for _, h := range []string{"Content-Security-Policy", "Content-Type", "Cache-Control", "X-Content-Type-Options"} {
			if a.header.Get(h) == "" || a.header.Get(h) != b.header.Get(h) {
				t.Errorf("%s: header %s %q then %q", path, h, a.header.Get(h), b.header.Get(h))
			}
		}
	}
	if en, ur := c.get("/incidents").body, c.get("/ur/incidents").body; en == ur {
		t.Fatal("English and Urdu pages are the same cached page")
	}

	ref := e.mustPublished(sampleIncident("Second cached incident"))
	if body := c.get("/incidents").body; !strings.Contains(body, "Second cached incident") {
		t.Fatal("a newly published incident is missing from the cached list")
	}
	if body := c.get("/incidents?country=PK").body; !strings.Contains(body, "Second cached incident") {
		t.Fatal("a newly published incident is missing from the cached filtered list")
	}
	inc, err := e.db.FindPublic(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Withdraw(context.Background(), e.users["editor"].u, inc.ID, "duplicate"); err != nil {
		t.Fatal(err)
	}
	if body := c.get("/incidents").body; strings.Contains(body, "Second cached incident") {
		t.Fatal("a withdrawn incident is still in the cached list")
	}
}
