package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/presswatch/presswatch/internal/intake"
)

const submitChromium = "/usr/bin/chromium"

// mustScriptlessBrowser starts headless Chromium (no sandbox, no background
// networking) with JavaScript disabled, or skips the test without it.
func mustScriptlessBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(submitChromium); err != nil {
		t.Skipf("chromium is not installed at %s; skipping the browser test", submitChromium)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(submitChromium), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1024, 900))
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTime := context.WithTimeout(ctx, 150*time.Second)
	t.Cleanup(func() { cancelTime(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable scripts: %v", err)
	}
	return ctx
}

// SECURITY.md check 6: the whole source flow in headless Chromium with
// JavaScript off — open /submit, write a message, attach a file, submit,
// read the codename; an editor (over HTTP) unlocks, reads and replies;
// the source comes back at /submit/login with the codename, reads the
// reply and sends one more message.
func TestSubmitInBrowserWithoutJavaScript(t *testing.T) {
	if testing.Short() {
		t.Skip("headless Chromium and Argon2id derivations")
	}
	ie := MustIntakeEnv(t, intake.Options{})
	ctx := mustScriptlessBrowser(t)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(`main`)))
			t.Fatalf("%s: %v\nat %s: %s\nlogs: %s", what, err, loc, excerpt(html), ie.logs.Bytes())
		}
	}
	// Each step gets its own deadline, so a failure leaves time to show
	// where the browser is.
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		must(what, chromedp.Do(c, actions...))
	}
	step("open /submit", chromedp.Navigate(ie.ts.URL+"/submit"), chromedp.WaitVisible(chromedp.CSS(`textarea#text`)))

	file := filepath.Join(t.TempDir(), "leaked-memo.txt")
	if err := os.WriteFile(file, []byte("BROWSER-ATTACHMENT memo from the newsroom"), 0o600); err != nil {
		t.Fatal(err)
	}
	step("fill the form",
		chromedp.SendKeys(chromedp.CSS(`textarea#text`), "Our story on the dam was spiked by the owner"),
		chromedp.SendKeys(chromedp.CSS(`input#what`), "story spiked"),
		chromedp.SetUploadFiles(chromedp.CSS(`input#file`), []string{file}),
	)
	step("send the report",
		chromedp.Click(chromedp.CSS(`form[action="/submit"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`code#codename`)),
	)
	codename, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`code#codename`)))
	must("read the codename", err)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must("location", err)
	codename = strings.TrimSpace(codename)
	if len(strings.Fields(codename)) != 7 || !strings.HasSuffix(loc, "/submit/codename") {
		t.Fatalf("codename %q at %s", codename, loc)
	}

	// The report arrived with its file.
	reports, err := ie.db.ListReports(context.Background(), intakeFilterAll)
	if err != nil || len(reports) != 1 {
		t.Fatalf("reports %d %v", len(reports), err)
	}
	id := reports[0].ID
	atts, _ := ie.db.Attachments(context.Background(), id)
	if len(atts) != 1 {
		t.Fatalf("%d attachments", len(atts))
	}

	// An editor unlocks, reads and replies (over HTTP).
	ed := ie.client()
	ed.login("editor")
	if r := ed.submit("/admin/intake", "/admin/intake/unlock", url.Values{"password": {testPassword}}); r.status != 303 {
		t.Fatalf("unlock: %d", r.status)
	}
	path := "/admin/intake/" + id64(id)
	if r := ed.get(path); !strings.Contains(r.body, "spiked by the owner") || !strings.Contains(r.body, "leaked-memo.txt") {
		t.Fatalf("editor view: %s", excerpt(r.body))
	}
	if dl := ed.get(path + "/attachments/" + id64(atts[0].ID)); dl.body != "BROWSER-ATTACHMENT memo from the newsroom" {
		t.Fatalf("attachment %q", dl.body)
	}
	if r := ed.submit(path, path+"/reply", url.Values{"text": {"Thank you. We are checking the memo."}}); r.status != 303 {
		t.Fatalf("reply: %d", r.status)
	}

	// The source comes back in a fresh browser session: clear cookies by
	// logging out, then log in with the codename.
	step("log out", chromedp.Navigate(ie.ts.URL+"/submit/reports"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/submit/logout"] button`)),
		chromedp.Click(chromedp.CSS(`form[action="/submit/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input#codename`)))
	step("log in with the codename",
		chromedp.SendKeys(chromedp.CSS(`input#codename`), codename),
		chromedp.Click(chromedp.CSS(`form[action="/submit/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.reply-text`)))
	reply, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`p.reply-text`)))
	must("read the reply", err)
	loc, err = chromedp.Run(ctx, chromedp.Location())
	must("location", err)
	if reply != "Thank you. We are checking the memo." || !strings.HasSuffix(loc, "/submit/reports") {
		t.Fatalf("reply %q at %s", reply, loc)
	}
	// And answers with one more message.
	sel := `form[action="/submit/reports/` + id64(id) + `"]`
	step("answer",
		chromedp.SendKeys(chromedp.CSS(sel+` textarea`), "The memo is genuine."),
		chromedp.Click(chromedp.CSS(sel+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)))
	msgs, _ := ie.db.Messages(context.Background(), id)
	if len(msgs) != 3 {
		t.Fatalf("%d messages after the source's answer", len(msgs))
	}
}

// Under Referrer-Policy: no-referrer, browsers send "Origin: null" with form
// POSTs (found by the browser test above: every form was refused). null is
// accepted only when the fetch metadata says same-origin.
func TestSameOriginNullOrigin(t *testing.T) {
	for _, tc := range []struct {
		origin, site string
		want         bool
	}{
		{"null", "same-origin", true},
		{"null", "cross-site", false},
		{"null", "same-site", false},
		{"null", "", false},
		{"http://example.test", "same-origin", true},
		{"http://evil.test", "same-origin", false},
		{"", "", true},
		{"", "cross-site", false},
	} {
		r := httptest.NewRequest(http.MethodPost, "http://example.test/submit", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if tc.site != "" {
			r.Header.Set("Sec-Fetch-Site", tc.site)
		}
		if got := sameOrigin(r); got != tc.want {
			t.Errorf("Origin %q, Sec-Fetch-Site %q: %v, want %v", tc.origin, tc.site, got, tc.want)
		}
	}
}
