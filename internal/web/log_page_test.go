package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/ledger"
)

// TestLogPages checks the public /log page, the incident page's log links,
// the byte-exact logged content and the back-office read-only banner.
func TestLogPages(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()
	problem := "the database looks restored from an older backup: log size 1 is below the last signed size 9"
	o := e.srv.opts
	o.Log = func(ctx context.Context) (*LogInfo, error) {
		return &LogInfo{Origin: "test/log", VerifierKey: "test/log+01234567+AQID", Checkpoint: "test/log\n1\nroot=\n\n— test/log sig\n",
			Size: 1, Witnesses: []WitnessInfo{{Name: "witness.example", Time: "2025-03-10T09:00:00Z"}}, ReadOnly: problem}, nil
	}
	o.LogContent = e.db.FindLogContent
	o.LogProblem = func() string { return problem }
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.ts.Close()
	e.srv, e.ts = srv, httptest.NewServer(srv)
	t.Cleanup(e.ts.Close)

	ref := e.mustPublished(sampleIncident("Reporter detained at the border"))
	c := e.client()
	if r := c.get("/incidents/" + ref); !strings.Contains(r.body, "Being entered in the public log") {
		t.Errorf("incident page before integration lacks the pending note: %s", excerpt(r.body))
	}
	lg, err := ledger.New(ledger.Config{Origin: "test/log", Storage: e.db.LogStorage()})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := lg.Integrate(ctx, 10); err != nil || n != 1 {
		t.Fatalf("Integrate = %d, %v", n, err)
	}
	r := c.get("/incidents/" + ref)
	if !strings.Contains(r.body, `href="/log/proof/0"`) || !strings.Contains(r.body, "Public log entry 0") {
		t.Fatalf("incident page lacks its log entry: %s", excerpt(r.body))
	}
	m := regexp.MustCompile(`href="(/incidents/[^"]+/content/([0-9a-f]{64})\.json)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("incident page lacks the logged content link: %s", excerpt(r.body))
	}
	r = c.get(m[1])
	sum := sha256.Sum256([]byte(r.body))
	if r.status != http.StatusOK || hex.EncodeToString(sum[:]) != m[2] || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("logged content: %d %s, SHA-256 %x, want %s", r.status, r.header.Get("Content-Type"), sum, m[2])
	}
	for _, p := range []string{"/incidents/" + ref + "/content/" + strings.Repeat("0", 64) + ".json", "/incidents/" + ref + "/content/x.txt", "/incidents/nope/content/a.json"} {
		if r := c.get(p); r.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, r.status)
		}
	}

	r = c.get("/log")
	for _, want := range []string{"test/log&#43;01234567&#43;AQID", "witness.example", "read-only", "presswatch verify --log"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/log lacks %q", want)
		}
	}
	if strings.Contains(c.get("/incidents").body, problem) {
		t.Error("the operators' banner is shown on public pages")
	}
	c.login("editor")
	if r := c.get("/admin/incidents"); !strings.Contains(r.body, problem) || !strings.Contains(r.body, `role="alert"`) {
		t.Errorf("back office lacks the read-only banner: %s", excerpt(r.body))
	}
}
